/**
 * CPU time of processes from Linux's /proc, for benchmarks that report CPU per request or per
 * operation: a process's own time and its reaped children's, and the own time of a process
 * tree (nginx's master and its workers).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** TICK_MS is one clock tick of /proc/<pid>/stat: USER_HZ is 100 on Linux. */
export const TICK_MS = 10;

/** statFields are the fields of /proc/<pid>/stat from field 3 on, or undefined once the process is gone. */
function statFields(pid: number | 'self'): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** statTicks reads utime, stime, cutime, cstime of /proc/<pid>/stat (fields 14–17), or undefined once the process is gone. */
export function statTicks(pid: number | 'self'): { own: number; children: number } | undefined {
  const f = statFields(pid);
  return f && { own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

/** statSplitTicks reads a process's own user and system time (utime, stime), or undefined once it is gone. */
export function statSplitTicks(pid: number): { user: number; system: number } | undefined {
  const f = statFields(pid);
  return f && { user: Number(f[11]), system: Number(f[12]) };
}

/** treeCpuMs is the own CPU time, ms, of `pids` and every process below them (threads included, as /proc counts them). */
export function treeCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of descendants(pids)) ticks += statTicks(pid)?.own ?? 0;
  return ticks * TICK_MS;
}

/**
 * processTreeCpuMs is the CPU time, ms, of `pids` and every process below them: each one's own
 * time (all its threads) plus that of its children already reaped, so a worker that ends between
 * two readings still counts (in its parent).
 */
export function processTreeCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of descendants(pids)) {
    const t = statTicks(pid);
    if (t) ticks += t.own + t.children;
  }
  return ticks * TICK_MS;
}

/** descendants lists pid and every process below it, children forked by any of their threads included. */
export function descendants(pids: readonly number[]): number[] {
  const seen = new Set<number>();
  const queue = [...pids];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        queue.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return [...seen];
}
