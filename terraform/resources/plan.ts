/**
 * PlanResourceChange: the planned state of a resource, and the live rules through the API's dry
 * run.
 *
 * - With every value of the configuration known, the planned state is the API's own parse of it
 *   (`parseResource`), so that the server's defaults are known at plan. Output-only attributes
 *   are unknown on a create; on an update they keep the prior state's values when nothing
 *   changed, and only `id` and `created_at` are kept when something did.
 * - With values not known yet, the planned state is Terraform's proposed one, every attribute the
 *   server fills left unknown on a create.
 * - `requires_replace` lists the replace attributes whose value changes.
 * - The dry run (`POST ?dryRun=true` for a create or a replacement, `PUT /{id}?dryRun=true` for
 *   an update in place) runs when every value is known and the provider is configured; a refusal
 *   is an error at the attribute it names, with the API's code.
 * - A replacement is planned twice by Terraform: first against the prior state, then as a create
 *   (prior null). The first plan passes the old id on in its private data (every plan of an
 *   existing object does, as `-replace=` replaces one whatever the provider answers), so that the
 *   second one's dry run leaves out the problems naming the resource being replaced: Terraform
 *   deletes it first, so its port is free by then.
 * A destroy plan (null proposed state) passes through.
 */
import { ApiClientError } from '../../client/client-error.ts';
import { resourcePath } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { dependsOnUnknown } from '../../schema/field-path.ts';
import { parseResource } from '../../schema/parse.ts';
import { attributePath, errorDiagnostic, renderSteps, warningDiagnostic, type DiagnosticMessage, type PathStep } from '../diagnostics.ts';
import { UNKNOWN, type CtyValue } from '../protocol/cty-msgpack.ts';
import type { TerraformAttribute } from '../schema-source.ts';
import { splitUnknowns } from '../unknowns.ts';
import {
  apiDiagnostics,
  decodeValue,
  encodeValue,
  idOf,
  isObjectValue,
  isOutputOnly,
  sameValue,
  unreachableWarning,
  type DynamicValueMessage,
  type ResourceContext,
  type ResourceObject,
} from './context.ts';
import { readPrivate, writePrivate, type PrivateData } from './private-data.ts';

/** PlanRequest is the plain-object form of `PlanResourceChange.Request`. */
export interface PlanRequest {
  type_name: string;
  prior_state: DynamicValueMessage | null;
  proposed_new_state: DynamicValueMessage | null;
  config: DynamicValueMessage | null;
  prior_private: Buffer;
}

/** PlanResponse is the plain-object form of `PlanResourceChange.Response`. */
export interface PlanResponse {
  planned_state: DynamicValueMessage | null;
  requires_replace: { steps: PathStep[] }[];
  planned_private: Buffer;
  diagnostics: DiagnosticMessage[];
}

/** KEPT_ON_UPDATE are the output-only attributes an update never changes. */
const KEPT_ON_UPDATE: ReadonlySet<string> = new Set(['id', 'created_at']);

/** planResourceChange answers one PlanResourceChange. */
export async function planResourceChange(ctx: PlanContext, req: PlanRequest): Promise<PlanResponse> {
  const proposed = decodeValue(req.proposed_new_state, ctx.type);
  if (!isObjectValue(proposed)) {
    return { planned_state: req.proposed_new_state, requires_replace: [], planned_private: req.prior_private, diagnostics: [] };
  }
  const priorValue = decodeValue(req.prior_state, ctx.type);
  const prior = isObjectValue(priorValue) ? priorValue : undefined;
  const configValue = decodeValue(req.config, ctx.type);
  const config = isObjectValue(configValue) ? configValue : {};
  const split = splitUnknowns(config, ctx.type, (a) => ctx.source.toFieldName(a));
  const known = isObjectValue(split.known) ? split.known : {};
  const priorBody = prior ? ctx.source.fromTerraformValue(ctx.kind, prior) : undefined;

  // The API's parse of what is known: its defaults, and its verdict once every value is known.
  const body = ctx.source.fromTerraformValue(ctx.kind, known);
  const parsed = prior ? parseResource(ctx.kind, 'update', body, { previous: priorBody }) : parseResource(ctx.kind, 'create', body);
  if (!parsed.ok) {
    const diagnostics = parsed.errors
      .filter((e) => !dependsOnUnknown(e, split.unknownPaths))
      .map((e) => {
        const steps = attributePath(e.path, ctx.type, (f) => ctx.source.toAttributeName(f));
        const where = renderSteps(steps);
        return errorDiagnostic(where === '' ? `Invalid ${ctx.typeName}` : `Invalid value for ${where}`, `${e.message} (${e.code})`, steps);
      });
    if (diagnostics.length > 0) return { planned_state: req.proposed_new_state, requires_replace: [], planned_private: Buffer.alloc(0), diagnostics };
  }
  const allKnown = split.unknownPaths.length === 0 && parsed.ok;
  const planned: ResourceObject = allKnown
    ? plannedFromParse(ctx, config, ctx.source.toTerraformValue(ctx.kind, parsed.value) as ResourceObject, prior)
    : plannedFromProposed(ctx, config, proposed, prior);

  const replaced = prior ? ctx.source.requiresReplace(ctx.kind).filter((name) => !sameValue(planned[name], prior[name])) : [];
  if (prior) settleOutputs(ctx, planned, prior, replaced.length > 0);

  const carried = readPrivate(req.prior_private);
  const priorId = idOf(prior ?? null);
  // Any plan of an existing object names it: Terraform may replace it for reasons of its own
  // (`-replace=`), and then plans the create with this plan's private data.
  const next: PrivateData = priorId ? { replacing: priorId } : !prior && carried.replacing ? { replacing: carried.replacing } : {};
  const diagnostics = allKnown ? await dryRun(ctx, parsed.value, prior && replaced.length === 0 ? priorId : undefined, next.replacing) : [];
  return {
    planned_state: encodeValue(planned, ctx.type),
    requires_replace: replaced.map((name) => ({ steps: [{ attribute_name: name }] })),
    planned_private: writePrivate(next),
    diagnostics,
  };
}

/** PlanContext is a ResourceContext; named for the plan's readers. */
export type PlanContext = ResourceContext;

/**
 * plannedFromParse is the planned state from the API's parse: what the configuration sets stays
 * as written (Terraform requires it), an attribute the server fills takes the parse's value, else
 * the prior one on an update, else unknown.
 */
function plannedFromParse(ctx: ResourceContext, config: ResourceObject, parsed: ResourceObject, prior: ResourceObject | undefined): ResourceObject {
  const planned: ResourceObject = {};
  for (const a of ctx.attributes) {
    const fromConfig = config[a.name] ?? null;
    if (isOutputOnly(a)) planned[a.name] = prior ? (prior[a.name] ?? null) : UNKNOWN;
    else if (!a.computed) planned[a.name] = withServerFilledNested(a, fromConfig, parsed[a.name] ?? null);
    else if (fromConfig !== null) planned[a.name] = parsed[a.name] ?? fromConfig;
    else if ((parsed[a.name] ?? null) !== null) planned[a.name] = parsed[a.name] ?? null;
    else planned[a.name] = prior ? (prior[a.name] ?? null) : UNKNOWN;
  }
  return planned;
}

/**
 * withServerFilledNested is a configured attribute's planned value: as written, but inside a
 * nested object (a QUIC listener's required `certificates`) an attribute the configuration leaves
 * to the server takes the parse's value, as the API will store it.
 */
function withServerFilledNested(a: TerraformAttribute, config: CtyValue, parsed: CtyValue): CtyValue {
  const nested = a.nestedType;
  if (!nested || config === null || config === UNKNOWN || parsed === null) return config;
  const fill = (c: CtyValue, p: CtyValue): CtyValue => {
    if (!isObjectValue(c) || !isObjectValue(p)) return c;
    const out: ResourceObject = {};
    for (const inner of nested.attributes) {
      const ci = c[inner.name] ?? null;
      out[inner.name] = inner.computed && ci === null ? (p[inner.name] ?? null) : withServerFilledNested(inner, ci, p[inner.name] ?? null);
    }
    return out;
  };
  if (nested.nesting === 'SINGLE') return fill(config, parsed);
  if (nested.nesting === 'LIST' && Array.isArray(config) && Array.isArray(parsed) && config.length === parsed.length) {
    return config.map((item, i) => fill(item, parsed[i] ?? null));
  }
  return config;
}

/**
 * plannedFromProposed is the planned state while values are not known yet: Terraform's proposed
 * state (the configuration, and the prior state's values of what it leaves to the server), with
 * every attribute the server fills unknown on a create, nested ones included.
 */
function plannedFromProposed(ctx: ResourceContext, config: ResourceObject, proposed: ResourceObject, prior: ResourceObject | undefined): ResourceObject {
  if (prior) return { ...proposed };
  return unknownWhereServerFills(ctx.attributes, config, proposed);
}

function unknownWhereServerFills(attributes: readonly TerraformAttribute[], config: ResourceObject, proposed: ResourceObject): ResourceObject {
  const out: ResourceObject = { ...proposed };
  for (const a of attributes) {
    const c = config[a.name] ?? null;
    const p = proposed[a.name] ?? null;
    if (a.computed && c === null) {
      out[a.name] = UNKNOWN;
      continue;
    }
    const nested = a.nestedType;
    if (!nested || c === UNKNOWN || p === UNKNOWN) continue;
    if (nested.nesting === 'SINGLE' && isObjectValue(c) && isObjectValue(p)) {
      out[a.name] = unknownWhereServerFills(nested.attributes, c, p);
    } else if (nested.nesting === 'LIST' && Array.isArray(c) && Array.isArray(p) && c.length === p.length) {
      out[a.name] = p.map((item, i) => {
        const ci = c[i];
        return isObjectValue(item) && isObjectValue(ci) ? unknownWhereServerFills(nested.attributes, ci, item) : item;
      });
    }
  }
  return out;
}

/**
 * settleOutputs decides an update's output-only attributes: the prior values when no input
 * changes, else unknown but for those an update never changes; a replacement makes a new
 * resource, every output unknown.
 */
function settleOutputs(ctx: ResourceContext, planned: ResourceObject, prior: ResourceObject, replacing: boolean): void {
  const outputs = ctx.attributes.filter(isOutputOnly);
  const changed = ctx.attributes.some((a) => !isOutputOnly(a) && !sameValue(planned[a.name], prior[a.name]));
  for (const a of outputs) {
    if (replacing) planned[a.name] = UNKNOWN;
    else if (!changed || KEPT_ON_UPDATE.has(a.name)) planned[a.name] = prior[a.name] ?? null;
    else planned[a.name] = UNKNOWN;
  }
}

/** noTokenWarning says the live checks did not run: without a token the API answers no dry run. */
function noTokenWarning(ctx: ResourceContext): DiagnosticMessage {
  const why = ctx.client ? 'the provider has no token' : 'the provider\'s endpoint or token is not known yet';
  return warningDiagnostic(
    `Live checks of ${ctx.typeName} skipped: ${why}`,
    'Ports, references and editions are checked against the Gatehouse API only with a token (the provider\'s token, or GATEHOUSE_TOKEN); the apply needs one in any case.',
  );
}

/**
 * dryRun asks the API whether the write would be accepted: `PUT /{id}?dryRun=true` for an update
 * in place (`selfId`), else `POST ?dryRun=true`, leaving out problems that name the resource a
 * replacement deletes first. No call goes out unless the provider is configured with a token: a
 * warning says so.
 */
async function dryRun(ctx: ResourceContext, body: Record<string, unknown>, selfId: string | undefined, replacing: string | undefined): Promise<DiagnosticMessage[]> {
  const client = ctx.client;
  if (!client?.hasToken) return [noTokenWarning(ctx)];
  // A replacement deletes the old resource first; so does the apply of a tainted one (see private-data.ts).
  const deletedFirst = (message: string) => (replacing !== undefined && message.includes(replacing)) || (!selfId && [...ctx.leftUnready].some((id) => message.includes(id)));
  const keep = (message: string) => !deletedFirst(message);
  try {
    if (selfId) {
      try {
        await client.put(resourcePath(ctx.kind.collection, selfId, 'dryRun=true'), body, { signal: ctx.signal, idempotent: true });
        return [];
      } catch (err) {
        // Deleted out of band: the apply will create it again, so it is checked as a create.
        if (!(err instanceof GatehouseError && err.code === 'NOT_FOUND')) throw err;
      }
    }
    await client.post(resourcePath(ctx.kind.collection, undefined, 'dryRun=true'), body, { signal: ctx.signal, idempotencyKey: null, idempotent: true });
    return [];
  } catch (err) {
    if (err instanceof ApiClientError) return [unreachableWarning(ctx, err)];
    return apiDiagnostics(ctx, 'accept', err, keep);
  }
}
