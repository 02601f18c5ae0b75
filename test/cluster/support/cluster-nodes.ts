/**
 * Nodes of a Gatehouse cluster on one host, for the cluster tests: several `gatehouse serve`
 * processes on one PostgreSQL database, node N with its management API on 127.0.0.N and
 * `--bind-address 127.0.0.N`, so that each node's copy of a listener on a 0.0.0.0 load balancer
 * has an address of its own and a test can reach every node's engine separately. Every node
 * has its own data directory and is given the same admin token and master key, as an operator
 * gives them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../../helpers/free-port.ts';
import { cleanEnv, GATEHOUSE_CLI, GatehouseServe, type ServeExit, type ServeOptions } from '../../helpers/gatehouse-serve.ts';

/** Reply is a management API answer: status, headers and the parsed body (undefined when it is not JSON). */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** ClusterSecrets are what every node of one cluster is given alike. */
export interface ClusterSecrets {
  /** The admin token (--token). */
  readonly token: string;
  /** GATEHOUSE_MASTER_KEY: 64 hex digits. */
  readonly masterKey: string;
}

/** newSecrets makes a fresh admin token and master key. */
export function newSecrets(): ClusterSecrets {
  return { token: randomBytes(24).toString('hex'), masterKey: randomBytes(32).toString('hex') };
}

/** hostOf is node N's loopback address, 127.0.0.N. */
export function hostOf(index: number): string {
  return `127.0.0.${index}`;
}

/** API_TIMEOUT_MS bounds one management API call of a test (a write waits at most for the store's statement timeout). */
const API_TIMEOUT_MS = 20_000;

/**
 * call sends one management API request over a fresh connection and never repeats it, so a
 * test sees exactly what the node answered (a refused or broken connection rejects).
 */
export async function call(baseUrl: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await request(`${baseUrl}${path}`, {
    method: method as 'GET',
    reset: true,
    headersTimeout: API_TIMEOUT_MS,
    bodyTimeout: API_TIMEOUT_MS,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: parsed, text };
}

/** portFree tells whether `port` can be bound on `host` right now. */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, host, () => s.close(() => done(true)));
  });
}

/** freePortOn is a port free right now on 127.0.0.1 and on every one of `hosts`. */
export async function freePortOn(hosts: readonly string[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    let free = true;
    for (const h of hosts) free &&= await portFree(port, h);
    if (free) return port;
  }
}

/** NodeOptions say how to start one node. */
export interface NodeOptions {
  /** The database URL (--store). */
  readonly store: string;
  readonly secrets: ClusterSecrets;
  /** --workers (default 1). */
  readonly workers?: number;
}

/** ClusterNode is node N: its address, API port and data directory, kept across restarts. */
export class ClusterNode {
  readonly index: number;
  readonly name: string;
  readonly host: string;
  readonly apiPort: number;
  readonly dir: string;
  readonly #options: NodeOptions;
  #serve: GatehouseServe | undefined;
  /** Kills every process this node started, one still starting included. */
  readonly #stop = new AbortController();
  #starting: Promise<unknown> | undefined;

  private constructor(index: number, apiPort: number, dir: string, options: NodeOptions) {
    this.index = index;
    this.name = `node-${index}`;
    this.host = hostOf(index);
    this.apiPort = apiPort;
    this.dir = dir;
    this.#options = options;
  }

  /** prepare picks the API port and makes the data directory; start() runs the node. */
  static async prepare(index: number, options: NodeOptions): Promise<ClusterNode> {
    const port = await freePortOn([hostOf(index)]);
    const dir = await mkdtemp(join(tmpdir(), `gatehouse-node-${index}-`));
    return new ClusterNode(index, port, dir, options);
  }

  /** url is the node's management API. */
  get url(): string {
    return `http://${this.host}:${this.apiPort}`;
  }

  /** token is the admin token every node accepts. */
  get token(): string {
    return this.#options.secrets.token;
  }

  /** serve is the running process (the last one started). */
  get serve(): GatehouseServe {
    if (this.#serve === undefined) throw new Error(`${this.name} was never started`);
    return this.#serve;
  }

  /** running tells whether the last process started still runs. */
  get running(): boolean {
    const child = this.#serve?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** args are the node's `gatehouse serve` arguments, the same at every start. */
  args(): string[] {
    return [
      '--store', this.#options.store,
      '--token', this.#options.secrets.token,
      '--workers', String(this.#options.workers ?? 1),
      '--listen', `${this.host}:${this.apiPort}`,
      '--bind-address', this.host,
      '--node-name', this.name,
      '--data-dir', join(this.dir, 'data'),
    ];
  }

  /** start runs the node (again) and resolves once its banner is printed. */
  async start(extra: Pick<ServeOptions, 'onOutput' | 'timeoutMs'> & { env?: NodeJS.ProcessEnv } = {}): Promise<GatehouseServe> {
    if (this.#stop.signal.aborted) throw new Error(`${this.name} was disposed`);
    if (this.running || this.#starting !== undefined) throw new Error(`${this.name} already runs`);
    const starting = GatehouseServe.start({
      args: this.args(),
      env: { GATEHOUSE_MASTER_KEY: this.#options.secrets.masterKey, ...extra.env },
      cwd: this.dir,
      timeoutMs: extra.timeoutMs ?? 30_000,
      signal: this.#stop.signal,
      ...(extra.onOutput ? { onOutput: extra.onOutput } : {}),
    });
    this.#starting = starting;
    try {
      this.#serve = await starting;
    } finally {
      this.#starting = undefined;
    }
    return this.#serve;
  }

  /**
   * runToExit runs the node's `gatehouse serve` for a start that is meant to fail, and resolves
   * with how it ended and what it printed; a process still running after `timeoutMs` is killed.
   */
  runToExit(timeoutMs: number): Promise<ServeExit & { stdout: string; stderr: string; killed: boolean }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [GATEHOUSE_CLI, 'serve', ...this.args()], {
        cwd: this.dir,
        env: { ...cleanEnv(), GATEHOUSE_MASTER_KEY: this.#options.secrets.masterKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let killed = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, killed });
      });
    });
  }

  /** stop ends the node with SIGTERM (a clean stop, which says goodbye to the cluster) and waits for the process to be gone. */
  async stop(): Promise<void> {
    await this.#serve?.kill('SIGTERM');
  }

  /** kill ends the node with SIGKILL (no goodbye to the cluster) and waits for the process to be gone. */
  async kill(): Promise<void> {
    await this.#serve?.kill('SIGKILL');
  }

  /** dispose kills the node (a start under way too) and removes its data directory; idempotent. */
  async dispose(): Promise<void> {
    this.#stop.abort();
    await this.#starting?.catch(() => undefined);
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** call sends one management API request to this node, never repeated. */
  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return call(this.url, this.#options.secrets.token, method, path, body, headers);
  }

  /** create POSTs a resource and returns it, failing unless the node answers 201. */
  async create(collection: string, body: unknown): Promise<any> {
    const res = await this.call('POST', `/v1/${collection}`, body);
    if (res.status !== 201) throw new Error(`${this.name}: create ${collection}: ${res.status} ${res.text}`);
    return res.body;
  }

  /** read GETs a resource, failing unless the node answers 200. */
  async read(collection: string, id: string): Promise<any> {
    const res = await this.call('GET', `/v1/${collection}/${id}`);
    if (res.status !== 200) throw new Error(`${this.name}: read ${collection}/${id}: ${res.status} ${res.text}`);
    return res.body;
  }

  /** list returns every item of a collection as this node reads it (following nextToken). */
  async list(collection: string): Promise<any[]> {
    const items: any[] = [];
    let next: string | undefined;
    do {
      const res = await this.call('GET', `/v1/${collection}?limit=100${next === undefined ? '' : `&nextToken=${encodeURIComponent(next)}`}`);
      if (res.status !== 200) throw new Error(`${this.name}: list ${collection}: ${res.status} ${res.text}`);
      items.push(...(res.body.items as any[]));
      next = res.body.nextToken ?? undefined;
    } while (next !== undefined);
    return items;
  }

  /** cluster is `GET /v1/healthz`'s `cluster` as this node reports it. */
  async cluster(): Promise<any> {
    const res = await this.call('GET', '/v1/healthz');
    if (res.status !== 200) throw new Error(`${this.name}: healthz: ${res.status} ${res.text}`);
    return res.body.cluster;
  }
}

/** Nodes are the nodes of one scenario on one fresh database. */
export class Nodes {
  readonly all: readonly ClusterNode[];
  readonly secrets: ClusterSecrets;
  readonly store: string;

  private constructor(all: ClusterNode[], secrets: ClusterSecrets, store: string) {
    this.all = all;
    this.secrets = secrets;
    this.store = store;
  }

  /** prepare makes nodes `indices` (default 2, 3, 4) on `store` without starting them. */
  static async prepare(store: string, o: { indices?: readonly number[]; workers?: number; secrets?: ClusterSecrets } = {}): Promise<Nodes> {
    const secrets = o.secrets ?? newSecrets();
    const all: ClusterNode[] = [];
    for (const i of o.indices ?? [2, 3, 4]) all.push(await ClusterNode.prepare(i, { store, secrets, ...(o.workers === undefined ? {} : { workers: o.workers }) }));
    return new Nodes(all, secrets, store);
  }

  /** node is node N. */
  node(index: number): ClusterNode {
    const n = this.all.find((x) => x.index === index);
    if (n === undefined) throw new Error(`no node ${index}`);
    return n;
  }

  /** startAll starts every node, the first alone (it migrates the empty database), then the others together. */
  async startAll(): Promise<void> {
    const [first, ...rest] = this.all;
    await first?.start();
    await Promise.all(rest.map((n) => n.start()));
  }

  /** dispose kills every node and removes their folders. */
  async dispose(): Promise<void> {
    await Promise.all(this.all.map((n) => n.dispose()));
  }
}
