/**
 * The snapshot compiler: store rows → one deep-frozen EngineSnapshot with every default
 * resolved, secrets decrypted, and system TLS policies included. Compiled pieces are cached by
 * the identity of the decoded row body (the repository hands out the same frozen object while
 * the stored text is unchanged), so a change to one listener among a thousand recompiles one
 * listener, and the engine can compare unchanged pieces by reference.
 */
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import {
  consistent,
  deepFreeze,
  SNAPSHOT_FORMAT,
  type ClientCertHeaderConfig,
  type EngineSnapshot,
  type ForwardedHeadersConfig,
  type HealthCheckConfig,
  type SnapshotCertificate,
  type SnapshotListener,
  type SnapshotLoadBalancer,
  type SnapshotProblem,
  type SnapshotQuicListener,
  type SnapshotServerGroup,
  type SnapshotTlsPolicy,
} from '../../schema/snapshot.ts';
import { SYSTEM_TLS_POLICIES, toOpenSslSettings, type TlsVersion } from '../../schema/tls-policies.ts';
import type { ResourceRow } from '../store/resource-repo.ts';
import type { Store } from '../store/store.ts';

type Body = Readonly<Record<string, unknown>>;

/** CompileResult is a snapshot and what `consistent` found wrong with it (empty = runnable). */
export interface CompileResult {
  readonly snapshot: EngineSnapshot;
  readonly problems: readonly SnapshotProblem[];
}

/** SnapshotCompiler turns the store into snapshots; hold one per store to keep its cache. */
export class SnapshotCompiler {
  readonly #store: Store;
  readonly #cache = new Map<string, { body: Body; compiled: unknown }>();
  readonly #systemPolicies: readonly SnapshotTlsPolicy[] = SYSTEM_TLS_POLICIES.map((p) =>
    deepFreeze({ id: p.id, tlsVersions: [...p.tlsVersions], ciphers: [...p.ciphers], openssl: toOpenSslSettings(p) }),
  );

  constructor(store: Store) {
    this.#store = store;
  }

  /** compile reads the current committed state; call it outside any write transaction. */
  compile(): CompileResult {
    const seen = new Set<string>();
    const each = <T>(kind: ResourceKindName, build: (row: ResourceRow) => T): T[] =>
      this.#store.resources.all(kind).map((row) => {
        seen.add(row.id);
        return this.#cached(row, build);
      });
    const snapshot: EngineSnapshot = deepFreeze({
      format: SNAPSHOT_FORMAT,
      version: this.#store.revision(),
      loadBalancers: each('LoadBalancer', compileLoadBalancer),
      listeners: each('Listener', compileListener),
      quicListeners: each('QuicListener', compileQuicListener),
      certificates: each('Certificate', (row) => this.#compileCertificate(row)),
      tlsPolicies: [...this.#systemPolicies, ...each('TlsSecurityPolicy', compileTlsPolicy)],
      serverGroups: each('ServerGroup', compileServerGroup),
    });
    for (const id of this.#cache.keys()) if (!seen.has(id)) this.#cache.delete(id);
    return { snapshot, problems: consistent(snapshot) };
  }

  #cached<T>(row: ResourceRow, build: (row: ResourceRow) => T): T {
    const hit = this.#cache.get(row.id);
    if (hit !== undefined && hit.body === row.body) return hit.compiled as T;
    const compiled = deepFreeze(build(row));
    this.#cache.set(row.id, { body: row.body, compiled });
    return compiled;
  }

  #compileCertificate(row: ResourceRow): SnapshotCertificate {
    const b = row.body;
    const cert: { -readonly [K in keyof SnapshotCertificate]: SnapshotCertificate[K] } = {
      id: row.id,
      type: b.type === 'CA' ? 'CA' : 'Server',
      certificatePem: str(b.certificatePem),
      domains: strings(b.domains),
    };
    if (row.secret !== null) cert.privateKeyPem = this.#store.secrets.open(row.secret, secretContext(row.id));
    return cert;
  }
}

/** secretContext is the additional data a resource's sealed secret is bound to. */
export function secretContext(id: string): string {
  return `resource:${id}`;
}

function compileLoadBalancer(row: ResourceRow): SnapshotLoadBalancer {
  const b = row.body;
  const edition = b.edition === 'Basic' || b.edition === 'StandardWithWaf' ? b.edition : 'Standard';
  return { id: row.id, address: typeof b.address === 'string' ? b.address : '127.0.0.1', edition };
}

function compileListener(row: ResourceRow): SnapshotListener {
  const b = row.body;
  const protocol = b.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
  const listener: { -readonly [K in keyof SnapshotListener]: SnapshotListener[K] } = {
    id: row.id,
    version: row.version,
    loadBalancerId: str(b.loadBalancerId),
    protocol,
    port: num(b.port, 0),
    defaultServerGroupId: str(b.defaultServerGroupId),
    idleTimeout: num(b.idleTimeout, 15),
    requestTimeout: num(b.requestTimeout, 60),
    compressionEnabled: bool(b.compressionEnabled, true),
    forwardedHeaders: compileForwardedHeaders(obj(b.forwardedHeaders)),
  };
  if (protocol === 'HTTPS') {
    const certs = obj(b.certificates);
    const mtls = obj(b.mutualAuthentication);
    const quic = obj(b.quic);
    const mtlsEnabled = bool(mtls.enabled, false);
    const quicEnabled = bool(quic.upgradeEnabled, false);
    listener.tls = {
      http2Enabled: bool(b.http2Enabled, true),
      defaultCertificateId: str(certs.defaultCertificateId),
      additionalCertificateIds: strings(certs.additionalCertificateIds),
      tlsPolicyId: typeof b.tlsPolicyId === 'string' ? b.tlsPolicyId : 'tls_cipher_policy_1_2_strict_with_1_3',
      mutualAuthentication: mtlsEnabled ? { enabled: true, caCertificateId: str(mtls.caCertificateId) } : { enabled: false },
      quic: quicEnabled ? { upgradeEnabled: true, quicListenerId: str(quic.quicListenerId) } : { upgradeEnabled: false },
    };
  }
  return listener;
}

function compileForwardedHeaders(f: Body): ForwardedHeadersConfig {
  const xff = obj(f.xForwardedFor);
  const clientIp = obj(f.clientIp);
  return {
    xForwardedFor: { enabled: bool(xff.enabled, true), mode: xff.mode === 'remove' ? 'remove' : 'append' },
    clientIp: { enabled: bool(clientIp.enabled, false), trustedProxies: strings(clientIp.trustedProxies) },
    slbId: bool(f.slbId, false),
    proto: bool(f.proto, false),
    port: bool(f.port, false),
    host: bool(f.host, false),
    clientSrcPort: bool(f.clientSrcPort, false),
    clientCertSubjectDn: clientCertHeader(f.clientCertSubjectDn),
    clientCertIssuerDn: clientCertHeader(f.clientCertIssuerDn),
    clientCertFingerprint: clientCertHeader(f.clientCertFingerprint),
    clientCertClientVerify: clientCertHeader(f.clientCertClientVerify),
  };
}

function clientCertHeader(value: unknown): ClientCertHeaderConfig {
  const o = obj(value);
  const enabled = typeof value === 'boolean' ? value : bool(o.enabled, false);
  return typeof o.headerName === 'string' ? { enabled, headerName: o.headerName } : { enabled };
}

function compileQuicListener(row: ResourceRow): SnapshotQuicListener {
  const b = row.body;
  const certs = obj(b.certificates);
  return {
    id: row.id,
    version: row.version,
    loadBalancerId: str(b.loadBalancerId),
    port: num(b.port, 0),
    defaultServerGroupId: str(b.defaultServerGroupId),
    idleTimeout: num(b.idleTimeout, 15),
    requestTimeout: num(b.requestTimeout, 60),
    defaultCertificateId: str(certs.defaultCertificateId),
    additionalCertificateIds: strings(certs.additionalCertificateIds),
  };
}

function compileTlsPolicy(row: ResourceRow): SnapshotTlsPolicy {
  const tlsVersions = strings(row.body.tlsVersions) as TlsVersion[];
  const ciphers = strings(row.body.ciphers);
  return { id: row.id, tlsVersions, ciphers, openssl: toOpenSslSettings({ tlsVersions, ciphers }) };
}

function compileServerGroup(row: ResourceRow): SnapshotServerGroup {
  const b = row.body;
  const protocol = b.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
  const hc = obj(b.healthCheck);
  const sticky = obj(b.stickySession);
  const drain = obj(b.connectionDrain);
  const healthCheck: { -readonly [K in keyof HealthCheckConfig]: HealthCheckConfig[K] } = {
    enabled: bool(hc.enabled, true),
    protocol: hc.protocol === 'HTTP' || hc.protocol === 'HTTPS' || hc.protocol === 'TCP' ? hc.protocol : protocol,
    method: hc.method === 'GET' ? 'GET' : 'HEAD',
    path: typeof hc.path === 'string' ? hc.path : '/',
    httpVersion: hc.httpVersion === 'HTTP1.0' ? 'HTTP1.0' : 'HTTP1.1',
    port: num(hc.port, 0),
    interval: num(hc.interval, 2),
    timeout: num(hc.timeout, 5),
    healthyThreshold: num(hc.healthyThreshold, 3),
    unhealthyThreshold: num(hc.unhealthyThreshold, 3),
    codes: (Array.isArray(hc.codes) ? hc.codes : ['http_2xx', 'http_3xx']) as HealthCheckConfig['codes'],
  };
  if (typeof hc.host === 'string') healthCheck.host = hc.host;
  const servers = (Array.isArray(b.servers) ? b.servers : []).map((s: unknown) => {
    const o = obj(s);
    const server = { address: str(o.address), port: num(o.port, 0), weight: num(o.weight, 100) };
    return typeof o.description === 'string' ? { ...server, description: o.description } : server;
  });
  const stickyType = sticky.type === 'Server' ? 'Server' : 'Insert';
  return {
    id: row.id,
    version: row.version,
    protocol,
    scheduler: b.scheduler === 'Wlc' || b.scheduler === 'Sch' ? b.scheduler : 'Wrr',
    servers,
    healthCheck,
    stickySession:
      typeof sticky.cookie === 'string'
        ? { enabled: bool(sticky.enabled, false), type: stickyType, cookieTimeout: num(sticky.cookieTimeout, 1000), cookie: sticky.cookie }
        : { enabled: bool(sticky.enabled, false), type: stickyType, cookieTimeout: num(sticky.cookieTimeout, 1000) },
    connectionDrain: { enabled: bool(drain.enabled, false), timeout: num(drain.timeout, 300) },
  };
}

const EMPTY: Body = Object.freeze({});

function obj(value: unknown): Body {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : EMPTY;
}
function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
function num(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
