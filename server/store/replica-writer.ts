/**
 * ReplicaWriter brings a node's SQLite copy of a shared store of record (PostgreSQL) up to a
 * newer revision: it writes the rows the store of record changed since the copy's revision, as
 * that store numbered them, or replaces everything on a full reload. Audit events are not
 * copied: the API reads them from the store of record.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** ReplicaResourceRow is a resource row as the store of record holds it (body as stored text). */
export interface ReplicaResourceRow {
  readonly seq: number;
  readonly id: string;
  readonly kind: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly bodyText: string;
  readonly secret: Uint8Array | null;
}

/** ReplicaIdempotencyRow is a remembered Idempotency-Key answer (response as stored text). */
export interface ReplicaIdempotencyRow {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly status: number;
  readonly responseText: string;
  readonly createdAt: string;
}

/**
 * ReplicaDelta is what changed in the store of record up to `revision`: with `full`, the whole
 * state (the copy drops what it held); otherwise the rows written since the copy's revision and
 * the ids deleted since.
 */
export interface ReplicaDelta {
  readonly full: boolean;
  /**
   * The store of record went back to an older revision (restored from a backup): the copy takes
   * this whole state even though its revision is lower than what the copy holds.
   */
  readonly rewound?: boolean;
  readonly revision: number;
  readonly resources: readonly ReplicaResourceRow[];
  readonly deletedIds: readonly string[];
  readonly idempotency: readonly ReplicaIdempotencyRow[];
}

/** ReplicaWriter holds the statements; Store.applyReplica runs it inside one transaction. */
export class ReplicaWriter {
  readonly #clearResources: StatementSync;
  readonly #clearIdempotency: StatementSync;
  readonly #upsertResource: StatementSync;
  readonly #deleteResource: StatementSync;
  readonly #upsertIdempotency: StatementSync;

  constructor(db: DatabaseSync) {
    this.#clearResources = db.prepare('DELETE FROM resources');
    this.#clearIdempotency = db.prepare('DELETE FROM idempotency_keys');
    this.#upsertResource = db.prepare(
      `INSERT INTO resources (seq, id, kind, version, created_at, updated_at, body, secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, version = excluded.version, updated_at = excluded.updated_at,
         body = excluded.body, secret = excluded.secret`,
    );
    this.#deleteResource = db.prepare('DELETE FROM resources WHERE id = ?');
    this.#upsertIdempotency = db.prepare(
      'INSERT OR REPLACE INTO idempotency_keys (scope, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** apply writes the delta's rows; the caller holds the transaction and sets the revision. */
  apply(delta: ReplicaDelta): void {
    if (delta.full) {
      this.#clearResources.run();
      this.#clearIdempotency.run();
    }
    for (const id of delta.deletedIds) this.#deleteResource.run(id);
    for (const r of delta.resources) {
      this.#upsertResource.run(r.seq, r.id, r.kind, r.version, r.createdAt, r.updatedAt, r.bodyText, r.secret);
    }
    for (const k of delta.idempotency) {
      this.#upsertIdempotency.run(k.scope, k.key, k.requestHash, k.status, k.responseText, k.createdAt);
    }
  }
}
