/**
 * Test support: `gatehouse serve` as a real child process, its stdout parsed for the API URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** GATEHOUSE_CLI is the command's entry file. */
export const GATEHOUSE_CLI = fileURLToPath(new URL('../../../cli/gatehouse.ts', import.meta.url));

/** ServeProcess is a running `gatehouse serve` child. */
export class ServeProcess {
  readonly child: ChildProcess;
  url = '';
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  }

  /**
   * start spawns `gatehouse <args>` and waits for the whole start banner, which ends with the
   * "master key:" line (or for the exit): the banner's lines may arrive in several chunks.
   */
  static async start(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string, timeoutMs = 20_000): Promise<ServeProcess> {
    const child = spawn(process.execPath, [GATEHOUSE_CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new ServeProcess(child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /listening on (http:\/\/\S+)[\s\S]*\n {2}master key: .*\n/.exec(p.stdout);
      if (m) {
        p.url = m[1]!;
        return p;
      }
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`gatehouse ${args.join(' ')} did not start:\n${p.stdout}\n${p.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** waitFor waits until stdout matches. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.stdout);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** kill sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
