/**
 * bench-snapshot: builds the EngineSnapshot the benchmarks run — N HTTPS listeners on
 * consecutive ports in front of one backend, with the defaults SPEC §1 gives a new listener.
 */
import { deepFreeze, SNAPSHOT_FORMAT, type EngineSnapshot, type ForwardedHeadersConfig, type SnapshotServerGroup } from '../schema/snapshot.ts';
import { systemPolicyById, toOpenSslSettings, DEFAULT_TLS_POLICY_ID } from '../schema/tls-policies.ts';

/** BenchSnapshotOptions choose the listeners' ports, the backend and the certificate. */
export interface BenchSnapshotOptions {
  port: number;
  /** How many listeners, on ports port, port+1, …; 1 by default. */
  listeners?: number;
  backendPort: number;
  certificatePem: string;
  privateKeyPem: string;
  version?: number;
  compressionEnabled?: boolean;
}

const OFF = { enabled: false } as const;

/** DEFAULT_FORWARDED_HEADERS are SPEC 1.2.1's defaults: X-Forwarded-For appended, nothing else. */
export const DEFAULT_FORWARDED_HEADERS: ForwardedHeadersConfig = {
  xForwardedFor: { enabled: true, mode: 'append' },
  clientIp: { enabled: false, trustedProxies: [] },
  slbId: false,
  proto: false,
  port: false,
  host: false,
  clientSrcPort: false,
  clientCertSubjectDn: OFF,
  clientCertIssuerDn: OFF,
  clientCertFingerprint: OFF,
  clientCertClientVerify: OFF,
};

/** benchSnapshot returns a deep-frozen snapshot of one load balancer on 127.0.0.1. */
export function benchSnapshot(o: BenchSnapshotOptions): EngineSnapshot {
  const policy = systemPolicyById(DEFAULT_TLS_POLICY_ID)!;
  const group: SnapshotServerGroup = {
    id: 'sgp-bench',
    version: 1,
    protocol: 'HTTP',
    scheduler: 'Wrr',
    servers: [{ address: '127.0.0.1', port: o.backendPort, weight: 100 }],
    healthCheck: {
      enabled: false, protocol: 'HTTP', method: 'HEAD', path: '/', httpVersion: 'HTTP1.1', port: 0,
      interval: 2, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 3, codes: ['http_2xx', 'http_3xx'],
    },
    stickySession: { enabled: false, type: 'Insert', cookieTimeout: 1000 },
    connectionDrain: { enabled: false, timeout: 300 },
  };
  const count = o.listeners ?? 1;
  const listeners = Array.from({ length: count }, (_, i) => ({
    id: `lsn-bench${String(i).padStart(15, '0')}`,
    version: 1,
    loadBalancerId: 'alb-bench',
    protocol: 'HTTPS' as const,
    port: o.port + i,
    defaultServerGroupId: group.id,
    idleTimeout: 15,
    requestTimeout: 60,
    compressionEnabled: o.compressionEnabled ?? false,
    tls: {
      http2Enabled: true,
      defaultCertificateId: 'cert-bench',
      additionalCertificateIds: [],
      tlsPolicyId: policy.id,
      mutualAuthentication: { enabled: false },
      quic: { upgradeEnabled: false },
    },
    forwardedHeaders: DEFAULT_FORWARDED_HEADERS,
  }));
  return deepFreeze({
    format: SNAPSHOT_FORMAT,
    version: o.version ?? 1,
    loadBalancers: [{ id: 'alb-bench', address: '127.0.0.1', edition: 'Standard' }],
    listeners,
    quicListeners: [],
    certificates: [{ id: 'cert-bench', type: 'Server', certificatePem: o.certificatePem, privateKeyPem: o.privateKeyPem, domains: ['bench.local'] }],
    tlsPolicies: [{ id: policy.id, tlsVersions: policy.tlsVersions, ciphers: policy.ciphers, openssl: toOpenSslSettings(policy) }],
    serverGroups: [group],
  });
}
