/**
 * ApplyResourceChange: create (POST), update in place (PUT) or delete (DELETE; one already gone
 * counts as deleted) through the management client. The body is the configuration, every value
 * known by now, as the API's body: what it leaves out the server fills. A listener or QUIC
 * listener is waited for until its `status` is `Running`; `Failed` fails the apply with its
 * `statusReason`, the resource kept in state (it exists); a QUIC listener `Unavailable` (where
 * the engine's QUIC transport cannot load) is stored and valid, and the apply succeeds with a
 * warning; a Running one gets none.
 * The new state is the API's answer; the write-only `private_key_pem`, which reads never return,
 * keeps the configuration's value.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { resourcePath, type ManagementClient } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { transportOf } from '../../schema/rules/ports.ts';
import { errorDiagnostic, warningDiagnostic, type DiagnosticMessage } from '../diagnostics.ts';
import { splitUnknowns } from '../unknowns.ts';
import { apiDiagnostics, decodeValue, encodeValue, idOf, isObjectValue, requireClient, type DynamicValueMessage, type ResourceContext, type ResourceObject } from './context.ts';
import { writePrivate, type PrivateData } from './private-data.ts';

/** READY_TIMEOUT_MS bounds the wait for a listener to be Running. */
export const READY_TIMEOUT_MS = 300_000;
/** The waits between reads of a listener's status double from the first to the last. */
const READY_POLL_FIRST_MS = 100;
const READY_POLL_MAX_MS = 1000;

/** ApplyRequest is the plain-object form of `ApplyResourceChange.Request`. */
export interface ApplyRequest {
  type_name: string;
  prior_state: DynamicValueMessage | null;
  planned_state: DynamicValueMessage | null;
  config: DynamicValueMessage | null;
  planned_private: Buffer;
}

/** ApplyResponse is the plain-object form of `ApplyResourceChange.Response`. */
export interface ApplyResponse {
  new_state: DynamicValueMessage;
  private: Buffer;
  diagnostics: DiagnosticMessage[];
}

/** applyResourceChange answers one ApplyResourceChange. */
export async function applyResourceChange(ctx: ResourceContext, req: ApplyRequest): Promise<ApplyResponse> {
  const priorValue = decodeValue(req.prior_state, ctx.type);
  const prior = isObjectValue(priorValue) ? priorValue : undefined;
  const planned = decodeValue(req.planned_state, ctx.type);
  const answer = (state: ResourceObject | null, diagnostics: DiagnosticMessage[], data: PrivateData = {}): ApplyResponse => ({
    new_state: encodeValue(state, ctx.type),
    private: writePrivate(data),
    diagnostics,
  });
  const client = requireClient(ctx, planned === null ? 'delete' : prior ? 'update' : 'create');
  if (!('request' in client)) return answer(prior ?? null, [client]);

  if (!isObjectValue(planned)) {
    const id = idOf(prior ?? null);
    if (!id) return answer(null, []);
    try {
      await client.delete(resourcePath(ctx.kind.collection, id), { signal: ctx.signal });
    } catch (err) {
      if (!(err instanceof GatehouseError && err.code === 'NOT_FOUND')) return answer(prior ?? null, apiDiagnostics(ctx, 'delete', err));
    }
    return answer(null, []);
  }

  const configValue = decodeValue(req.config, ctx.type);
  const config = isObjectValue(configValue) ? configValue : {};
  const known = splitUnknowns(config, ctx.type, (a) => ctx.source.toFieldName(a)).known;
  const body = ctx.source.fromTerraformValue(ctx.kind, isObjectValue(known) ? known : {});
  const priorId = idOf(prior ?? null);
  let written: Record<string, unknown>;
  try {
    written = prior && priorId
      ? (await client.put(resourcePath(ctx.kind.collection, priorId), body, { signal: ctx.signal })).body
      : (await client.post(resourcePath(ctx.kind.collection), body, { signal: ctx.signal })).body;
  } catch (err) {
    return answer(prior ?? null, apiDiagnostics(ctx, prior ? 'update' : 'create', err));
  }
  const stateOf = (live: Record<string, unknown>): ResourceObject => ctx.source.toTerraformValue(ctx.kind, live, config) as ResourceObject;
  const id = typeof written.id === 'string' ? written.id : priorId;
  if (!transportOf(ctx.kind.name) || !id) return answer(stateOf(written), []);
  const ready = await waitUntilRunning(ctx, client, id, written);
  const unready = ready.diagnostics.some((d) => d.severity === 'ERROR');
  return answer(stateOf(ready.live), ready.diagnostics, unready ? { unready: true } : {});
}

/**
 * waitUntilRunning reads a listener until its status is Running (or Unavailable, with a
 * warning); Failed, a read that fails and the deadline are errors, with the last state read.
 */
async function waitUntilRunning(
  ctx: ResourceContext,
  client: ManagementClient,
  id: string,
  first: Record<string, unknown>,
): Promise<{ live: Record<string, unknown>; diagnostics: DiagnosticMessage[] }> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let live = first;
  let delay = READY_POLL_FIRST_MS;
  for (;;) {
    const status = live.status;
    const reason = typeof live.statusReason === 'string' && live.statusReason !== '' ? live.statusReason : undefined;
    if (status === 'Running') return { live, diagnostics: [] };
    if (status === 'Failed') {
      return { live, diagnostics: [errorDiagnostic(`${ctx.typeName} ${id} is Failed`, reason ?? 'the engine could not apply it')] };
    }
    if (status === 'Unavailable') {
      const warning = warningDiagnostic(
        `${ctx.typeName} ${id} is Unavailable`,
        `${reason ?? 'this runtime cannot serve it'}; its configuration is stored and the HTTPS listener keeps serving HTTP/1.1 and HTTP/2.`,
      );
      return { live, diagnostics: [warning] };
    }
    if (Date.now() >= deadline) {
      return { live, diagnostics: [errorDiagnostic(`${ctx.typeName} ${id} is still ${String(status)}`, `It did not become Running within ${READY_TIMEOUT_MS / 1000} s.`)] };
    }
    try {
      await sleep(delay, undefined, { signal: ctx.signal });
      live = (await client.get(resourcePath(ctx.kind.collection, id), { signal: ctx.signal })).body;
    } catch (err) {
      if (ctx.signal.aborted) return { live, diagnostics: [errorDiagnostic(`Stopped while waiting for ${ctx.typeName} ${id} to be Running`, `Its last status was ${String(status)}.`)] };
      return { live, diagnostics: apiDiagnostics(ctx, 'read', err) };
    }
    delay = Math.min(delay * 2, READY_POLL_MAX_MS);
  }
}
