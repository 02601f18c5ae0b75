/**
 * Test support for a live server: a GatehouseServer with the real engine in this process on
 * an ephemeral port and a temp data directory (its store there, or in the api-postgres project a
 * PostgreSQL database), an HTTP client over real sockets, and small backends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { inject } from 'vitest';
import { GatehouseServer } from '../../../server/runtime/gatehouse-server.ts';
import { createDatabase } from '../../helpers/postgres-cluster.ts';

/** LIVE_MASTER_KEY is the master key of this test file's servers on PostgreSQL (a restart needs the same one). */
const LIVE_MASTER_KEY = randomBytes(32).toString('hex');

/** LiveReply is a response over a real socket. */
export interface LiveReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** LiveServer wraps a started GatehouseServer and its data directory. */
export class LiveServer {
  readonly server: GatehouseServer;
  readonly dataDir: string;
  /** The PostgreSQL database of the server (api-postgres project); undefined on SQLite. */
  readonly storeUrl: string | undefined;
  readonly #ownDir: boolean;

  private constructor(server: GatehouseServer, dataDir: string, ownDir: boolean, storeUrl: string | undefined) {
    this.server = server;
    this.dataDir = dataDir;
    this.#ownDir = ownDir;
    this.storeUrl = storeUrl;
  }

  /**
   * start runs a server on `dataDir` (a fresh folder by default). In the api-postgres test
   * project its store is a PostgreSQL database of the project's cluster: `storeUrl` (the one a
   * stopped server used, to start it again) or a fresh one.
   */
  static async start(dataDir?: string, storeUrl?: string): Promise<LiveServer> {
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-live-'));
    const cluster = inject('postgresUrl');
    const store = cluster === undefined ? undefined : (storeUrl ?? (await createDatabase(cluster)));
    const server = await GatehouseServer.start({
      dataDir: dir,
      store,
      host: '127.0.0.1',
      port: 0,
      env: store === undefined ? {} : { GATEHOUSE_MASTER_KEY: LIVE_MASTER_KEY },
      accessLog: () => {},
      log: () => {},
      drainTimeoutMs: 2000,
    });
    return new LiveServer(server, dir, dataDir === undefined, store);
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<LiveReply> {
    const res = await request(`${this.server.url}${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${this.server.adminToken.token}`,
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

  async create(collection: string, body: unknown): Promise<any> {
    const res = await this.call('POST', `/v1/${collection}`, body);
    if (res.status !== 201) throw new Error(`create ${collection}: ${res.status} ${res.text}`);
    return res.body;
  }

  /** stop closes the server but keeps the data directory (for restarts). */
  async stop(): Promise<void> {
    await this.server.close(500);
  }

  async close(): Promise<void> {
    await this.server.close(500);
    if (this.#ownDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Backend is a named HTTP server answering its name, optionally after a delay. */
export class Backend {
  readonly name: string;
  readonly server: Server;
  port = 0;
  delayMs = 0;

  constructor(name: string) {
    this.name = name;
    this.server = createServer((req, res) => {
      const send = () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(req.method === 'HEAD' ? undefined : this.name);
      };
      if (this.delayMs > 0 && req.method !== 'HEAD') setTimeout(send, this.delayMs);
      else send();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

/** get fetches http://127.0.0.1:port/path over a fresh connection. */
export async function httpGet(port: number, path = '/'): Promise<{ status: number; text: string }> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { reset: true, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, text: await res.body.text() };
}
