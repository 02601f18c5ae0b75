/**
 * A node's membership of a cluster: several `gatehouse serve` on one shared store, each
 * running the API and the engine on the whole configuration. The store that is shared
 * (PostgreSQL) implements it; a store one process owns (SQLite) has no cluster.
 */
import type { AppliedListenerState, PeerStates } from '../runtime/listener-status.ts';

/** NodeIdentity is what a node says about itself. */
export interface NodeIdentity {
  /** Unique per process start. */
  readonly id: string;
  /** What status shows (--node-name; by default the host name and API address). */
  readonly name: string;
  /** Where its management API listens. */
  readonly apiUrl: string;
  /** --bind-address, if given. */
  readonly bindAddress?: string | undefined;
}

/** ClusterNode is a live node as status shows it. */
export interface ClusterNode {
  readonly id: string;
  readonly name: string;
  readonly apiUrl: string;
  readonly bindAddress?: string;
  /** The store revision its engine last applied (-1 before its first apply). */
  readonly appliedRevision: number;
  /** Seconds since its last heartbeat, by the database's clock. */
  readonly heartbeatAgeS: number;
  readonly self: boolean;
}

/** ClusterMembership is what the runtime uses of a node's membership. */
export interface ClusterMembership {
  readonly self: NodeIdentity;
  /** publish records this node's verdicts after an apply (coalesced; retried while the database is away). */
  publish(appliedRevision: number, states: ReadonlyMap<string, AppliedListenerState>): void;
  /** refresh reads the live nodes and their verdicts; it keeps the last ones when the database is away. */
  refresh(): Promise<void>;
  /** peers are the other live nodes with their verdicts, as last read. */
  peers(): readonly PeerStates[];
  /** nodes are the live nodes, this one included, as last read. */
  nodes(): readonly ClusterNode[];
  /** close stops the heartbeat and removes this node's row (it leaves status at once). */
  close(): Promise<void>;
}
