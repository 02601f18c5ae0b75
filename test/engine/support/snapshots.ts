/**
 * Snapshot builders for engine tests: complete EngineSnapshots with every default applied,
 * so each test states only what it is about — the configuration defaults as the snapshot
 * compiler applies them, whole snapshots (`buildSnapshot`) and the one-listener, one-group
 * snapshot most feature tests need (`buildSnapshotParts`).
 */
import { SNAPSHOT_FORMAT, deepFreeze, type EngineSnapshot, type ForwardedHeadersConfig, type HealthCheckConfig, type SnapshotCertificate, type SnapshotListener, type SnapshotServerGroup, type SnapshotTlsPolicy } from '../../../schema/snapshot.ts';
import { SYSTEM_TLS_POLICIES, toOpenSslSettings } from '../../../schema/tls-policies.ts';
import type { Issued } from '../../helpers/pki.ts';

export const LB_ID = 'alb-test0000000000000000';

const CERT_OFF = { enabled: false } as const;

/** DEFAULT_FORWARDED_HEADERS is SPEC 1.2.1 with its defaults. */
export const DEFAULT_FORWARDED_HEADERS: ForwardedHeadersConfig = {
  xForwardedFor: { enabled: true, mode: 'append' },
  clientIp: { enabled: false, trustedProxies: [] },
  slbId: false,
  proto: false,
  port: false,
  host: false,
  clientSrcPort: false,
  clientCertSubjectDn: CERT_OFF,
  clientCertIssuerDn: CERT_OFF,
  clientCertFingerprint: CERT_OFF,
  clientCertClientVerify: CERT_OFF,
};

const CERT_ON = { enabled: true } as const;

/** EVERY_ADDED_HEADER turns on each header SPEC 1.2.1 adds beside X-Forwarded-For, under its default name. */
export const EVERY_ADDED_HEADER: Partial<ForwardedHeadersConfig> = {
  slbId: true,
  proto: true,
  port: true,
  host: true,
  clientSrcPort: true,
  clientCertSubjectDn: CERT_ON,
  clientCertIssuerDn: CERT_ON,
  clientCertFingerprint: CERT_ON,
  clientCertClientVerify: CERT_ON,
};

/** DEFAULT_HEALTH_CHECK is SPEC 1.6's health-check defaults (enabled, as SPEC says). */
export const DEFAULT_HEALTH_CHECK: HealthCheckConfig = {
  enabled: true,
  protocol: 'HTTP',
  method: 'HEAD',
  path: '/',
  httpVersion: 'HTTP1.1',
  port: 0,
  interval: 2,
  timeout: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
  codes: ['http_2xx', 'http_3xx'],
};

/** forwardedConfig is SPEC 1.2.1's defaults with overrides. */
export function forwardedConfig(overrides: Partial<ForwardedHeadersConfig> = {}): ForwardedHeadersConfig {
  return { ...DEFAULT_FORWARDED_HEADERS, ...overrides };
}

/** healthConfig is SPEC 1.6's health-check defaults with overrides. */
export function healthConfig(overrides: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return { ...DEFAULT_HEALTH_CHECK, ...overrides };
}

/** SYSTEM_POLICIES are the five system policies as the snapshot carries them. */
export const SYSTEM_POLICIES: SnapshotTlsPolicy[] = SYSTEM_TLS_POLICIES.map((p) => ({
  id: p.id,
  tlsVersions: p.tlsVersions,
  ciphers: p.ciphers,
  openssl: toOpenSslSettings(p),
}));

/** httpListener is an HTTP listener with defaults; port 0 lets the system choose. */
export function httpListener(id: string, groupId: string, overrides: Partial<SnapshotListener> = {}): SnapshotListener {
  return {
    id,
    version: 1,
    loadBalancerId: LB_ID,
    protocol: 'HTTP',
    port: 0,
    defaultServerGroupId: groupId,
    idleTimeout: 15,
    requestTimeout: 60,
    compressionEnabled: true,
    underscoreHeadersEnabled: false,
    forwardedHeaders: DEFAULT_FORWARDED_HEADERS,
    ...overrides,
  };
}

/** TlsOverrides change the TLS side of an HTTPS listener. */
export interface TlsOverrides {
  http2Enabled?: boolean;
  additionalCertificateIds?: string[];
  tlsPolicyId?: string;
  mutualCaId?: string;
}

/** httpsListener is an HTTPS listener with defaults. */
export function httpsListener(id: string, groupId: string, certId: string, tls: TlsOverrides = {}, overrides: Partial<SnapshotListener> = {}): SnapshotListener {
  return {
    ...httpListener(id, groupId),
    protocol: 'HTTPS',
    tls: {
      http2Enabled: tls.http2Enabled ?? true,
      defaultCertificateId: certId,
      additionalCertificateIds: tls.additionalCertificateIds ?? [],
      tlsPolicyId: tls.tlsPolicyId ?? 'tls_cipher_policy_1_2_strict_with_1_3',
      mutualAuthentication: tls.mutualCaId ? { enabled: true, caCertificateId: tls.mutualCaId } : { enabled: false },
      quic: { upgradeEnabled: false },
    },
    ...overrides,
  };
}

/** serverGroup is an HTTP Wrr group over the given backends (weight 1 unless said). */
export function serverGroup(id: string, servers: { port: number; weight?: number; address?: string }[], overrides: Partial<SnapshotServerGroup> = {}): SnapshotServerGroup {
  return {
    id,
    version: 1,
    protocol: 'HTTP',
    scheduler: 'Wrr',
    servers: servers.map((s) => ({ address: s.address ?? '127.0.0.1', port: s.port, weight: s.weight ?? 1 })),
    // Off unless a test asks: probes would race the traffic a test is about.
    healthCheck: { ...DEFAULT_HEALTH_CHECK, enabled: false },
    stickySession: { enabled: false, type: 'Insert', cookieTimeout: 1000 },
    connectionDrain: { enabled: false, timeout: 300 },
    ...overrides,
  };
}

/** serverCertificate wraps an issued certificate as a snapshot Server certificate. */
export function serverCertificate(id: string, issued: Issued, domains: string[]): SnapshotCertificate {
  return { id, type: 'Server', certificatePem: issued.chainPem, privateKeyPem: issued.keyPem, domains };
}

/** caCertificate wraps an issued CA as a snapshot CA certificate. */
export function caCertificate(id: string, issued: Issued): SnapshotCertificate {
  return { id, type: 'CA', certificatePem: issued.certPem, domains: [] };
}

/** SnapshotParts are the tables a test fills; the load balancer and system policies are added. */
export interface SnapshotParts {
  version?: number;
  address?: string;
  listeners?: SnapshotListener[];
  certificates?: SnapshotCertificate[];
  serverGroups?: SnapshotServerGroup[];
  tlsPolicies?: SnapshotTlsPolicy[];
}

/** buildSnapshot assembles a frozen snapshot on one load balancer bound to 127.0.0.1. */
export function buildSnapshot(parts: SnapshotParts): EngineSnapshot {
  return deepFreeze({
    format: SNAPSHOT_FORMAT,
    version: parts.version ?? 1,
    loadBalancers: [{ id: LB_ID, address: parts.address ?? '127.0.0.1', edition: 'Standard' as const }],
    listeners: parts.listeners ?? [],
    quicListeners: [],
    certificates: parts.certificates ?? [],
    tlsPolicies: parts.tlsPolicies ?? SYSTEM_POLICIES,
    serverGroups: parts.serverGroups ?? [],
  });
}

/** PartsOptions choose the listener and group of buildSnapshotParts. */
export interface PartsOptions {
  /** Backend ports on 127.0.0.1 (weight 1), or full server entries. */
  backends: (number | { port: number; weight?: number; address?: string })[];
  /** Serve HTTPS with this certificate (HTTP/2 on unless `tls` says otherwise). */
  https?: Issued;
  tls?: TlsOverrides;
  listener?: Partial<SnapshotListener>;
  group?: Partial<SnapshotServerGroup>;
  groupProtocol?: 'HTTP' | 'HTTPS';
  health?: Partial<HealthCheckConfig>;
  version?: number;
}

/**
 * buildSnapshotParts returns the parts (for buildSnapshot / ProxyFixture.apply) of the snapshot
 * most feature tests need: one listener `lsn-1` (HTTP, or HTTPS with the given certificate) in
 * front of one server group `sgp-1`, with overrides for the fields a test is about.
 */
export function buildSnapshotParts(o: PartsOptions): SnapshotParts {
  const servers = o.backends.map((b) => (typeof b === 'number' ? { port: b } : b));
  const base = serverGroup('sgp-1', servers, { protocol: o.groupProtocol ?? 'HTTP', ...o.group });
  const group: SnapshotServerGroup = o.health ? { ...base, healthCheck: { ...base.healthCheck, enabled: true, ...o.health } } : base;
  const listener = o.https
    ? httpsListener('lsn-1', 'sgp-1', 'cert-1', o.tls ?? {}, o.listener ?? {})
    : httpListener('lsn-1', 'sgp-1', o.listener ?? {});
  return {
    version: o.version ?? 1,
    listeners: [listener],
    serverGroups: [group],
    certificates: o.https ? [serverCertificate('cert-1', o.https, ['a.example'])] : [],
  };
}
