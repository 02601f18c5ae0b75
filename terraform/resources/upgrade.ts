/**
 * UpgradeResourceState: schema version 0 is the only one so far, so a stored state (its JSON
 * form) is the current state as it is, written with the schema's type: attributes the schema no
 * longer has are dropped, attributes it gained are null.
 */
import { errorDiagnostic, type DiagnosticMessage } from '../diagnostics.ts';
import type { CtyType, CtyValue } from '../protocol/cty-msgpack.ts';
import { encodeValue, type DynamicValueMessage, type ResourceContext } from './context.ts';

/** UpgradeRequest is the plain-object form of `UpgradeResourceState.Request`. */
export interface UpgradeRequest {
  type_name: string;
  version: number;
  raw_state: { json: Buffer; flatmap: Record<string, string> } | null;
}

/** UpgradeResponse is the plain-object form of `UpgradeResourceState.Response`. */
export interface UpgradeResponse {
  upgraded_state: DynamicValueMessage | null;
  diagnostics: DiagnosticMessage[];
}

/** upgradeResourceState answers one UpgradeResourceState: version 0 is read as it is. */
export function upgradeResourceState(ctx: Pick<ResourceContext, 'typeName' | 'type'>, req: UpgradeRequest): UpgradeResponse {
  if (req.version !== 0) {
    return { upgraded_state: null, diagnostics: [errorDiagnostic(`Cannot upgrade the state of ${ctx.typeName}`, `Its schema version ${req.version} is newer than this provider's (0).`)] };
  }
  const json = req.raw_state?.json;
  if (!json || json.length === 0) {
    return { upgraded_state: null, diagnostics: [errorDiagnostic(`Cannot upgrade the state of ${ctx.typeName}`, 'The stored state has no JSON form (a flatmap state is not supported).')] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch (err) {
    return { upgraded_state: null, diagnostics: [errorDiagnostic(`Cannot upgrade the state of ${ctx.typeName}`, `The stored state is not JSON: ${(err as Error).message}`)] };
  }
  return { upgraded_state: encodeValue(conform(raw, ctx.type), ctx.type), diagnostics: [] };
}

/** conform reads JSON as a value of the type: attributes the type no longer has are dropped, missing ones null. */
function conform(raw: unknown, type: CtyType): CtyValue {
  if (raw === null || raw === undefined) return null;
  if (typeof type === 'string') return raw as CtyValue;
  const [kind, element] = type;
  if (kind === 'object' && typeof raw === 'object' && !Array.isArray(raw)) {
    const out: Record<string, CtyValue> = {};
    for (const [name, t] of Object.entries(element)) out[name] = conform((raw as Record<string, unknown>)[name], t);
    return out;
  }
  if ((kind === 'list' || kind === 'set') && Array.isArray(raw)) return raw.map((item) => conform(item, element));
  if (kind === 'tuple' && Array.isArray(raw)) return raw.map((item, i) => conform(item, element[i] ?? 'dynamic'));
  if (kind === 'map' && typeof raw === 'object' && !Array.isArray(raw)) {
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, conform(v, element)]));
  }
  return raw as CtyValue;
}
