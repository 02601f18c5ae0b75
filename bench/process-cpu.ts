/**
 * CPU time of processes from Linux's /proc, for benchmarks that report CPU per request or per
 * operation: a process's own time and its reaped children's, and the own time of a process
 * tree (nginx's master and its workers).
 */
import { readFileSync } from 'node:fs';
import { childrenOf } from './attack-targets.ts';

/** TICK_MS is one clock tick of /proc/<pid>/stat: USER_HZ is 100 on Linux. */
export const TICK_MS = 10;

/** statTicks reads utime, stime, cutime, cstime of /proc/<pid>/stat (fields 14–17), or undefined once the process is gone. */
export function statTicks(pid: number | 'self'): { own: number; children: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

/** statSplitTicks reads a process's own user and system time (utime, stime), or undefined once it is gone. */
export function statSplitTicks(pid: number): { user: number; system: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]), system: Number(f[12]) };
}

/** treeCpuMs is the own CPU time, ms, of `pids` and every process below them (threads included, as /proc counts them). */
export function treeCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  const seen = new Set<number>();
  const queue = [...pids];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += statTicks(pid)?.own ?? 0;
    queue.push(...childrenOf(pid));
  }
  return ticks * TICK_MS;
}
