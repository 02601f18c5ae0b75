/**
 * bench-snapshot: builds the EngineSnapshot the benchmarks run — N HTTPS listeners on
 * consecutive ports in front of one backend, with the defaults SPEC §1 gives a new listener.
 */
import { deepFreeze, SNAPSHOT_FORMAT, type EngineSnapshot, type ForwardedHeadersConfig, type SnapshotServerGroup } from '../schema/snapshot.ts';
import { forwardedHeadersSchema, toForwardedHeadersConfig } from '../schema/resources/forwarded-headers.ts';
import { serverGroupCreateSchema } from '../schema/resources/server-group.ts';
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

/** DEFAULT_FORWARDED_HEADERS are SPEC 1.2.1's defaults as the schema applies them (X-Forwarded-For appended). */
export const DEFAULT_FORWARDED_HEADERS: ForwardedHeadersConfig = toForwardedHeadersConfig(forwardedHeadersSchema.parse({}));

/** benchSnapshot returns a deep-frozen snapshot of one load balancer on 127.0.0.1. */
export function benchSnapshot(o: BenchSnapshotOptions): EngineSnapshot {
  const policy = systemPolicyById(DEFAULT_TLS_POLICY_ID)!;
  // The group as a create with health checks off would be stored: every other default from the schema.
  const parsed = serverGroupCreateSchema.parse({
    name: 'bench',
    servers: [{ address: '127.0.0.1', port: o.backendPort }],
    healthCheck: { enabled: false },
  });
  const { host: _host, ...healthCheck } = parsed.healthCheck;
  const { cookie: _cookie, ...stickySession } = parsed.stickySession;
  const group: SnapshotServerGroup = {
    id: 'sgp-bench',
    version: 1,
    protocol: parsed.protocol,
    scheduler: parsed.scheduler,
    servers: parsed.servers.map((s) => ({ address: s.address, port: s.port, weight: s.weight })),
    healthCheck,
    stickySession,
    connectionDrain: parsed.connectionDrain,
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
    underscoreHeadersEnabled: false,
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
