/**
 * ConfigStore is where the configuration lives, as the API, the compiler and the applier see
 * it. Two stores implement it: the embedded SQLite file (`Store`, the default), and PostgreSQL
 * shared by several nodes (`PostgresStore`). Either way the service's checks run as one
 * synchronous function over a `Store` — the SQLite file itself, or the node's in-memory copy
 * of the PostgreSQL state brought up to date under the cluster's write lock — so the API's
 * rules are one piece of code whatever the store.
 */
import type { AuditEvent, EventQuery } from './event-log.ts';
import type { ClusterMembership, NodeIdentity } from './cluster-membership.ts';
import type { Store } from './store.ts';

/** CommitOptions: a dry run runs every check and keeps nothing. */
export interface CommitOptions {
  readonly dryRun?: boolean;
}

/** ConfigStore is the store of record behind the API. */
export interface ConfigStore {
  /** The synchronous view that transactions and the snapshot compiler read. */
  readonly local: Store;
  /** What the store is, for the start banner and status (never a password). */
  readonly description: string;
  /** Where the master key came from, for the start banner. */
  readonly masterKeySource: string;
  /**
   * readLatest brings `local` up to the store of record's latest committed state and runs
   * `fn` on it. When the store of record cannot be reached it runs on the last state seen.
   */
  readLatest<T>(fn: () => T): Promise<T>;
  /**
   * commit runs `fn` as one transaction of the store of record: every check in `fn` sees the
   * state the write commits on, and either everything `fn` wrote commits or nothing does.
   * `fn` must be synchronous.
   */
  commit<T>(fn: () => T, options?: CommitOptions): Promise<T>;
  /** auditEvents reads the audit log of SPEC §3 in log order. */
  auditEvents(query: EventQuery): Promise<AuditEvent[]>;
  /**
   * onChange registers a callback for commits made elsewhere (another node); it returns the
   * function that unregisters it. A store nobody else writes never calls it.
   */
  onChange(callback: () => void): () => void;
  /**
   * joinCluster makes this process a node of the cluster the store is shared by; absent on a
   * store only one process uses (SQLite).
   */
  joinCluster?(self: NodeIdentity): Promise<ClusterMembership>;
  /** close releases the store; idempotent. */
  close(): Promise<void>;
}
