/**
 * The node's answer to a snapshot from its workers' answers (server/workers/merge-results.ts):
 * Running only where every worker runs the listener, Failed with the first failing worker's
 * reason and where it failed, Unavailable when no worker failed, the lowest version any worker
 * runs, `changed` when any worker changed.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyResult, ListenerState } from '../../../engine/types.ts';
import { mergeApplyResults } from '../../../server/workers/merge-results.ts';

const running = (id: string, version = 2): ListenerState => ({ id, kind: 'Listener', status: 'Running', version, port: 8443 });
const failed = (id: string, reason: string, version = 1): ListenerState => ({ id, kind: 'Listener', status: 'Failed', statusReason: reason, version });
const result = (listeners: ListenerState[], changed = true, version = 7): ApplyResult => ({ version, changed, listeners });

describe('merging the workers\' answers to one snapshot', () => {
  it('a listener every worker runs is Running, at the version they run', () => {
    const merged = mergeApplyResults([
      { worker: 1, result: result([running('lsn-a')]) },
      { worker: 2, result: result([running('lsn-a')], false) },
    ]);
    expect(merged).toEqual({ version: 7, changed: true, listeners: [running('lsn-a')] });
  });

  it('a listener one worker could not apply is Failed, with its reason and the worker named, at the lowest version', () => {
    const merged = mergeApplyResults([
      { worker: 1, result: result([running('lsn-a'), running('lsn-b')]) },
      { worker: 2, result: result([failed('lsn-a', 'port 8443 is already in use'), running('lsn-b')]) },
    ]);
    expect(merged.listeners).toEqual([
      { id: 'lsn-a', kind: 'Listener', status: 'Failed', statusReason: 'port 8443 is already in use (on worker 2 of 2)', version: 1, port: 8443 },
      running('lsn-b'),
    ]);
  });

  it('a listener failed on every worker keeps the first failing worker\'s reason as it is (what a dry run reports)', () => {
    const merged = mergeApplyResults([
      { worker: 1, result: result([failed('lsn-a', 'bad key')]) },
      { worker: 2, result: result([failed('lsn-a', 'other words')]) },
    ]);
    expect(merged.listeners[0]).toMatchObject({ status: 'Failed', statusReason: 'bad key' });
  });

  it('Unavailable when a runtime cannot serve it and none failed; Failed wins over Unavailable', () => {
    const quic = (status: 'Running' | 'Unavailable'): ListenerState => ({ id: 'lsn-q', kind: 'QuicListener', status, version: 1, ...(status === 'Unavailable' ? { statusReason: 'no QUIC' } : {}) });
    expect(mergeApplyResults([{ worker: 1, result: result([quic('Running')]) }, { worker: 2, result: result([quic('Unavailable')]) }]).listeners[0]).toMatchObject({ status: 'Unavailable', statusReason: 'no QUIC' });
    const mixed = mergeApplyResults([
      { worker: 1, result: result([quic('Unavailable')]) },
      { worker: 2, result: result([{ id: 'lsn-q', kind: 'QuicListener', status: 'Failed', statusReason: 'udp bind', version: 1 }]) },
    ]);
    expect(mixed.listeners[0]).toMatchObject({ status: 'Failed', statusReason: 'udp bind (on worker 2 of 2)' });
  });

  it('a listener a worker left out is not Running', () => {
    const merged = mergeApplyResults([{ worker: 1, result: result([running('lsn-a')]) }, { worker: 2, result: result([]) }]);
    expect(merged.listeners[0]).toMatchObject({ status: 'Failed', statusReason: 'not applied by 1 of 2 workers' });
  });

  it('one worker\'s answer is the node\'s, its reasons unchanged', () => {
    const merged = mergeApplyResults([{ worker: 1, result: result([failed('lsn-a', 'bad key')], false) }]);
    expect(merged).toEqual(result([failed('lsn-a', 'bad key')], false));
  });

  it('answers to different versions, or none, are refused', () => {
    expect(() => mergeApplyResults([{ worker: 1, result: result([], true, 7) }, { worker: 2, result: result([], true, 6) }])).toThrow(/worker 2 answered for snapshot version 6, not 7/);
    expect(() => mergeApplyResults([])).toThrow(/no worker answered/);
  });

  it('a QUIC listener only the QUIC worker reports is its state (SPEC 2.2: one worker serves QUIC listeners)', () => {
    const quic: ListenerState = { id: 'lsn-q', kind: 'QuicListener', status: 'Running', version: 2, port: 4433 };
    expect(mergeApplyResults([{ worker: 1, result: result([quic]) }, { worker: 2, result: result([]) }]).listeners).toEqual([quic]);
  });
});
