/**
 * When a dead worker is started again: at once after a run of a while; after a doubling pause
 * (250 ms, 500 ms, … up to 30 s) while it keeps dying soon after each start; reported as crash
 * looping from its third quick death; a start that lives 10 s ends the streak.
 */
import { describe, expect, it } from 'vitest';
import { CRASH_LOOP_AFTER, FIRST_BACKOFF_MS, MAX_BACKOFF_MS, RestartBackoff, STABLE_AFTER_MS } from '../../../server/workers/restart-backoff.ts';

describe('RestartBackoff', () => {
  it('restarts a worker that ran a while at once, every time', () => {
    const b = new RestartBackoff();
    for (let i = 0; i < 5; i++) expect(b.died(STABLE_AFTER_MS + 1)).toBe(0);
    expect(b.crashLooping).toBe(false);
  });

  it('doubles the pause while the worker keeps dying soon after its start, up to the ceiling', () => {
    const b = new RestartBackoff();
    const pauses = Array.from({ length: 12 }, () => b.died(100));
    expect(pauses.slice(0, 5)).toEqual([0, FIRST_BACKOFF_MS, FIRST_BACKOFF_MS * 2, FIRST_BACKOFF_MS * 4, FIRST_BACKOFF_MS * 8]);
    expect(Math.max(...pauses)).toBe(MAX_BACKOFF_MS);
    expect(pauses.at(-1)).toBe(MAX_BACKOFF_MS);
  });

  it('reports crash looping from the third quick death, and a stable run ends the streak', () => {
    const b = new RestartBackoff();
    for (let i = 1; i < CRASH_LOOP_AFTER; i++) {
      b.died(10);
      expect(b.crashLooping).toBe(false);
    }
    b.died(10);
    expect(b.crashLooping).toBe(true);
    expect(b.died(STABLE_AFTER_MS)).toBe(0);
    expect(b.crashLooping).toBe(false);
    expect(b.quickDeaths).toBe(1);
  });
});
