/**
 * What every resource operation shares: the kind and its Terraform type, the management client
 * ConfigureProvider made, the values on the wire (DynamicValue MessagePack) and the reading of
 * the API's answers as diagnostics, at the attribute a refusal names.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiClientError } from '../../client/client-error.ts';
import type { ManagementClient } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { attributePath, errorDiagnostic, renderSteps, warningDiagnostic, type DiagnosticMessage } from '../diagnostics.ts';
import { CtyCodecError, decodeCty, encodeCty, UNKNOWN, type CtyType, type CtyValue } from '../protocol/cty-msgpack.ts';
import type { TerraformAttribute, TerraformSchemaSource } from '../schema-source.ts';
import type { LeftUnready } from './private-data.ts';

/** DynamicValueMessage is the plain-object form of `tfplugin6.DynamicValue`. */
export interface DynamicValueMessage {
  msgpack: Buffer;
  json: Buffer;
}

/** ResourceContext is one operation on one resource type. */
export interface ResourceContext {
  typeName: string;
  kind: ResourceKind;
  /** type is the resource's cty object type, how its values travel. */
  type: CtyType;
  attributes: readonly TerraformAttribute[];
  source: TerraformSchemaSource;
  /** client is the management client, when the provider is configured with known values. */
  client: ManagementClient | undefined;
  signal: AbortSignal;
  /** leftUnready: listeners an earlier apply left not Running, found so by this process's reads (private-data.ts). */
  leftUnready: LeftUnready;
}

/** ResourceObject is a resource's value: every attribute by name. */
export type ResourceObject = Record<string, CtyValue>;

/** decodeValue reads a DynamicValue of the given type; it must come as MessagePack. An absent value is null. */
export function decodeValue(value: DynamicValueMessage | null | undefined, type: CtyType): CtyValue {
  if (!value || value.msgpack.length === 0) {
    if (value && value.json.length > 0) throw new CtyCodecError('a value sent as JSON is not supported; expected MessagePack', []);
    return null;
  }
  return decodeCty(value.msgpack, type);
}

/** encodeValue writes a value of the given type as a DynamicValue. */
export function encodeValue(value: CtyValue, type: CtyType): DynamicValueMessage {
  return { msgpack: Buffer.from(encodeCty(value, type)), json: Buffer.alloc(0) };
}

/** isObjectValue tells whether a value is a known object (a resource's or a nested attribute's value). */
export function isObjectValue(v: CtyValue | undefined): v is ResourceObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** sameValue compares two values deeply; UNKNOWN equals only itself. */
export function sameValue(a: CtyValue | undefined, b: CtyValue | undefined): boolean {
  return isDeepStrictEqual(a ?? null, b ?? null);
}

/** hasUnknown tells whether a value holds a value not known yet anywhere. */
export function hasUnknown(v: CtyValue | undefined): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (isObjectValue(v)) return Object.values(v).some(hasUnknown);
  return false;
}

/** isOutputOnly tells whether an attribute is only ever set by the API (id, version, status, …). */
export function isOutputOnly(a: TerraformAttribute): boolean {
  return a.computed === true && a.optional !== true && a.required !== true;
}

/** idOf is a state's `id`, or undefined. */
export function idOf(state: CtyValue): string | undefined {
  const id = isObjectValue(state) ? state.id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** requireClient returns the client an operation needs, or the error diagnostic saying what is missing. */
export function requireClient(ctx: ResourceContext, action: string): ManagementClient | DiagnosticMessage {
  if (!ctx.client) {
    return errorDiagnostic(
      `Cannot ${action} ${ctx.typeName}: the provider is not configured`,
      'The provider\'s endpoint or token is not known yet; set them in the provider block or as GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN.',
    );
  }
  if (!ctx.client.hasToken) {
    return errorDiagnostic(`Cannot ${action} ${ctx.typeName}: no token`, 'Set the provider\'s token, or GATEHOUSE_TOKEN, to a token of the Gatehouse management API.');
  }
  return ctx.client;
}

/**
 * apiDiagnostics reads a failed call: the API's refusal becomes one error per problem, at the
 * attribute its field path names, the API's code in the summary; a call that got no verdict (the
 * API unreachable, a deadline) one error naming the client's code. `keep` filters the problems.
 */
export function apiDiagnostics(ctx: ResourceContext, action: string, err: unknown, keep: (message: string) => boolean = () => true): DiagnosticMessage[] {
  if (err instanceof GatehouseError) {
    const problems = err.errors.length > 0 ? err.errors : [{ path: '', message: err.detail, code: err.code }];
    return problems
      .filter((p) => keep(p.message))
      .map((p) => {
        const steps = attributePath(p.path, ctx.type, (f) => ctx.source.toAttributeName(f));
        const where = renderSteps(steps);
        const code = p.code && p.code !== err.code ? `${err.code}, ${p.code}` : err.code;
        return errorDiagnostic(`The Gatehouse API refused to ${action} ${ctx.typeName}${where === '' ? '' : ` (${where})`}: ${code}`, p.message, steps);
      });
  }
  if (err instanceof ApiClientError) return [errorDiagnostic(`Cannot ${action} ${ctx.typeName}: ${err.code}`, err.message)];
  return [errorDiagnostic(`Cannot ${action} ${ctx.typeName}`, err instanceof Error ? err.message : String(err))];
}

/** unreachableWarning is the warning of a dry run that got no verdict: the write itself will report the failure. */
export function unreachableWarning(ctx: ResourceContext, err: ApiClientError): DiagnosticMessage {
  return warningDiagnostic(`Live checks of ${ctx.typeName} skipped: ${err.code}`, `${err.message}. Ports, references and editions are checked when the change is applied.`);
}
