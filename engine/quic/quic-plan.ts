/**
 * A QUIC listener prepared for serving (SPEC 1.3): its listener configuration for the request
 * pipeline, the internal servers its certificates need, and the route from a client's server
 * name to one of them. Pure: the runtime (quic-listener-runtime.ts) acts on it.
 */
import { createHash } from 'node:crypto';
import { SniTable } from '../../schema/wildcard.ts';
import type { EngineSnapshot, ForwardedHeadersConfig, SnapshotListener, SnapshotQuicListener } from '../../schema/snapshot.ts';
import { forwardedHeadersSchema, toForwardedHeadersConfig } from '../../schema/resources/forwarded-headers.ts';
import { ForwardedHeaders } from '../headers/forwarded-headers.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import type { ServerGroupRuntime } from '../upstream/server-group-runtime.ts';
import { MAX_CONCURRENT_STREAMS } from './h3-connection.ts';
import type { Backend, RouteFn } from './front/udp-front.ts';
import type { QuicServerSettings } from './quic-transport.ts';

const CERT_OFF = { enabled: false } as const;

/** withoutClientCertHeaders turns the client-certificate headers off: QUIC listeners ask for no client certificate. */
function withoutClientCertHeaders(fh: ForwardedHeadersConfig): ForwardedHeadersConfig {
  return { ...fh, clientCertSubjectDn: CERT_OFF, clientCertIssuerDn: CERT_OFF, clientCertFingerprint: CERT_OFF, clientCertClientVerify: CERT_OFF };
}

/**
 * QUIC_FORWARDED_HEADERS is what a QUIC listener no HTTPS listener upgrades to adds: the
 * schema's forwarded-header defaults, with X-Forwarded-Proto on (SPEC 1.3).
 */
const QUIC_FORWARDED_HEADERS: ForwardedHeadersConfig = withoutClientCertHeaders({ ...toForwardedHeadersConfig(forwardedHeadersSchema.parse({})), proto: true });

/** QuicPlan is one QUIC listener prepared for serving. */
export interface QuicPlan {
  readonly listener: SnapshotQuicListener;
  readonly config: ListenerConfig;
  /** Names the public socket: a change means a new front. */
  readonly frontKey: string;
  /** Names the internal servers the plan needs: a change means a new generation. */
  readonly generationKey: string;
  /** One internal server per distinct certificate, the default's first. */
  readonly servers: readonly QuicServerSettings[];
  /** The domains of each certificate (default first) with the index of its server. */
  readonly names: readonly { readonly domains: readonly string[]; readonly server: number }[];
  /** The QUIC idle timeout, ms. */
  readonly idleTimeoutMs: number;
  readonly address: string;
}

/** planOf prepares one QUIC listener; throws why it cannot run. */
export function planOf(q: SnapshotQuicListener, snapshot: EngineSnapshot, lookup: SnapshotLookup, groups: ReadonlyMap<string, ServerGroupRuntime>): QuicPlan {
  const lb = lookup.loadBalancers.get(q.loadBalancerId);
  if (lb === undefined) throw new Error(`load balancer ${q.loadBalancerId} is not in the snapshot`);
  const serverGroup = groups.get(q.defaultServerGroupId);
  if (serverGroup === undefined) throw new Error(`server group ${q.defaultServerGroupId} is not in the snapshot`);
  const certificates = [q.defaultCertificateId, ...q.additionalCertificateIds].map((id) => {
    const cert = lookup.certificates.get(id);
    if (cert === undefined || cert.privateKeyPem === undefined) throw new Error(`certificate ${id} is not a server certificate of the snapshot`);
    return { cert, key: cert.privateKeyPem };
  });
  const upgrading = snapshot.listeners.find((l) => l.tls?.quic.upgradeEnabled === true && l.tls.quic.quicListenerId === q.id);
  const forwardedConfig: ForwardedHeadersConfig = upgrading === undefined
    ? QUIC_FORWARDED_HEADERS
    : withoutClientCertHeaders(upgrading.forwardedHeaders);
  const listener: SnapshotListener = {
    id: q.id,
    version: q.version,
    loadBalancerId: q.loadBalancerId,
    protocol: 'HTTPS',
    port: q.port,
    defaultServerGroupId: q.defaultServerGroupId,
    idleTimeout: q.idleTimeout,
    requestTimeout: q.requestTimeout,
    compressionEnabled: upgrading?.compressionEnabled ?? true,
    underscoreHeadersEnabled: upgrading?.underscoreHeadersEnabled ?? false,
    forwardedHeaders: forwardedConfig,
  };
  const forwarded = new ForwardedHeaders(forwardedConfig, { loadBalancerId: lb.id, port: q.port, protocol: 'HTTPS', underscoreHeadersEnabled: listener.underscoreHeadersEnabled });
  const config: ListenerConfig = Object.freeze({
    listener,
    loadBalancerId: lb.id,
    loadBalancer: lb,
    address: lb.address,
    serverGroup,
    tls: undefined,
    idleTimeoutMs: q.idleTimeout * 1000,
    requestTimeoutMs: q.requestTimeout * 1000,
    forwarded,
    compressionEnabled: listener.compressionEnabled,
  });
  // One server per distinct certificate and key: an additional certificate identical to another shares its server.
  const servers: QuicServerSettings[] = [];
  const materials: string[] = [];
  const names: { domains: readonly string[]; server: number }[] = [];
  for (const { cert, key } of certificates) {
    const material = createHash('sha256').update(cert.certificatePem).update('\0').update(key).digest('hex');
    let index = materials.indexOf(material);
    if (index < 0) {
      index = materials.push(material) - 1;
      servers.push({ key, cert: cert.certificatePem, maxIdleTimeoutMs: q.idleTimeout * 1000, maxConcurrentStreams: MAX_CONCURRENT_STREAMS });
    }
    names.push({ domains: [...cert.domains], server: index });
  }
  return {
    listener: q,
    config,
    frontKey: `${lb.address}|${q.port}`,
    generationKey: JSON.stringify([q.idleTimeout, materials, names]),
    servers,
    names,
    idleTimeoutMs: q.idleTimeout * 1000,
    address: lb.address,
  };
}

/** routeOf is a generation's route: the certificate whose names match the SNI as on HTTPS (E1), else the default. */
export function routeOf(plan: QuicPlan, servers: readonly { readonly backend: Backend }[]): RouteFn {
  const table = new SniTable<number>();
  for (const { domains, server } of plan.names) table.add(domains, server);
  return (serverName) => servers[serverName === undefined ? 0 : (table.lookup(serverName) ?? 0)]!.backend;
}
