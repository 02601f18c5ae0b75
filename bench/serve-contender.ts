/**
 * `gatehouse serve` as a proxy contender, run the way a user runs it: the command itself
 * (cli/gatehouse.ts serve) as a child process with its defaults — the access log on, written to
 * its stdout, which is a file here (so the process really writes every line), and metrics on —
 * configured through the management API with a load balancer, the bench certificate, a server
 * group on the backend and an HTTPS listener (HTTP/2 on, the default policy). The number of
 * engine workers goes to the child as GATEHOUSE_WORKERS.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClientError } from '../client/client-error.ts';
import { ManagementClient, type HttpMethod } from '../client/management-client.ts';
import { GatehouseError } from '../schema/errors.ts';
import { cleanEnv, GATEHOUSE_CLI, type ApiAnswer } from '../test/helpers/gatehouse-serve.ts';
import { apiOk, waitForPort, waitRunning } from './bench-processes.ts';
import { descendants } from './process-cpu.ts';
import type { Running } from './proxy-contenders.ts';
import type { BenchPki } from './proxy-tools.ts';

/** BANNER is serve's start banner, complete once the engine line is printed. */
const BANNER = /listening on (http:\/\/\S+)\n(?:.*\n)*? {2}engine: .*\n/;
/** START_MS bounds the start: the banner, then the listener Running. */
const START_MS = 20_000;

/** ServeContenderOptions say how to run the contender. */
export interface ServeContenderOptions {
  /** GATEHOUSE_WORKERS for the child (the engine workers serve starts). */
  readonly workers: number;
  /** The file the child's stdout (banner and access log) goes to. */
  readonly stdoutFile: string;
  /** The file the child's stderr goes to. */
  readonly stderrFile: string;
  /** Profile the serve process and its workers: NODE_OPTIONS=--cpu-prof --cpu-prof-dir=DIR. */
  readonly profileDir?: string | undefined;
}

/** ServeRunning is a running contender, with where its access log goes and its management API. */
export interface ServeRunning extends Running {
  /** Bytes written to stdout so far (banner and access log). */
  stdoutBytes(): number;
  /** Where its management API listens, and its admin token (for routes that answer text: /metrics). */
  readonly endpoint: string;
  readonly token: string;
  /** A call to its management API (with its admin token), as apiOk and waitRunning take it. */
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
}

/** fileSize is a file's size, 0 when it is missing. */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** tail is the end of a file, for error messages. */
function tail(file: string, chars = 2000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

/**
 * startServeContender starts `gatehouse serve` (a fresh data directory, the API on an ephemeral
 * port, a given admin token), configures an HTTPS listener on `port` in front of the backend and
 * resolves once the listener is Running and accepts. stop() sends SIGTERM, then SIGKILL to the
 * process and every process below it after the grace (5 s; 30 s when profiling, so profiles are
 * written).
 */
export async function startServeContender(pki: BenchPki, port: number, backendPort: number, o: ServeContenderOptions): Promise<ServeRunning> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-bench-'));
  const token = randomBytes(24).toString('hex');
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), GATEHOUSE_WORKERS: String(o.workers) };
  if (o.profileDir !== undefined) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${o.profileDir}`;
  const out = openSync(o.stdoutFile, 'w');
  const err = openSync(o.stderrFile, 'w');
  const args = [GATEHOUSE_CLI, 'serve', '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--token', token];
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  let ended = false;
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      ended = true;
      resolve();
    }),
  );
  child.once('error', () => undefined);
  let client: ManagementClient | undefined;
  let endpoint = '';
  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    if (client === undefined) throw new Error('gatehouse serve: the API is not up yet');
    try {
      const res = await client.request<any>(method.toUpperCase() as HttpMethod, path, body);
      return { status: res.status, body: res.body };
    } catch (e) {
      if (e instanceof GatehouseError) return { status: e.status, body: e.toProblem() };
      if (e instanceof ApiClientError && e.answer) return { status: e.answer.status, body: e.answer.text };
      throw e;
    }
  };
  const grace = o.profileDir === undefined ? 5000 : 30_000;

  const stop = async (): Promise<void> => {
    await client?.close();
    const below = child.pid === undefined ? [] : descendants([child.pid]).filter((p) => p !== child.pid);
    if (!ended) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)))]);
      clearTimeout(timer);
      if (!ended) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    // Workers the process did not end (or could not, being killed) end here.
    for (const pid of below) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + START_MS;
    let banner: RegExpExecArray | null = null;
    while (!(banner = BANNER.exec(tail(o.stdoutFile, 100_000)))) {
      if (ended) throw new Error(`gatehouse serve ended before its banner:\n${tail(o.stdoutFile)}${tail(o.stderrFile)}`);
      if (Date.now() > deadline) throw new Error(`gatehouse serve: no banner within ${START_MS} ms:\n${tail(o.stdoutFile)}${tail(o.stderrFile)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    endpoint = banner[1]!;
    client = new ManagementClient({ endpoint, token });
    const ok = (method: string, path: string, body?: unknown) => apiOk({ api }, method, path, body);
    const lb = await ok('POST', '/v1/load-balancers', { name: 'serve-compare' });
    const cert = await ok('POST', '/v1/certificates', { name: 'serve-compare', certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
    const group = await ok('POST', '/v1/server-groups', { name: 'serve-compare', servers: [{ address: '127.0.0.1', port: backendPort }] });
    const listener = await ok('POST', '/v1/listeners', {
      loadBalancerId: lb.id,
      protocol: 'HTTPS',
      port,
      defaultServerGroupId: group.id,
      certificates: { defaultCertificateId: cert.id },
    });
    await waitRunning({ api }, [listener.id], Math.max(1000, deadline - Date.now()));
    await waitForPort(port, Math.max(1000, deadline - Date.now()));
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name: `gatehouse serve ×${o.workers}`,
    port,
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    stop,
    stdoutBytes: () => fileSize(o.stdoutFile),
    endpoint,
    token,
    api,
  };
}
