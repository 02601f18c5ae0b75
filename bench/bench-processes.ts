/**
 * What the front-door benchmarks share: finding Debian's nginx, waiting for a port to accept,
 * configuring `gatehouse serve` through its API until its listeners run, and writing a
 * benchmark's section into bench/RESULTS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import type { GatehouseServe } from '../test/helpers/gatehouse-serve.ts';

/** nginxBinary finds Debian's nginx (installing it when missing and running as root). */
export function nginxBinary(): string {
  for (const c of ['nginx', '/usr/sbin/nginx']) if (spawnSync(c, ['-v'], { stdio: 'ignore' }).status === 0) return c;
  if (process.getuid?.() !== 0) throw new Error('nginx is missing: apt-get install nginx');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'nginx'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return '/usr/sbin/nginx';
}

/** waitForPort resolves once something accepts TCP connections on 127.0.0.1:port. */
export function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} never opened`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * writeResultsSection puts `text` (which starts with `heading`) into bench/RESULTS.md in place
 * of the section under that heading, or at the end when there is none.
 */
export function writeResultsSection(heading: string, text: string): void {
  const file = join(import.meta.dirname, 'RESULTS.md');
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(heading);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${text}`;
  else {
    const after = current.indexOf('\n## ', start + heading.length);
    next = `${current.slice(0, start)}${text}${after === -1 ? '' : `\n${current.slice(after + 1)}`}`;
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
}

/** ApiCaller is what apiOk and waitRunning need of a server: GatehouseServe, or any process started another way with the same api(). */
export type ApiCaller = Pick<GatehouseServe, 'api'>;

/** apiOk makes a management API call that must succeed and returns its body; anything else throws with the answer. */
export async function apiOk(serve: ApiCaller, method: string, path: string, body?: unknown): Promise<any> {
  const r = await serve.api(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** waitRunning waits until every listener reads `Running`; `Failed`, or none within `timeoutMs`, throws. */
export async function waitRunning(serve: ApiCaller, listenerIds: readonly string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of listenerIds) {
    for (;;) {
      const now = await apiOk(serve, 'GET', `/v1/listeners/${id}`);
      if (now.status === 'Running') break;
      if (now.status === 'Failed' || Date.now() > deadline) throw new Error(`listener ${id}: ${now.status} ${now.statusReason ?? ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
