/**
 * What a node with several engine workers reports for one snapshot: each worker applies it and
 * answers with its own ApplyResult, and the node's answer is their merge. A listener is
 * `Running` only when every live worker runs it; `Failed`, with the first failing worker's
 * reason (and the failing workers named when not all failed), when any could not apply it; `Unavailable` when some worker's runtime cannot serve
 * it and none failed. The version a listener runs is the lowest any worker runs (a worker that
 * failed the new version keeps the old one), so the node never reports more than every worker
 * serves. QUIC listeners are served by one worker (SPEC 2.2): the others leave them out of their
 * answers, and a QUIC listener's state is that worker's.
 */
import type { ApplyResult, ListenerState } from '../../engine/types.ts';

/** WorkerResult is one worker's answer to a snapshot. */
export interface WorkerResult {
  /** The worker, as the supervisor names it (its slot number). */
  readonly worker: number;
  readonly result: ApplyResult;
}

/** mergeApplyResults merges the answers of every live worker to one snapshot version (at least one). */
export function mergeApplyResults(answers: readonly WorkerResult[]): ApplyResult {
  const [first] = answers;
  if (!first) throw new Error('no worker answered: there is nothing to merge');
  const version = first.result.version;
  const other = answers.find((a) => a.result.version !== version);
  if (other) throw new Error(`worker ${other.worker} answered for snapshot version ${other.result.version}, not ${version}`);
  const byId = new Map<string, { state: ListenerState; seen: number; failedOn: number[]; unavailableOn: number[] }>();
  for (const { worker, result } of answers) {
    for (const state of result.listeners) {
      const entry = byId.get(state.id) ?? { state: { ...state }, seen: 0, failedOn: [], unavailableOn: [] };
      if (entry.seen === 0) byId.set(state.id, entry);
      entry.seen++;
      if (state.status === 'Failed') {
        // The first failing worker's reason stands for the listener.
        if (entry.failedOn.length === 0) entry.state = { ...entry.state, status: 'Failed', statusReason: state.statusReason };
        entry.failedOn.push(worker);
      } else if (state.status === 'Unavailable') {
        if (entry.failedOn.length === 0 && entry.unavailableOn.length === 0) entry.state = { ...entry.state, status: 'Unavailable', statusReason: state.statusReason };
        entry.unavailableOn.push(worker);
      }
      entry.state.version = Math.min(entry.state.version, state.version);
    }
  }
  const listeners: ListenerState[] = [];
  for (const entry of byId.values()) {
    const { state, seen, failedOn } = entry;
    if (failedOn.length > 0 && failedOn.length < answers.length) {
      // Failed on some workers only: name them. Failed on all, the reason is the listener's own
      // (what a dry run reports too), whatever the number of workers.
      const where = `worker${failedOn.length > 1 ? 's' : ''} ${failedOn.join(', ')} of ${answers.length}`;
      state.statusReason = `${state.statusReason ?? 'could not be applied'} (on ${where})`;
    } else if (seen < answers.length && state.status === 'Running' && state.kind !== 'QuicListener') {
      // A worker that left a listener of the snapshot out does not serve it (QUIC listeners
      // excepted: one worker serves them, the others leave them out, SPEC 2.2).
      state.status = 'Failed';
      state.statusReason = `not applied by ${answers.length - seen} of ${answers.length} workers`;
    }
    listeners.push(state);
  }
  return { version, changed: answers.some((a) => a.result.changed), listeners };
}
