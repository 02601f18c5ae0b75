/**
 * Snapshots to a worker as deltas: an item carried over unchanged (the same object) travels as
 * its index in the last snapshot sent, and the worker puts its own copy of it back — so the
 * engine gets back the very objects it runs; the first snapshot goes whole; a delta against a
 * snapshot the worker does not hold is refused rather than guessed.
 */
import { serialize, deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DeltaDecoder, encodeDelta } from '../../../server/workers/snapshot-delta.ts';
import { buildSnapshot, httpListener, serverGroup } from '../../engine/support/snapshots.ts';

/** overIpc is what the worker receives: a structured clone, as the IPC channel makes it. */
function overIpc<T>(value: T): T {
  return deserialize(serialize(value)) as T;
}

const group = serverGroup('sgp-a', [{ port: 8080 }]);
const listeners = Array.from({ length: 50 }, (_, i) => httpListener(`lsn-${i}`, 'sgp-a', { port: 9000 + i }));
const first = buildSnapshot({ version: 1, listeners, serverGroups: [group] });

describe('snapshot deltas', () => {
  it('the first snapshot goes whole and decodes equal', () => {
    const delta = encodeDelta(first, undefined, null);
    expect(delta.base).toBeNull();
    expect(delta.listeners.every((l) => typeof l === 'object')).toBe(true);
    expect(new DeltaDecoder().decode(1, overIpc(delta))).toEqual(first);
  });

  it('unchanged items go as indexes, and the worker gets back the objects it holds', () => {
    const decoder = new DeltaDecoder();
    const held = decoder.decode(1, overIpc(encodeDelta(first, undefined, null)));
    const changed = httpListener('lsn-7', 'sgp-a', { port: 9007, idleTimeout: 30, version: 2 });
    const added = httpListener('lsn-new', 'sgp-a', { port: 9999 });
    const second = buildSnapshot({ version: 2, listeners: [...listeners.slice(0, 7), changed, ...listeners.slice(8), added], serverGroups: [group] });
    const delta = encodeDelta(second, first, 1);
    expect(delta.base).toBe(1);
    expect(delta.listeners.filter((l) => typeof l === 'object')).toEqual([changed, added]);
    expect(delta.serverGroups).toEqual([0]);
    expect(serialize(delta).length).toBeLessThan(serialize(second).length / 10);
    const decoded = decoder.decode(2, overIpc(delta));
    expect(decoded).toEqual(second);
    expect(decoded.listeners[0]).toBe(held.listeners[0]);
    expect(decoded.serverGroups[0]).toBe(held.serverGroups[0]);
    expect(decoded.listeners[7]).not.toBe(held.listeners[7]);
  });

  it('a delta against a snapshot the worker does not hold is refused', () => {
    const decoder = new DeltaDecoder();
    decoder.decode(1, overIpc(encodeDelta(first, undefined, null)));
    const second = buildSnapshot({ version: 2, listeners, serverGroups: [group] });
    expect(() => decoder.decode(3, overIpc(encodeDelta(second, first, 2)))).toThrow(/snapshot 2, which this worker does not hold \(it holds 1\)/);
    expect(() => new DeltaDecoder().decode(1, overIpc(encodeDelta(second, first, 1)))).toThrow(/does not hold \(it holds none\)/);
  });
});
