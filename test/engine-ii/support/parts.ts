/**
 * buildSnapshotParts: the snapshot most engine-ii tests need — one listener `lsn-1` (HTTP, or
 * HTTPS with the given certificate) in front of one server group `sgp-1` — with overrides for
 * the fields a test is about.
 */
import type { HealthCheckConfig, SnapshotListener, SnapshotServerGroup } from '../../../schema/snapshot.ts';
import type { Issued } from '../../helpers/pki.ts';
import { httpListener, httpsListener, serverCertificate, serverGroup, type SnapshotParts, type TlsOverrides } from '../../engine/support/snapshots.ts';

/** PartsOptions choose the listener and group. */
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

/** buildSnapshotParts returns the parts for buildSnapshot / ProxyFixture.apply. */
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
