/**
 * Create, Read, Update and Delete of one resource against the management API (SPEC §5).
 *
 * - Create / Update are preview-aware: in a preview they call nothing and return the inputs
 *   with the computed outputs unknown. Otherwise they write, then wait until a listener is
 *   `Running`; `Failed` fails the operation with the listener's statusReason, reported as an
 *   initialisation failure so that the engine keeps the resource (it exists) in state.
 *   A QuicListener is `Running` like a listener once the engine serves HTTP/3 on its port (no
 *   warning). Only where the engine's QUIC transport cannot load is it `Unavailable`: its
 *   configuration is stored and valid and the HTTPS listener keeps serving without Alt-Svc, so
 *   the operation succeeds with a warning naming the reason instead of making the program
 *   undeployable.
 * - Read serves refresh (live outputs and inputs; a missing id reads as deleted) and import
 *   (inputs from the id alone).
 * - Delete treats 404 as done.
 * A certificate's privateKeyPem is write-only in the API: outputs and refreshed inputs keep the
 * value from the inputs, as a secret.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { resourcePath, type ManagementClient } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { kindNamesOfId } from '../../schema/ids.ts';
import { transportOf } from '../../schema/rules/ports.ts';
import { systemPolicyById } from '../../schema/tls-policies.ts';
import { toPlain, UNKNOWN, type Decoded, type PropertyMap, type Value } from '../marshal.ts';
import { labelOf, sameValue, type OperationContext } from './context.ts';
import { describeResource, explainError, MISSING_TOKEN, ProviderError, ResourceInitError, type ResourceLabel } from './errors.ts';
import { inputsFromLive, outputOnlyKeys } from './inputs.ts';

/** DEFAULT_READY_TIMEOUT_S bounds the wait for Running when the engine gives no timeout. */
export const DEFAULT_READY_TIMEOUT_S = 300;
/** READY_POLL_FIRST_MS is the first wait before reading a listener's status again: applying a snapshot takes milliseconds. */
const READY_POLL_FIRST_MS = 100;
/** READY_POLL_MAX_MS bounds the doubling waits, so a listener that comes up late is seen within a second. */
const READY_POLL_MAX_MS = 1000;

/** ResourceState is a resource's id, outputs and the paths of its outputs that are secret. */
export interface ResourceState {
  id: string;
  outputs: PropertyMap;
  secretPaths: string[];
}

/** ReadOutcome adds the inputs read back from the live state; `id` '' means deleted. */
export interface ReadOutcome extends ResourceState {
  inputs: PropertyMap;
  inputSecretPaths: string[];
}

/** requireApi returns the client an operation needs, or fails naming what is missing: the configuration or the token. */
function requireApi(ctx: OperationContext, action: string, label: ResourceLabel = labelOf(ctx)): ManagementClient {
  if (!ctx.api) {
    throw new ProviderError(`${describeResource(labelOf(ctx))}: cannot ${action}: the provider is not configured (gatehouse:endpoint / gatehouse:token are not known)`);
  }
  if (!ctx.api.hasToken) throw new ProviderError(`${describeResource(label)}: ${action} failed: ${MISSING_TOKEN}`);
  return ctx.api;
}

function outputSecretPaths(ctx: OperationContext, inputSecretPaths: readonly string[], outputs: PropertyMap): string[] {
  return [...new Set([...inputSecretPaths, ...ctx.kind.secretFields.filter((f) => outputs[f] !== undefined)])];
}

/** withWriteOnly copies the write-only secret fields (privateKeyPem) from inputs into outputs. */
function withWriteOnly(ctx: OperationContext, live: Record<string, unknown>, ...sources: PropertyMap[]): PropertyMap {
  const out = { ...(live as PropertyMap) };
  for (const f of ctx.kind.secretFields) {
    const v = sources.find((s) => s[f] !== undefined)?.[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** previewCreate is Create in a preview: the inputs and every computed output unknown. */
export function previewCreate(ctx: OperationContext, inputs: PropertyMap, inputSecretPaths: readonly string[]): ResourceState {
  const outputs: PropertyMap = { ...inputs };
  for (const k of outputOnlyKeys(ctx.kind)) outputs[k] = UNKNOWN;
  return { id: '', outputs, secretPaths: outputSecretPaths(ctx, inputSecretPaths, outputs) };
}

/** createResource creates the resource and waits until it is ready. */
export async function createResource(ctx: OperationContext, inputs: PropertyMap, inputSecretPaths: readonly string[], timeoutS: number): Promise<ResourceState> {
  const api = requireApi(ctx, 'create');
  let created: Record<string, unknown>;
  try {
    created = (await api.post(resourcePath(ctx.kind.collection), toPlain(inputs), { signal: ctx.signal })).body;
  } catch (err) {
    throw explainError(labelOf(ctx), 'create', err);
  }
  const id = String(created.id);
  const live = await waitUntilReady(ctx, id, created, timeoutS, inputs, inputSecretPaths);
  const outputs = withWriteOnly(ctx, live, inputs);
  return { id, outputs, secretPaths: outputSecretPaths(ctx, inputSecretPaths, outputs) };
}

/**
 * previewUpdate is Update in a preview: the new inputs over the old outputs, with what the
 * update will recompute unknown (version, updatedAt, a listener's status, and a certificate's
 * derived fields when its PEM changes).
 */
export function previewUpdate(ctx: OperationContext, id: string, oldOutputs: PropertyMap, news: PropertyMap, inputSecretPaths: readonly string[]): ResourceState {
  const outputs: PropertyMap = { ...oldOutputs, ...news };
  for (const k of ['version', 'updatedAt']) outputs[k] = UNKNOWN;
  if (transportOf(ctx.kind.name)) {
    outputs.status = UNKNOWN;
    outputs.statusReason = UNKNOWN;
  }
  if (ctx.kind.name === 'Certificate' && !sameValue(oldOutputs.certificatePem, news.certificatePem)) {
    for (const k of ctx.kind.outputFields) outputs[k] = UNKNOWN;
  }
  return { id, outputs, secretPaths: outputSecretPaths(ctx, inputSecretPaths, outputs) };
}

/** updateResource sends the full desired state and waits until the resource is ready again. */
export async function updateResource(ctx: OperationContext, id: string, news: PropertyMap, inputSecretPaths: readonly string[], timeoutS: number): Promise<ResourceState> {
  const api = requireApi(ctx, 'update', labelOf(ctx, id));
  let updated: Record<string, unknown>;
  try {
    updated = (await api.put(resourcePath(ctx.kind.collection, id), toPlain(news), { signal: ctx.signal })).body;
  } catch (err) {
    throw explainError(labelOf(ctx, id), 'update', err);
  }
  const live = await waitUntilReady(ctx, id, updated, timeoutS, news, inputSecretPaths);
  const outputs = withWriteOnly(ctx, live, news);
  return { id, outputs, secretPaths: outputSecretPaths(ctx, inputSecretPaths, outputs) };
}

/**
 * readResource reads the live state. `oldInputs` empty and `oldOutputs` empty = import: the
 * inputs come from the id alone. A write-only secret keeps its value from the old state.
 */
export async function readResource(ctx: OperationContext, id: string, oldOutputs: Decoded, oldInputs: Decoded): Promise<ReadOutcome> {
  const label = labelOf(ctx, id);
  if (!kindNamesOfId(id).includes(ctx.kind.name)) {
    throw new ProviderError(`${describeResource(label)}: "${id}" is not the id of a ${ctx.kind.name} (ids of this kind start with ${ctx.kind.idPrefix})`);
  }
  if (systemPolicyById(id)) {
    throw new ProviderError(`${describeResource(label)}: ${id} is a read-only system TLS policy; reference it by its id instead of managing it`);
  }
  const api = requireApi(ctx, 'read', label);
  let live: Record<string, unknown>;
  try {
    live = (await api.get(resourcePath(ctx.kind.collection, id), { signal: ctx.signal })).body;
  } catch (err) {
    if (!(err instanceof GatehouseError && err.code === 'NOT_FOUND')) throw explainError(label, 'read', err);
    const importing = Object.keys(oldOutputs.value).length === 0 && Object.keys(oldInputs.value).length === 0;
    if (importing) await refuseOtherListenerKind(ctx, id);
    return { id: '', outputs: {}, secretPaths: [], inputs: {}, inputSecretPaths: [] };
  }
  const inputs = inputsFromLive(ctx.kind, live);
  for (const f of ctx.kind.secretFields) {
    const kept = oldInputs.value[f] ?? oldOutputs.value[f];
    if (kept !== undefined) inputs[f] = kept;
  }
  const inputSecretPaths = [...new Set([...oldInputs.secretPaths, ...ctx.kind.secretFields])].filter((p) => pathExists(inputs, p));
  const outputs = withWriteOnly(ctx, live, oldOutputs.value, oldInputs.value);
  const secretPaths = [...new Set([...oldOutputs.secretPaths, ...inputSecretPaths, ...ctx.kind.secretFields])].filter((p) => pathExists(outputs, p));
  return { id, outputs, secretPaths, inputs, inputSecretPaths };
}

/**
 * refuseOtherListenerKind: Listener and QuicListener ids share `lsn-`, so an import under the
 * wrong type would read as "does not exist"; say which type the id belongs to instead.
 */
async function refuseOtherListenerKind(ctx: OperationContext, id: string): Promise<void> {
  const other = ctx.kind.name === 'Listener' ? 'QuicListener' : ctx.kind.name === 'QuicListener' ? 'Listener' : undefined;
  if (!other || !ctx.api?.hasToken) return;
  const collection = other === 'Listener' ? 'listeners' : 'quic-listeners';
  try {
    await ctx.api.get(resourcePath(collection, id), { signal: ctx.signal });
  } catch {
    return;
  }
  throw new ProviderError(`${describeResource(labelOf(ctx, id))}: ${id} is a ${other}, not a ${ctx.kind.name}: import it as gatehouse:index:${other}`);
}

/** deleteResource deletes the resource; one that is already gone counts as deleted. */
export async function deleteResource(ctx: OperationContext, id: string): Promise<void> {
  const api = requireApi(ctx, 'delete', labelOf(ctx, id));
  try {
    await api.delete(resourcePath(ctx.kind.collection, id), { signal: ctx.signal });
  } catch (err) {
    if (err instanceof GatehouseError && err.code === 'NOT_FOUND') {
      void ctx.log.log('debug', `${describeResource(labelOf(ctx, id))} was already deleted`, ctx.urn);
      return;
    }
    throw explainError(labelOf(ctx, id), 'delete', err);
  }
}

function pathExists(map: PropertyMap, path: string): boolean {
  // Secret paths are recorded as written by formatPath; a top-level key is the common case.
  if (Object.hasOwn(map, path)) return true;
  let cur: Value | undefined = map;
  for (const seg of path.match(/[^.[\]"]+/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, Value>)[seg];
    if (cur === undefined) return false;
  }
  return true;
}

/**
 * waitUntilReady polls a listener until it is Running (Failed → ResourceInitError with the
 * statusReason; a QuicListener Unavailable → warning); other kinds are ready when written.
 */
async function waitUntilReady(
  ctx: OperationContext,
  id: string,
  first: Record<string, unknown>,
  timeoutS: number,
  inputs: PropertyMap,
  inputSecretPaths: readonly string[],
): Promise<Record<string, unknown>> {
  if (!transportOf(ctx.kind.name)) return first;
  const label = labelOf(ctx, id);
  const api = requireApi(ctx, 'wait for', label);
  const deadline = Date.now() + (timeoutS > 0 ? timeoutS : DEFAULT_READY_TIMEOUT_S) * 1000;
  const initFailure = (live: Record<string, unknown>, message: string, reasons: string[]): ResourceInitError => {
    const outputs = withWriteOnly(ctx, live, inputs);
    return new ResourceInitError(message, id, outputs, outputSecretPaths(ctx, inputSecretPaths, outputs), reasons);
  };
  let live = first;
  let delay = READY_POLL_FIRST_MS;
  for (;;) {
    const status = live.status;
    const reason = typeof live.statusReason === 'string' ? live.statusReason : '';
    if (status === 'Running') return live;
    if (status === 'Failed') {
      throw initFailure(live, `${describeResource(label)} is Failed: ${reason || 'the engine could not apply it'}`, [reason || 'Failed']);
    }
    if (status === 'Unavailable') {
      await ctx.log.log('warning', `${describeResource(label)} is Unavailable: ${reason || 'this runtime cannot serve it'}; its configuration is stored and the HTTPS listener keeps serving HTTP/1.1 and HTTP/2`, ctx.urn);
      return live;
    }
    if (Date.now() >= deadline) {
      throw initFailure(live, `${describeResource(label)} is still ${String(status)} after ${Math.round(timeoutS > 0 ? timeoutS : DEFAULT_READY_TIMEOUT_S)} s`, [`still ${String(status)}`]);
    }
    try {
      await sleep(delay, undefined, { signal: ctx.signal });
      live = (await api.get(resourcePath(ctx.kind.collection, id), { signal: ctx.signal })).body;
    } catch (err) {
      if (ctx.signal.aborted) throw initFailure(live, `${describeResource(label)}: cancelled while waiting for Running (last status ${String(status)})`, ['cancelled']);
      throw explainError(label, 'wait for Running', err);
    }
    delay = Math.min(delay * 2, READY_POLL_MAX_MS);
  }
}
