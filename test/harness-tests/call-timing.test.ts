/**
 * The provider's time in a run: summed call durations count overlapping calls each, so the
 * harness also reports providerWall, the union of the call intervals, which a report of "the
 * provider's share of the operation" can use (it never exceeds the operation).
 */
import { describe, expect, it } from 'vitest';
import { busyTime } from '../harness/call-timing.ts';
import { stackPerTest, type Spec } from './fake-stack.ts';

describe('busyTime: the union of call intervals', () => {
  it.each([
    ['no calls', [], 0],
    ['one call', [[5, 10]], 10],
    ['disjoint calls add up', [[0, 10], [20, 5]], 15],
    ['overlapping calls count once', [[0, 10], [5, 10], [8, 2]], 15],
    ['a call inside another adds nothing', [[0, 100], [10, 10], [50, 1]], 100],
    ['order does not matter', [[20, 5], [0, 10], [5, 10]], 20],
  ] as const)('%s', (_name, spans, expected) => {
    expect(busyTime(spans.map(([start, ms]) => ({ start, ms })))).toBe(expected);
  });
});

describe('durations of a run', () => {
  const newStack = stackPerTest();

  it('every call has a start on the run clock; providerWall is at most the summed time and the whole run', async () => {
    const stack = newStack();
    const spec: Spec = { things: Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, props: { size: i } })) };
    const before = performance.now();
    const r = await stack.run('up', spec);
    const after = performance.now();
    expect(r.error).toBeUndefined();
    expect(r.providerCalls.length).toBeGreaterThan(8);
    for (const c of r.providerCalls) {
      expect(c.start).toBeGreaterThanOrEqual(before);
      expect(c.start + c.ms).toBeLessThanOrEqual(after);
    }
    expect(r.durations.provider).toBeCloseTo(r.providerCalls.reduce((s, c) => s + c.ms, 0), 6);
    expect(r.durations.providerWall).toBe(busyTime(r.providerCalls));
    expect(r.durations.providerWall).toBeGreaterThan(0);
    expect(r.durations.providerWall).toBeLessThanOrEqual(r.durations.provider + 1e-6);
    expect(r.durations.providerWall).toBeLessThanOrEqual(r.durations.total);
  }, 120_000);
});
