/**
 * Check (SPEC §5): validates a resource's inputs with the schema models, reporting every
 * failure with its property path, and — when the inputs are fully known and the provider is
 * configured — asks the server's dry run for the rules that need live state (references,
 * editions, rule P). Returns the inputs with every default applied, secrets kept secret.
 *
 * Which dry run (Check carries no id):
 * - no old inputs → the resource will be created: `POST ?dryRun=true`.
 * - old inputs, no replace field changed, and the resource's id is known (the engine's old
 *   outputs, or for a listener the one holding the old load balancer and port) → the resource
 *   will be updated in place: `PUT /{id}?dryRun=true`, which knows the update-only rules
 *   (edition changes) and does not collide with itself.
 * - otherwise (a replacement, or an id that cannot be found) → `POST ?dryRun=true`, dropping
 *   failures that name the old resource itself: a replacement that keeps the same load balancer
 *   and port is delete-before-replace, so its port (or QUIC association) is free by then.
 * Only verdicts about the resource become failures: an unreachable API is a warning (the
 * write itself will report it), a refused token is an error.
 */
import { ApiClientError } from '../../client/client-error.ts';
import { resourcePath } from '../../client/management-client.ts';
import { inspectCertificate } from '../../schema/certificate-inspect.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { parseResource } from '../../schema/parse.ts';
import { transportOf } from '../../schema/rules/ports.ts';
import { dependsOnUnknown } from '../../schema/field-path.ts';
import { unknownPaths, withoutUnknowns, type Decoded, type PropertyMap } from '../marshal.ts';
import { labelOf, sameValue, type OperationContext } from './context.ts';
import { describeFieldError, describeResource, ProviderError, withHint } from './errors.ts';
import { fillDefaults } from './inputs.ts';

/** CheckFailure is one property problem, as Pulumi's CheckFailure. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** CheckRequestData is a decoded Check request. */
export interface CheckRequestData {
  olds: Decoded;
  news: Decoded;
  /** Old outputs, when the engine sends them (they carry the id). */
  oldOutputs?: Decoded | undefined;
}

/** CheckOutcome is the checked inputs (defaults applied) and their secret paths, or failures. */
export interface CheckOutcome {
  inputs: PropertyMap;
  secretPaths: string[];
  failures: CheckFailure[];
}

/** checkResource runs the schema validation and, when possible, the server's dry run. */
export async function checkResource(ctx: OperationContext, req: CheckRequestData): Promise<CheckOutcome> {
  const { kind } = ctx;
  const news = req.news.value;
  const unknown = unknownPaths(news);
  // An existing resource may omit a write-only secret (a certificate's key): the API keeps the
  // stored one (SPEC 1.4), so it is checked as the PUT it will be, and the key check is the server's.
  const keepsStoredSecret = Object.keys(req.olds.value).length > 0 && kind.secretFields.some((f) => news[f] === undefined);
  const parsed = keepsStoredSecret
    ? parseResource(kind, 'update', withoutUnknowns(news), { previous: req.olds.value })
    : parseResource(kind, 'create', withoutUnknowns(news));
  let failures: CheckFailure[] = [];
  let inputs: PropertyMap;
  if (parsed.ok && unknown.length === 0) {
    inputs = parsed.value as PropertyMap;
  } else {
    inputs = fillDefaults(kind, news);
    if (!parsed.ok) {
      // A field that is not known yet cannot be wrong yet: its "is required", anything below it and
      // every rule that read it wait until it is known.
      failures = parsed.errors
        .filter((e) => !dependsOnUnknown(e, unknown))
        .map((e) => ({ property: e.path, reason: describeFieldError(e, 'VALIDATION_FAILED') }));
    }
  }
  const secretPaths = [...new Set([...req.news.secretPaths, ...kind.secretFields.filter((f) => inputs[f] !== undefined)])];
  if (failures.length === 0 && kind.name === 'Certificate' && !keepsStoredSecret) failures = checkCertificateLocally(inputs);
  if (failures.length === 0 && unknown.length === 0 && ctx.api) {
    failures = await liveFailures(ctx, inputs, req);
  }
  return { inputs, secretPaths, failures };
}

/** A certificate's PEM and key are checked here too, so that a bad PEM fails a preview without the API. */
function checkCertificateLocally(inputs: PropertyMap): CheckFailure[] {
  const { type, certificatePem, privateKeyPem } = inputs;
  if ((type !== 'Server' && type !== 'CA') || typeof certificatePem !== 'string') return [];
  const result = inspectCertificate({ type, certificatePem, privateKeyPem: typeof privateKeyPem === 'string' ? privateKeyPem : undefined });
  return result.ok ? [] : result.errors.map((e) => ({ property: e.path, reason: describeFieldError(e, 'VALIDATION_FAILED') }));
}

async function liveFailures(ctx: OperationContext, inputs: PropertyMap, req: CheckRequestData): Promise<CheckFailure[]> {
  const { kind } = ctx;
  const api = ctx.api;
  if (!api) return [];
  const olds = req.olds.value;
  const isUpdate = Object.keys(olds).length > 0;
  try {
    if (!isUpdate) return await dryRun(ctx, 'POST', resourcePath(kind.collection, undefined, 'dryRun=true'), inputs, undefined);
    const replacing = kind.replaceFields.some((f) => olds[f] !== undefined && !sameValue(olds[f], inputs[f]));
    const oldId = req.oldOutputs?.value.id;
    const selfId = typeof oldId === 'string' && oldId !== '' ? oldId : await findListenerAt(ctx, olds);
    if (!replacing && selfId) {
      try {
        return await dryRun(ctx, 'PUT', resourcePath(kind.collection, selfId, 'dryRun=true'), inputs, undefined);
      } catch (err) {
        // Deleted out of band: the next update will recreate it, so check it as a create.
        if (!(err instanceof GatehouseError && err.code === 'NOT_FOUND')) throw err;
      }
    }
    return await dryRun(ctx, 'POST', resourcePath(kind.collection, undefined, 'dryRun=true'), inputs, selfId);
  } catch (err) {
    if (err instanceof ApiClientError) {
      await ctx.log.log('warning', withHint(`${describeResource(labelOf(ctx))}: live checks skipped (ports, references, editions): ${err.message}`, err.code), ctx.urn);
      return [];
    }
    throw err;
  }
}

async function dryRun(ctx: OperationContext, method: 'POST' | 'PUT', path: string, inputs: PropertyMap, selfId: string | undefined): Promise<CheckFailure[]> {
  const api = ctx.api;
  if (!api) return [];
  try {
    // A dry run writes nothing: repeating it is safe, with no Idempotency-Key to hold.
    if (method === 'POST') await api.post(path, inputs, { signal: ctx.signal, idempotencyKey: null, idempotent: true });
    else await api.put(path, inputs, { signal: ctx.signal, idempotent: true });
    return [];
  } catch (err) {
    if (!(err instanceof GatehouseError)) throw err;
    if (err.code === 'UNAUTHENTICATED') {
      throw new ProviderError(withHint(`${describeResource(labelOf(ctx))}: the Gatehouse API at ${api.endpoint} refused the token`, err.code), err.code, { cause: err });
    }
    const errors = err.errors.length > 0 ? err.errors : [{ path: '', message: err.detail, code: err.code }];
    return errors
      .filter((e) => !(selfId && e.message.includes(selfId)))
      .map((e) => ({ property: e.path, reason: describeFieldError(e, err.code) }));
  }
}

/**
 * findListenerAt finds the id of the listener that holds the old load balancer and port: rule
 * P makes it unique, and it is the resource being checked (older engines send no old outputs).
 */
async function findListenerAt(ctx: OperationContext, olds: PropertyMap): Promise<string | undefined> {
  const api = ctx.api;
  const lb = olds.loadBalancerId;
  const port = olds.port;
  if (!api || !transportOf(ctx.kind.name) || typeof lb !== 'string' || typeof port !== 'number') return undefined;
  for await (const page of api.pages(ctx.kind.collection, { loadBalancerId: lb }, { signal: ctx.signal })) {
    const hit = page.find((l) => l.port === port);
    if (hit && typeof hit.id === 'string') return hit.id;
  }
  return undefined;
}
