/**
 * Test support for the management API: an app over an in-memory (or temp-dir) store driven by
 * fastify inject (or listening on 127.0.0.1 for raw-socket tests), and builders for valid
 * resource bodies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppOptions } from '../../../server/app.ts';
import type { RuntimeView } from '../../../server/service/runtime-view.ts';
import { Store } from '../../../server/store/store.ts';
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

/** TestApi is an app, its store, and a `call` helper; close() releases both. */
export class TestApi {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dataDir: string | undefined;

  private constructor(app: FastifyInstance, store: Store, dataDir: string | undefined) {
    this.app = app;
    this.store = store;
    this.dataDir = dataDir;
  }

  static async open(
    options: { onDisk?: boolean; runtime?: RuntimeView; now?: () => Date } & Pick<AppOptions, 'timeouts' | 'onRoute'> = {},
  ): Promise<TestApi> {
    const dataDir = options.onDisk ? mkdtempSync(join(tmpdir(), 'gatehouse-api-')) : undefined;
    const store = Store.open(dataDir ? { dataDir, env: {} } : { env: {} });
    const app = await buildApp({
      store,
      token: TEST_TOKEN,
      ...(options.runtime ? { runtime: options.runtime } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.onRoute ? { onRoute: options.onRoute } : {}),
    });
    return new TestApi(app, store, dataDir);
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
  eventCount(): number {
    return this.store.events.read({ limit: 1_000_000 }).length;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.store.close();
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
