/**
 * ReadResource: GET by the state's id; a resource that is gone (404) reads as null, so that
 * Terraform plans to create it again; else the API's answer, the write-only `private_key_pem`
 * (which reads never return) kept from the state.
 */
import { resourcePath } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import type { DiagnosticMessage } from '../diagnostics.ts';
import { apiDiagnostics, decodeValue, encodeValue, idOf, isObjectValue, requireClient, type DynamicValueMessage, type ResourceContext, type ResourceObject } from './context.ts';
import { readPrivate } from './private-data.ts';

/** ReadRequest is the plain-object form of `ReadResource.Request`. */
export interface ReadRequest {
  type_name: string;
  current_state: DynamicValueMessage | null;
  private: Buffer;
}

/** ReadResponse is the plain-object form of `ReadResource.Response`. */
export interface ReadResponse {
  new_state: DynamicValueMessage | null;
  diagnostics: DiagnosticMessage[];
  private: Buffer;
}

/** readResource answers one ReadResource; it records a listener an earlier apply left not Running (private-data.ts). */
export async function readResource(ctx: ResourceContext, req: ReadRequest): Promise<ReadResponse> {
  const current = decodeValue(req.current_state, ctx.type);
  const id = idOf(current);
  if (!isObjectValue(current) || !id) return { new_state: req.current_state, diagnostics: [], private: req.private };
  if (readPrivate(req.private).unready) ctx.leftUnready.add(id);
  const client = requireClient(ctx, 'read');
  if (!('request' in client)) return { new_state: req.current_state, diagnostics: [client], private: req.private };
  try {
    const live = (await client.get(resourcePath(ctx.kind.collection, id), { signal: ctx.signal })).body;
    const state = ctx.source.toTerraformValue(ctx.kind, live, current) as ResourceObject;
    return { new_state: encodeValue(state, ctx.type), diagnostics: [], private: req.private };
  } catch (err) {
    if (err instanceof GatehouseError && err.code === 'NOT_FOUND') return { new_state: encodeValue(null, ctx.type), diagnostics: [], private: req.private };
    return { new_state: req.current_state, diagnostics: apiDiagnostics(ctx, 'read', err), private: req.private };
  }
}
