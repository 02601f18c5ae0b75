/**
 * EngineSnapshot: the plain-data configuration the forwarding engine runs. The server compiles
 * it from the store, deep-freezes it, checks it with `consistent`, and hands it to the engine
 * whole. Plain JSON-serialisable data (no classes, no Buffers) so that it can later be shipped
 * to worker processes or other nodes. References are by id, resolved through the top-level
 * tables, so a certificate shared by a thousand listeners is carried once.
 */
import type { OpenSslSettings, TlsVersion } from './tls-policies.ts';

/** SNAPSHOT_FORMAT is bumped whenever the shape below changes incompatibly. */
export const SNAPSHOT_FORMAT = 1;

/** EngineSnapshot is one complete, versioned configuration of the engine. */
export interface EngineSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  /** Monotonic per store: a higher version is a newer configuration. */
  readonly version: number;
  readonly loadBalancers: readonly SnapshotLoadBalancer[];
  readonly listeners: readonly SnapshotListener[];
  readonly quicListeners: readonly SnapshotQuicListener[];
  readonly certificates: readonly SnapshotCertificate[];
  readonly tlsPolicies: readonly SnapshotTlsPolicy[];
  readonly serverGroups: readonly SnapshotServerGroup[];
}

/** SnapshotLoadBalancer carries what listeners inherit: the bind address and the edition. */
export interface SnapshotLoadBalancer {
  readonly id: string;
  readonly address: string;
  readonly edition: 'Basic' | 'Standard' | 'StandardWithWaf';
}

/** SnapshotListener is one HTTP or HTTPS listener with every default applied. */
export interface SnapshotListener {
  readonly id: string;
  /** The resource version, so the engine can report which version it runs. */
  readonly version: number;
  readonly loadBalancerId: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly port: number;
  readonly defaultServerGroupId: string;
  readonly idleTimeout: number;
  readonly requestTimeout: number;
  readonly compressionEnabled: boolean;
  /** Forward request fields whose names contain `_` (SPEC 2.1); false drops them. */
  readonly underscoreHeadersEnabled: boolean;
  /** Present exactly when protocol is HTTPS. */
  readonly tls?: SnapshotListenerTls;
  readonly forwardedHeaders: ForwardedHeadersConfig;
}

/** SnapshotListenerTls is the TLS side of an HTTPS listener. */
export interface SnapshotListenerTls {
  readonly http2Enabled: boolean;
  readonly defaultCertificateId: string;
  readonly additionalCertificateIds: readonly string[];
  readonly tlsPolicyId: string;
  readonly mutualAuthentication: { readonly enabled: boolean; readonly caCertificateId?: string };
  readonly quic: { readonly upgradeEnabled: boolean; readonly quicListenerId?: string };
}

/** SnapshotQuicListener is an HTTP/3 listener; the engine reports it Unavailable without QUIC. */
export interface SnapshotQuicListener {
  readonly id: string;
  readonly version: number;
  readonly loadBalancerId: string;
  readonly port: number;
  readonly defaultServerGroupId: string;
  readonly idleTimeout: number;
  readonly requestTimeout: number;
  readonly defaultCertificateId: string;
  readonly additionalCertificateIds: readonly string[];
}

/** SnapshotCertificate is a certificate with its decrypted key (Server) or none (CA). */
export interface SnapshotCertificate {
  readonly id: string;
  readonly type: 'Server' | 'CA';
  /** Leaf first, then its chain. */
  readonly certificatePem: string;
  readonly privateKeyPem?: string;
  /** DNS SANs, else the CN: the names SNI selection matches (E1). */
  readonly domains: readonly string[];
}

/** SnapshotTlsPolicy is a system or custom policy with its OpenSSL settings precomputed. */
export interface SnapshotTlsPolicy {
  readonly id: string;
  readonly tlsVersions: readonly TlsVersion[];
  readonly ciphers: readonly string[];
  readonly openssl: OpenSslSettings;
}

/** ForwardedHeadersConfig is SPEC 1.2.1 with every default applied. */
export interface ForwardedHeadersConfig {
  readonly xForwardedFor: { readonly enabled: boolean; readonly mode: 'append' | 'remove' };
  readonly clientIp: { readonly enabled: boolean; readonly trustedProxies: readonly string[] };
  readonly slbId: boolean;
  readonly proto: boolean;
  readonly port: boolean;
  readonly host: boolean;
  readonly clientSrcPort: boolean;
  readonly clientCertSubjectDn: ClientCertHeaderConfig;
  readonly clientCertIssuerDn: ClientCertHeaderConfig;
  readonly clientCertFingerprint: ClientCertHeaderConfig;
  readonly clientCertClientVerify: ClientCertHeaderConfig;
}

/** ClientCertHeaderConfig turns one client-certificate header on, optionally renamed. */
export interface ClientCertHeaderConfig {
  readonly enabled: boolean;
  readonly headerName?: string;
}

/** SnapshotServerGroup is a server group with its health check and stickiness resolved. */
export interface SnapshotServerGroup {
  readonly id: string;
  readonly version: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly scheduler: 'Wrr' | 'Wlc' | 'Sch';
  readonly servers: readonly SnapshotServer[];
  readonly healthCheck: HealthCheckConfig;
  readonly stickySession: {
    readonly enabled: boolean;
    readonly type: 'Insert' | 'Server';
    readonly cookieTimeout: number;
    readonly cookie?: string;
  };
  readonly connectionDrain: { readonly enabled: boolean; readonly timeout: number };
}

/** SnapshotServer is one backend of a server group. */
export interface SnapshotServer {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly description?: string;
}

/** HealthCheckConfig is SPEC 1.6's healthCheck with every default applied. */
export interface HealthCheckConfig {
  readonly enabled: boolean;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP';
  readonly method: 'GET' | 'HEAD';
  readonly path: string;
  /** Absent = the server's address. */
  readonly host?: string;
  readonly httpVersion: 'HTTP1.0' | 'HTTP1.1';
  /** 0 = the server's port. */
  readonly port: number;
  readonly interval: number;
  readonly timeout: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly codes: readonly ('http_2xx' | 'http_3xx' | 'http_4xx' | 'http_5xx')[];
}

/** SnapshotProblem names one reference that does not resolve. */
export interface SnapshotProblem {
  readonly resourceId: string;
  readonly path: string;
  readonly message: string;
}

/**
 * consistent checks that every reference in a snapshot resolves to an object of the right kind
 * (certificate type, policy, group, load balancer) and that ids are unique; an empty list
 * means the engine may run it.
 */
export function consistent(snapshot: EngineSnapshot): SnapshotProblem[] {
  const problems: SnapshotProblem[] = [];
  const lbs = indexById(snapshot.loadBalancers, 'loadBalancers', problems);
  const certs = indexById(snapshot.certificates, 'certificates', problems);
  const policies = indexById(snapshot.tlsPolicies, 'tlsPolicies', problems);
  const groups = indexById(snapshot.serverGroups, 'serverGroups', problems);
  const quics = indexById(snapshot.quicListeners, 'quicListeners', problems);
  indexById(snapshot.listeners, 'listeners', problems);

  const need = (ok: boolean, resourceId: string, path: string, message: string) => {
    if (!ok) problems.push({ resourceId, path, message });
  };
  const needCert = (owner: string, path: string, id: string | undefined, type: 'Server' | 'CA') => {
    const cert = id === undefined ? undefined : certs.get(id);
    need(cert !== undefined, owner, path, `certificate ${id ?? '(none)'} is not in the snapshot`);
    if (cert) need(cert.type === type, owner, path, `certificate ${id} is a ${cert.type} certificate, not ${type}`);
    if (cert && type === 'Server') need(Boolean(cert.privateKeyPem), owner, path, `certificate ${id} has no private key`);
  };

  for (const l of snapshot.listeners) {
    need(lbs.has(l.loadBalancerId), l.id, 'loadBalancerId', `load balancer ${l.loadBalancerId} is not in the snapshot`);
    need(groups.has(l.defaultServerGroupId), l.id, 'defaultServerGroupId', `server group ${l.defaultServerGroupId} is not in the snapshot`);
    need((l.protocol === 'HTTPS') === (l.tls !== undefined), l.id, 'tls', 'TLS settings must be present exactly for HTTPS');
    if (!l.tls) continue;
    needCert(l.id, 'certificates.defaultCertificateId', l.tls.defaultCertificateId, 'Server');
    l.tls.additionalCertificateIds.forEach((id, i) => needCert(l.id, `certificates.additionalCertificateIds[${i}]`, id, 'Server'));
    need(policies.has(l.tls.tlsPolicyId), l.id, 'tlsPolicyId', `TLS policy ${l.tls.tlsPolicyId} is not in the snapshot`);
    if (l.tls.mutualAuthentication.enabled) {
      needCert(l.id, 'mutualAuthentication.caCertificateId', l.tls.mutualAuthentication.caCertificateId, 'CA');
    }
    if (l.tls.quic.upgradeEnabled) {
      const q = l.tls.quic.quicListenerId;
      need(q !== undefined && quics.has(q), l.id, 'quic.quicListenerId', `QUIC listener ${q ?? '(none)'} is not in the snapshot`);
    }
  }
  for (const q of snapshot.quicListeners) {
    need(lbs.has(q.loadBalancerId), q.id, 'loadBalancerId', `load balancer ${q.loadBalancerId} is not in the snapshot`);
    need(groups.has(q.defaultServerGroupId), q.id, 'defaultServerGroupId', `server group ${q.defaultServerGroupId} is not in the snapshot`);
    needCert(q.id, 'certificates.defaultCertificateId', q.defaultCertificateId, 'Server');
    q.additionalCertificateIds.forEach((id, i) => needCert(q.id, `certificates.additionalCertificateIds[${i}]`, id, 'Server'));
  }
  return problems;
}

function indexById<T extends { id: string }>(items: readonly T[], table: string, problems: SnapshotProblem[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) problems.push({ resourceId: item.id, path: table, message: `id ${item.id} appears twice in ${table}` });
    map.set(item.id, item);
  }
  return map;
}

/** deepFreeze freezes a plain-data value recursively and returns it, typed as read-only. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
