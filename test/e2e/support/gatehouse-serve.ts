/**
 * GatehouseServe: a real `gatehouse serve` child process as a user starts it — a temporary data
 * directory, the API on an ephemeral port, the admin token generated into a token file — with a
 * small API client for assertions made behind Pulumi's back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '../../harness/program-process.ts';

/** ROOT is the checkout. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** GATEHOUSE_CLI is the `gatehouse` command's entry file. */
export const GATEHOUSE_CLI = join(ROOT, 'cli', 'gatehouse.ts');
/** PLUGIN is the provider plugin executable the Pulumi engine launches. */
export const PLUGIN = join(ROOT, 'provider', 'pulumi-resource-gatehouse');

/** COLLECTIONS are the API collections a Pulumi program can fill. */
export const COLLECTIONS = ['load-balancers', 'listeners', 'quic-listeners', 'certificates', 'tls-policies', 'server-groups'] as const;

/** ApiAnswer is a management API response: status and parsed body. */
export interface ApiAnswer {
  status: number;
  body: any;
}

/** cleanEnv is this process's environment without settings that would redirect a child. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GATEHOUSE_') || k === 'NODE_OPTIONS') delete env[k];
  return env;
}

/** GatehouseServe owns one `gatehouse serve` process and its folder. */
export class GatehouseServe {
  readonly url: string;
  readonly token: string;
  readonly tokenFile: string;
  readonly dir: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #output: () => string;
  #closed = false;

  private constructor(o: { url: string; token: string; tokenFile: string; dir: string; child: ChildProcess; exited: Promise<void>; output: () => string }) {
    this.url = o.url;
    this.token = o.token;
    this.tokenFile = o.tokenFile;
    this.dir = o.dir;
    this.#child = o.child;
    this.#exited = o.exited;
    this.#output = o.output;
  }

  /** start runs `gatehouse serve --data-dir D --listen 127.0.0.1:0 --token-file F` and waits for its banner. */
  static async start(timeoutMs = 20_000): Promise<GatehouseServe> {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-serve-'));
    const dataDir = join(dir, 'data');
    const tokenFile = join(dir, 'admin-token');
    const child = spawn(nodeBinary(), [GATEHOUSE_CLI, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--token-file', tokenFile], {
      cwd: dir,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`gatehouse serve did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const poll = setInterval(() => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (m?.[1] && output.includes(tokenFile)) done(() => resolve(m[1]!));
        }, 20);
        const done = (f: () => void) => {
          clearTimeout(timer);
          clearInterval(poll);
          f();
        };
        child.once('close', (code) => done(() => reject(new Error(`gatehouse serve exited with ${code}:\n${output}`))));
      });
      const token = (await readFile(tokenFile, 'utf8')).trim();
      return new GatehouseServe({ url, token, tokenFile, dir, child, exited, output: () => output });
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** output is what the server printed so far (for failure messages). */
  get output(): string {
    return this.#output();
  }

  /** api calls the management API with the admin token. */
  async api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  }

  /** list returns every item of a collection (following nextToken); system TLS policies are left out. */
  async list(collection: (typeof COLLECTIONS)[number]): Promise<any[]> {
    const items: any[] = [];
    let next: string | undefined;
    do {
      const q = next === undefined ? '' : `&nextToken=${encodeURIComponent(next)}`;
      const r = await this.api('GET', `/v1/${collection}?limit=100${q}`);
      if (r.status !== 200) throw new Error(`GET /v1/${collection}: ${r.status} ${JSON.stringify(r.body)}`);
      items.push(...(r.body.items as any[]).filter((i) => i.system !== true));
      next = r.body.nextToken ?? undefined;
    } while (next);
    return items;
  }

  /** counts returns the number of user resources in each collection. */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const c of COLLECTIONS) out[c] = (await this.list(c)).length;
    return out;
  }

  /** events returns the audit log (every write the API accepted), oldest first. */
  async events(): Promise<any[]> {
    const r = await this.api('GET', '/v1/events?limit=1000');
    if (r.status !== 200) throw new Error(`GET /v1/events: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.items as any[];
  }

  /** close stops the server (SIGTERM, SIGKILL after 5 s) and removes its folder; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(killer);
    await rm(this.dir, { recursive: true, force: true });
  }
}
