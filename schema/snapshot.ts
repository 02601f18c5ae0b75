/**
 * EngineSnapshot: the plain-data configuration the forwarding engine runs. The server compiles
 * it from the store, deep-freezes it, checks it with `consistent`, and hands it to the engine
 * whole. Plain JSON-serialisable data (no classes, no Buffers) so that it can later be shipped
 * to worker processes or other nodes. References are by id, resolved through the top-level
 * tables, so a certificate shared by a thousand listeners is carried once.
 *
 * Each resource kind owns its part: its module in `resources/` defines the snapshot schema of
 * the kind (from its own field schemas) and the projection of a stored resource into it. This
 * module only assembles the tables; the types are read off the schemas.
 */
import { z } from 'zod';
import type { DeepReadonly } from './resource-kind.ts';
import { certificateSnapshotSchema } from './resources/certificate.ts';
import { listenerSnapshotSchema, type SnapshotListener } from './resources/listener.ts';
import { loadBalancerSnapshotSchema } from './resources/load-balancer.ts';
import { quicListenerSnapshotSchema } from './resources/quic-listener.ts';
import { serverGroupSnapshotSchema, type SnapshotServerGroup } from './resources/server-group.ts';
import { tlsPolicySnapshotSchema } from './resources/tls-security-policy.ts';

export type { ClientCertHeaderConfig, ForwardedHeadersConfig } from './resources/forwarded-headers.ts';

/** SNAPSHOT_FORMAT is bumped whenever the shape below changes incompatibly. */
export const SNAPSHOT_FORMAT = 1;

/** engineSnapshotSchema is one complete, versioned configuration of the engine (tests parse compiled snapshots against it). */
export const engineSnapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.number().int().min(0).describe('Monotonic per store: a higher version is a newer configuration.'),
  loadBalancers: z.array(loadBalancerSnapshotSchema),
  listeners: z.array(listenerSnapshotSchema),
  quicListeners: z.array(quicListenerSnapshotSchema),
  certificates: z.array(certificateSnapshotSchema),
  tlsPolicies: z.array(tlsPolicySnapshotSchema),
  serverGroups: z.array(serverGroupSnapshotSchema),
});

/** EngineSnapshot is one complete, versioned configuration of the engine, read-only throughout. */
export type EngineSnapshot = DeepReadonly<z.output<typeof engineSnapshotSchema>>;
export type { SnapshotCertificate } from './resources/certificate.ts';
export type { SnapshotListener } from './resources/listener.ts';
export type { SnapshotLoadBalancer } from './resources/load-balancer.ts';
export type { SnapshotQuicListener } from './resources/quic-listener.ts';
export type { SnapshotServerGroup } from './resources/server-group.ts';
export type { SnapshotTlsPolicy } from './resources/tls-security-policy.ts';
/** SnapshotListenerTls is the TLS side of an HTTPS listener. */
export type SnapshotListenerTls = NonNullable<SnapshotListener['tls']>;
/** SnapshotServer is one backend of a server group. */
export type SnapshotServer = SnapshotServerGroup['servers'][number];
/** HealthCheckConfig is SPEC 1.6's healthCheck with every default applied. */
export type HealthCheckConfig = SnapshotServerGroup['healthCheck'];

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
