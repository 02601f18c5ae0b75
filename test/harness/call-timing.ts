/**
 * busyTime: the wall-clock time during which at least one plugin call was in flight. The engine
 * runs resources in parallel, so plugin calls overlap and the sum of their durations can be many
 * times the operation's length; the union of their intervals is the time the operation spent
 * waiting on providers, and it never exceeds the operation.
 */
import type { PluginCallRecord } from './plugin-host.ts';

/** busyTime returns the length of the union of the calls' [start, start + ms] intervals. */
export function busyTime(calls: readonly Pick<PluginCallRecord, 'start' | 'ms'>[]): number {
  const spans = calls.map((c) => [c.start, c.start + c.ms] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [s, e] of spans) {
    if (s > to) {
      if (to > from) total += to - from;
      from = s;
      to = e;
    } else if (e > to) {
      to = e;
    }
  }
  if (to > from) total += to - from;
  return total;
}
