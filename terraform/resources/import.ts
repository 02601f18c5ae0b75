/**
 * ImportResourceState: GET the id given (of this kind: its prefix is checked first); the imported
 * resource's state is the API's answer. A write-only `private_key_pem` is not read back: it is
 * null until the configuration sets it again. A listener id imported as a QUIC listener (or the
 * other way round: both start with `lsn-`) is refused naming the type it belongs to.
 */
import { resourcePath } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { errorDiagnostic, type DiagnosticMessage } from '../diagnostics.ts';
import { apiDiagnostics, encodeValue, requireClient, type DynamicValueMessage, type ResourceContext, type ResourceObject } from './context.ts';

/** ImportRequest is the plain-object form of `ImportResourceState.Request`. */
export interface ImportRequest {
  type_name: string;
  id: string;
}

/** ImportResponse is the plain-object form of `ImportResourceState.Response`. */
export interface ImportResponse {
  imported_resources: { type_name: string; state: DynamicValueMessage; private: Buffer }[];
  diagnostics: DiagnosticMessage[];
}

/** importResourceState answers one ImportResourceState. */
export async function importResourceState(ctx: ResourceContext, req: ImportRequest): Promise<ImportResponse> {
  const client = requireClient(ctx, 'import');
  if (!('request' in client)) return { imported_resources: [], diagnostics: [client] };
  if (!req.id.startsWith(ctx.kind.idPrefix)) {
    return {
      imported_resources: [],
      diagnostics: [errorDiagnostic(`Cannot import ${ctx.typeName}: "${req.id}" is not the id of a ${ctx.kind.name}`, `Ids of this kind start with ${ctx.kind.idPrefix}.`)],
    };
  }
  try {
    const live = (await client.get(resourcePath(ctx.kind.collection, req.id), { signal: ctx.signal })).body;
    const state = ctx.source.toTerraformValue(ctx.kind, live) as ResourceObject;
    return { imported_resources: [{ type_name: ctx.typeName, state: encodeValue(state, ctx.type), private: Buffer.alloc(0) }], diagnostics: [] };
  } catch (err) {
    if (err instanceof GatehouseError && err.code === 'NOT_FOUND') {
      const other = await otherListenerType(ctx, req.id);
      if (other) {
        return {
          imported_resources: [],
          diagnostics: [errorDiagnostic(`Cannot import ${ctx.typeName}: ${req.id} is a ${other}`, `Listeners and QUIC listeners share the lsn- prefix; import it as ${other}.`)],
        };
      }
      return { imported_resources: [], diagnostics: [errorDiagnostic(`Cannot import ${ctx.typeName}: ${req.id} does not exist`, `The Gatehouse API at ${client.endpoint} has no ${ctx.kind.name} ${req.id}.`)] };
    }
    return { imported_resources: [], diagnostics: apiDiagnostics(ctx, 'import', err) };
  }
}

/**
 * otherListenerType: listener and QUIC listener ids share `lsn-`, so an id imported under the
 * wrong one of the two types reads as missing; it names the type the id belongs to, if any.
 */
async function otherListenerType(ctx: ResourceContext, id: string): Promise<string | undefined> {
  const otherName = ctx.kind.name === 'Listener' ? 'QuicListener' : ctx.kind.name === 'QuicListener' ? 'Listener' : undefined;
  const other = ctx.source.resources.find((r) => r.kind.name === otherName);
  if (!other || !ctx.client) return undefined;
  try {
    await ctx.client.get(resourcePath(other.kind.collection, id), { signal: ctx.signal });
    return other.typeName;
  } catch {
    return undefined;
  }
}
