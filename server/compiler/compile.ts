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
  type EngineSnapshot,
  type HealthCheckConfig,
  type SnapshotCertificate,
  type SnapshotListener,
  type SnapshotLoadBalancer,
  type SnapshotProblem,
  type SnapshotQuicListener,
  type SnapshotServerGroup,
  type SnapshotTlsPolicy,
} from '../../schema/snapshot.ts';
import { SYSTEM_TLS_POLICIES, toOpenSslSettings } from '../../schema/tls-policies.ts';
import type { CertificateOutput } from '../../schema/resources/certificate.ts';
import { toForwardedHeadersConfig } from '../../schema/resources/forwarded-headers.ts';
import type { ListenerOutput } from '../../schema/resources/listener.ts';
import type { LoadBalancerOutput } from '../../schema/resources/load-balancer.ts';
import type { QuicListenerOutput } from '../../schema/resources/quic-listener.ts';
import type { ServerGroupOutput } from '../../schema/resources/server-group.ts';
import type { TlsSecurityPolicyOutput } from '../../schema/resources/tls-security-policy.ts';
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
    const b = row.body as unknown as CertificateOutput;
    const cert: { -readonly [K in keyof SnapshotCertificate]: SnapshotCertificate[K] } = {
      id: row.id,
      type: b.type,
      certificatePem: b.certificatePem,
      domains: b.domains,
    };
    if (row.secret !== null) cert.privateKeyPem = this.#store.secrets.open(row.secret, secretContext(row.id));
    return cert;
  }
}

/** secretContext is the additional data a resource's sealed secret is bound to. */
export function secretContext(id: string): string {
  return `resource:${id}`;
}

/*
 * Stored bodies are the outputs of a validated write (every default already applied by
 * `schema/`), so the compiler reads them through the output types instead of re-stating the
 * defaults: the write path validates at the edge, the compiler trusts the store.
 */

function compileLoadBalancer(row: ResourceRow): SnapshotLoadBalancer {
  const b = row.body as unknown as LoadBalancerOutput;
  return { id: row.id, address: b.address, edition: b.edition };
}

function compileListener(row: ResourceRow): SnapshotListener {
  const b = row.body as unknown as ListenerOutput;
  const listener: { -readonly [K in keyof SnapshotListener]: SnapshotListener[K] } = {
    id: row.id,
    version: row.version,
    loadBalancerId: b.loadBalancerId,
    protocol: b.protocol,
    port: b.port,
    defaultServerGroupId: b.defaultServerGroupId,
    idleTimeout: b.idleTimeout,
    requestTimeout: b.requestTimeout,
    compressionEnabled: b.compressionEnabled,
    underscoreHeadersEnabled: b.underscoreHeadersEnabled,
    forwardedHeaders: toForwardedHeadersConfig(b.forwardedHeaders),
  };
  if (b.protocol === 'HTTPS') {
    const certs = b.certificates!;
    const mtls = b.mutualAuthentication!;
    const quic = b.quic!;
    listener.tls = {
      http2Enabled: b.http2Enabled!,
      defaultCertificateId: certs.defaultCertificateId,
      additionalCertificateIds: certs.additionalCertificateIds,
      tlsPolicyId: b.tlsPolicyId!,
      mutualAuthentication: mtls.enabled ? { enabled: true, caCertificateId: mtls.caCertificateId! } : { enabled: false },
      quic: quic.upgradeEnabled ? { upgradeEnabled: true, quicListenerId: quic.quicListenerId! } : { upgradeEnabled: false },
    };
  }
  return listener;
}

function compileQuicListener(row: ResourceRow): SnapshotQuicListener {
  const b = row.body as unknown as QuicListenerOutput;
  return {
    id: row.id,
    version: row.version,
    loadBalancerId: b.loadBalancerId,
    port: b.port,
    defaultServerGroupId: b.defaultServerGroupId,
    idleTimeout: b.idleTimeout,
    requestTimeout: b.requestTimeout,
    defaultCertificateId: b.certificates.defaultCertificateId,
    additionalCertificateIds: b.certificates.additionalCertificateIds,
  };
}

function compileTlsPolicy(row: ResourceRow): SnapshotTlsPolicy {
  const b = row.body as unknown as TlsSecurityPolicyOutput;
  const policy = { tlsVersions: b.tlsVersions, ciphers: b.ciphers };
  return { id: row.id, ...policy, openssl: toOpenSslSettings(policy) };
}

function compileServerGroup(row: ResourceRow): SnapshotServerGroup {
  const b = row.body as unknown as ServerGroupOutput;
  const { host, ...check } = b.healthCheck;
  const healthCheck: HealthCheckConfig = host === undefined ? check : { ...check, host };
  const { cookie, ...sticky } = b.stickySession;
  return {
    id: row.id,
    version: row.version,
    protocol: b.protocol,
    scheduler: b.scheduler,
    servers: b.servers.map((s) => (s.description === undefined
      ? { address: s.address, port: s.port, weight: s.weight }
      : { address: s.address, port: s.port, weight: s.weight, description: s.description })),
    healthCheck,
    stickySession: cookie === undefined ? sticky : { ...sticky, cookie },
    connectionDrain: b.connectionDrain,
  };
}
