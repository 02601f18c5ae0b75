/**
 * Test support for the management API: an app over an in-memory (or temp-dir) store driven by
 * fastify inject (or listening on 127.0.0.1 for raw-socket tests), and builders for valid
 * resource bodies. In the `api-postgres` test project (vitest.config.ts) the same apps run on a
 * PostgreSQL store instead, one fresh database per app on the project's cluster: the API suite
 * runs once per store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp, type AppOptions } from '../../../server/app.ts';
import type { RuntimeView } from '../../../server/service/runtime-view.ts';
import type { ConfigStore } from '../../../server/store/config-store.ts';
import { PostgresStore } from '../../../server/store/postgres/postgres-store.ts';
import { Store } from '../../../server/store/store.ts';
import { createDatabase } from '../../helpers/postgres-cluster.ts';
import { TcpRelay } from '../../helpers/tcp-relay.ts';
import { issueCertificate, type Issued } from '../../helpers/pki.ts';

/** TEST_TOKEN is the admin token of test apps. */
export const TEST_TOKEN = 'test-admin-token-0123456789';

/** Reply is what a call returns: status, parsed JSON (or undefined), headers. */
export interface Reply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Call options: headers, raw payload, no auth. */
export interface CallOptions {
  headers?: Record<string, string>;
  token?: string | null;
  raw?: string | Buffer;
}

/** testStoreKind is the store this test project runs the API on. */
export function testStoreKind(): 'sqlite' | 'postgres' {
  return inject('postgresUrl') === undefined ? 'sqlite' : 'postgres';
}

/**
 * openTestStore opens the store an app of this test project runs on: SQLite (in memory, or in
 * `dataDir`), or a PostgresStore on a fresh database of the project's cluster.
 */
export async function openTestStore(dataDir?: string, relay?: boolean): Promise<{ store: ConfigStore; relay?: TcpRelay }> {
  const cluster = inject('postgresUrl');
  if (cluster === undefined) {
    if (relay) throw new Error('a store behind a relay needs the api-postgres project');
    return { store: Store.open(dataDir ? { dataDir, env: {} } : { env: {} }) };
  }
  const url = new URL(await createDatabase(cluster));
  const via = relay ? await TcpRelay.start(Number(url.port)) : undefined;
  if (via) url.port = String(via.port);
  const store = await PostgresStore.open({ url: url.toString(), masterKey: randomBytes(32), masterKeySource: 'test', log: () => undefined });
  return via ? { store, relay: via } : { store };
}

/** TestApi is an app, its store, and a `call` helper; close() releases both. */
export class TestApi {
  readonly app: FastifyInstance;
  /** The store of record. */
  readonly config: ConfigStore;
  /** Its synchronous view (the store itself with SQLite; the node's copy with PostgreSQL). */
  readonly store: Store;
  readonly dataDir: string | undefined;
  /** What stands between the app and its database when opened with `cuttable` (api-postgres only). */
  readonly relay: TcpRelay | undefined;

  private constructor(app: FastifyInstance, config: ConfigStore, dataDir: string | undefined, relay: TcpRelay | undefined) {
    this.app = app;
    this.config = config;
    this.store = config.local;
    this.dataDir = dataDir;
    this.relay = relay;
  }

  static async open(
    options: { onDisk?: boolean; cuttable?: boolean; runtime?: RuntimeView; now?: () => Date } & Pick<AppOptions, 'timeouts' | 'onRoute'> = {},
  ): Promise<TestApi> {
    const dataDir = options.onDisk ? mkdtempSync(join(tmpdir(), 'gatehouse-api-')) : undefined;
    const { store, relay } = await openTestStore(dataDir, options.cuttable);
    const app = await buildApp({
      store,
      token: TEST_TOKEN,
      ...(options.runtime ? { runtime: options.runtime } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.onRoute ? { onRoute: options.onRoute } : {}),
    });
    return new TestApi(app, store, dataDir, relay);
  }

  /** listen opens the app on an ephemeral port of 127.0.0.1 (real sockets) and returns the port. */
  async listen(): Promise<number> {
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    return (this.app.server.address() as AddressInfo).port;
  }

  async call(method: string, url: string, body?: unknown, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TEST_TOKEN}`;
    let payload: string | Buffer | undefined = options.raw;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const res = await this.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
    let parsed: unknown;
    try {
      parsed = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed, headers: res.headers as Reply['headers'], text: res.body };
  }

  /** create POSTs and asserts 201, returning the resource. */
  async create(collection: string, body: unknown): Promise<any> {
    const res = await this.call('POST', `/v1/${collection}`, body);
    if (res.status !== 201) throw new Error(`create ${collection}: ${res.status} ${res.text}`);
    return res.body;
  }

  /** eventCount is the number of audit events stored (side-effect detector). */
  async eventCount(): Promise<number> {
    return (await this.config.auditEvents({ limit: 1_000_000 })).length;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.config.close();
    await this.relay?.close();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Certificates shared by a test file: creating EC keys is cheap, but reuse keeps tests quick. */
export interface TestPki {
  server: Issued;
  other: Issued;
  ca: Issued;
}

/** makePki issues a server certificate, a second one, and a CA certificate. */
export async function makePki(): Promise<TestPki> {
  const [server, other, ca] = await Promise.all([
    issueCertificate({ commonName: 'www.example.com', dnsNames: ['www.example.com', 'example.com'] }),
    issueCertificate({ commonName: 'api.example.com', dnsNames: ['api.example.com'] }),
    issueCertificate({ commonName: 'Test Client CA', ca: true }),
  ]);
  return { server, other, ca };
}

/** World is a load balancer, a server group and a server certificate to hang listeners on. */
export interface BaseWorld {
  lb: any;
  sg: any;
  cert: any;
}

/** makeBaseWorld creates the resources most listener tests need. */
export async function makeBaseWorld(api: TestApi, pki: TestPki, edition = 'Standard'): Promise<BaseWorld> {
  const lb = await api.create('load-balancers', { name: 'lb-one', edition });
  const sg = await api.create('server-groups', { name: 'group-one', servers: [{ address: '127.0.0.1', port: 9 }] });
  const cert = await api.create('certificates', { name: 'www', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem });
  return { lb, sg, cert };
}

/** TestWorld is a test file's app and certificates, and the base world created through the app. */
export interface TestWorld extends BaseWorld {
  api: TestApi;
  pki: TestPki;
}

/**
 * useBaseWorld opens an app, issues the certificates and creates the base world before the
 * calling file's tests, and closes the app after them; the returned world is filled in by then.
 */
export function useBaseWorld(): TestWorld {
  const world = {} as TestWorld;
  beforeAll(async () => {
    const api = await TestApi.open();
    const pki = await makePki();
    Object.assign(world, { api, pki }, await makeBaseWorld(api, pki));
  });
  afterAll(async () => {
    await world.api?.close();
  });
  return world;
}

/** httpsListener is a valid HTTPS listener body on the base world. */
export function httpsListener(w: BaseWorld, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    loadBalancerId: w.lb.id,
    protocol: 'HTTPS',
    port,
    defaultServerGroupId: w.sg.id,
    certificates: { defaultCertificateId: w.cert.id },
    ...extra,
  };
}

/** httpListener is a valid HTTP listener body on the base world. */
export function httpListener(w: BaseWorld, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { loadBalancerId: w.lb.id, protocol: 'HTTP', port, defaultServerGroupId: w.sg.id, ...extra };
}
