/**
 * ProviderFixture: a live `gatehouse serve` and a configured plugin, plus the steps a Pulumi
 * deployment takes for one resource (Check then Create, as the engine does), so tests read as
 * the engine's call sequences. useProviderFixture and useBasics give a test file one fixture
 * and the resources its tests hang on, set up before its tests and closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { PluginProcess, secret } from './plugin.ts';
import { freePort } from '../../helpers/free-port.ts';
export { freePort };

type Json = Record<string, unknown>;

/** T maps short names to type tokens. */
export const T = {
  LoadBalancer: 'gatehouse:index:LoadBalancer',
  Listener: 'gatehouse:index:Listener',
  QuicListener: 'gatehouse:index:QuicListener',
  Certificate: 'gatehouse:index:Certificate',
  TlsSecurityPolicy: 'gatehouse:index:TlsSecurityPolicy',
  ServerGroup: 'gatehouse:index:ServerGroup',
} as const;

/** Deployed is a resource as the engine keeps it in state. */
export interface Deployed {
  type: string;
  name: string;
  id: string;
  inputs: Json;
  outputs: Json;
}

/** Basics are a load balancer and a server group to hang listeners on. */
export interface Basics {
  lb: Deployed;
  group: Deployed;
}

/** BasicsWithCertificate are the basics plus the `site` Certificate that HTTPS listeners name. */
export interface BasicsWithCertificate extends Basics {
  cert: Deployed;
}

/** listenerInputs are a listener's inputs on the basics' load balancer and server group: its protocol and port, then the fields given. */
export function listenerInputs(base: Basics, protocol: 'HTTP' | 'HTTPS', port: number, more: Json = {}): Json {
  return { loadBalancerId: base.lb.id, protocol, port, defaultServerGroupId: base.group.id, ...more };
}

/** httpsListenerInputs are listenerInputs of an HTTPS listener serving the basics' `site` certificate. */
export function httpsListenerInputs(base: BasicsWithCertificate, port: number, more: Json = {}): Json {
  return listenerInputs(base, 'HTTPS', port, { certificates: { defaultCertificateId: base.cert.id }, ...more });
}

/** ProviderFixture owns a server and a plugin configured against it, from open() (or start()) to close(). */
export class ProviderFixture {
  #server: GatehouseServe | undefined;
  #plugin: PluginProcess | undefined;
  #cert: Issued | undefined;

  /** start makes a fixture and opens it. */
  static async start(): Promise<ProviderFixture> {
    const fx = new ProviderFixture();
    await fx.open();
    return fx;
  }

  /** open launches both and configures the plugin by Configure arguments (token secret). */
  async open(): Promise<void> {
    const server = await GatehouseServe.startFresh();
    let plugin: PluginProcess | undefined;
    try {
      plugin = await PluginProcess.start();
      await plugin.handshake();
      await plugin.configure({ endpoint: server.url, token: secret(server.token) });
    } catch (err) {
      await plugin?.close();
      await server.close();
      throw err;
    }
    this.#server = server;
    this.#plugin = plugin;
  }

  /** server is the live `gatehouse serve`, once open. */
  get server(): GatehouseServe {
    if (!this.#server) throw new Error('ProviderFixture: not open');
    return this.#server;
  }

  /** plugin is the configured provider plugin, once open. */
  get plugin(): PluginProcess {
    if (!this.#plugin) throw new Error('ProviderFixture: not open');
    return this.#plugin;
  }

  /** deploy runs Check then Create for a new resource and fails on any check failure. */
  async deploy(type: string, name: string, news: Json): Promise<Deployed> {
    const checked = await this.plugin.check(type, name, {}, news);
    if (checked.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const created = await this.plugin.create(type, name, checked.inputs);
    return { type, name, id: created.id, inputs: checked.inputs, outputs: created.properties };
  }

  /** basics deploys a load balancer and a server group to hang listeners on. */
  async basics(prefix: string, lb: Json = {}): Promise<Basics> {
    const balancer = await this.deploy(T.LoadBalancer, `${prefix}-lb`, { name: `${prefix} lb`, ...lb });
    const group = await this.deploy(T.ServerGroup, `${prefix}-group`, { name: `${prefix} group`, servers: [{ address: '127.0.0.1', port: 9 }] });
    return { lb: balancer, group };
  }

  /** basicsWithCertificate is basics plus the `site` Certificate (serverCert, key as a secret) that HTTPS listeners name. */
  async basicsWithCertificate(prefix: string): Promise<BasicsWithCertificate> {
    const { lb, group } = await this.basics(prefix);
    const c = await this.serverCert();
    const cert = await this.deploy(T.Certificate, 'site', { name: 'site', certificatePem: c.chainPem, privateKeyPem: secret(c.keyPem) });
    return { lb, group, cert };
  }

  /** serverCert returns one EC server certificate for localhost, made once. */
  async serverCert(): Promise<Issued> {
    if (!this.#cert) {
      const ca = await createCa();
      this.#cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
    }
    return this.#cert;
  }

  /** close stops the plugin and the server; idempotent, and nothing to do if never opened. */
  async close(): Promise<void> {
    await this.#plugin?.close();
    await this.#server?.close();
  }
}

/** useProviderFixture gives the calling test file one fixture, opened before its tests and closed after them. */
export function useProviderFixture(): ProviderFixture {
  const fx = new ProviderFixture();
  beforeAll(() => fx.open());
  afterAll(() => fx.close());
  return fx;
}

/** useBasics deploys fx.basics(prefix) before the calling file's tests; the returned object holds them from then on. */
export function useBasics(fx: ProviderFixture, prefix: string): Basics {
  return deployedBeforeAll(() => fx.basics(prefix));
}

/** useBasicsWithCertificate is useBasics with the `site` Certificate (fx.basicsWithCertificate). */
export function useBasicsWithCertificate(fx: ProviderFixture, prefix: string): BasicsWithCertificate {
  return deployedBeforeAll(() => fx.basicsWithCertificate(prefix));
}

/** deployedBeforeAll runs deploy before the calling file's tests and fills the returned object with its result. */
function deployedBeforeAll<R extends object>(deploy: () => Promise<R>): R {
  const deployed = {} as R;
  beforeAll(async () => {
    Object.assign(deployed, await deploy());
  });
  return deployed;
}
