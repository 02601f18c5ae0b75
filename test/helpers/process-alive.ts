/** processAlive: whether a process id names a running process (signal 0 tests without signalling). */

/** processAlive tells whether the process `pid` still runs. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
