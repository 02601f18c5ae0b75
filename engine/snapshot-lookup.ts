/**
 * SnapshotLookup indexes one snapshot's tables by id once per apply, so preparing each
 * listener resolves its references without scanning arrays.
 */
import type {
  EngineSnapshot,
  SnapshotCertificate,
  SnapshotLoadBalancer,
  SnapshotServerGroup,
  SnapshotTlsPolicy,
} from '../schema/snapshot.ts';

/** SnapshotLookup resolves ids of one snapshot. */
export class SnapshotLookup {
  readonly snapshot: EngineSnapshot;
  readonly loadBalancers: ReadonlyMap<string, SnapshotLoadBalancer>;
  readonly certificates: ReadonlyMap<string, SnapshotCertificate>;
  readonly tlsPolicies: ReadonlyMap<string, SnapshotTlsPolicy>;
  readonly serverGroups: ReadonlyMap<string, SnapshotServerGroup>;

  constructor(snapshot: EngineSnapshot) {
    this.snapshot = snapshot;
    this.loadBalancers = byId(snapshot.loadBalancers);
    this.certificates = byId(snapshot.certificates);
    this.tlsPolicies = byId(snapshot.tlsPolicies);
    this.serverGroups = byId(snapshot.serverGroups);
  }
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) map.set(item.id, item);
  return map;
}
