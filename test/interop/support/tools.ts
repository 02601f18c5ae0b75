/**
 * External tools for interop tests: a missing tool fails the test (never skips it), and every
 * run is bounded in time.
 */
import { spawn, spawnSync } from 'node:child_process';

/** requireTool throws (failing the test) when a command is not installed. */
export function requireTool(command: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${command} is not installed; the interop tests need it (see .ci/run)`);
}

/** ToolRun is a finished external command. */
export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runTool runs a command (in `cwd`, with `env` when given) with optional stdin (written, then closed after `closeAfterMs`), killing it at the deadline (default 30 s). */
export function runTool(
  command: string,
  args: readonly string[],
  options: { input?: string; closeAfterMs?: number; timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.env ? { env: options.env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.write(options.input);
    const closeStdin = () => child.stdin.end();
    if (options.closeAfterMs) setTimeout(closeStdin, options.closeAfterMs);
    else closeStdin();
  });
}
