/**
 * Reading what changed in the PostgreSQL store since a revision, as a ReplicaDelta the node's
 * SQLite copy applies. Every row carries the revision of the write that last changed it; a
 * delete leaves its audit event, which names the id.
 */
import type { ClientBase, Pool } from 'pg';
import type { ReplicaDelta, ReplicaIdempotencyRow, ReplicaResourceRow } from '../replica-writer.ts';
import { withClient } from './pg-connection.ts';
import { pgBytesOrNull, pgInteger, pgText } from './pg-values.ts';

/** Queryable is a pool or one connection. */
export type Queryable = Pool | ClientBase;

/** FULL_RELOAD_AFTER is how many revisions behind a copy is reloaded whole instead of by delta. */
export const FULL_RELOAD_AFTER = 1000;

/** storeRevision reads the store's revision: the number of committed writes. */
export async function storeRevision(q: Queryable): Promise<number> {
  const r = await q.query<{ value: unknown }>("SELECT value FROM gatehouse.meta WHERE key = 'revision'");
  return pgInteger(r.rows[0]?.value, 'meta.revision');
}

/**
 * readDelta reads, on one connection inside a transaction that sees one state, what changed
 * after `since` (everything when `full`, when `since` is 0 or when the copy is far behind).
 * It returns undefined when nothing changed.
 */
export async function readDelta(client: ClientBase, since: number, full = false): Promise<ReplicaDelta | undefined> {
  const revision = await storeRevision(client);
  if (!full && revision === since) return undefined;
  // A store whose revision went back (restored from an older backup) is read whole.
  const whole = full || since === 0 || revision < since || revision - since > FULL_RELOAD_AFTER;
  const after = whole ? 0 : since;
  const resources = await client.query(
    'SELECT seq, id, kind, version, created_at, updated_at, body, secret FROM gatehouse.resources WHERE revision > $1 ORDER BY seq',
    [after],
  );
  const deleted = whole
    ? { rows: [] }
    : await client.query("SELECT DISTINCT resource_id FROM gatehouse.events WHERE revision > $1 AND action = 'delete'", [after]);
  const keys = await client.query(
    'SELECT scope, key, request_hash, status, response, created_at FROM gatehouse.idempotency_keys WHERE revision > $1',
    [after],
  );
  return {
    full: whole,
    ...(revision < since ? { rewound: true } : {}),
    revision,
    resources: resources.rows.map(resourceRow),
    deletedIds: deleted.rows.map((r: Record<string, unknown>) => pgText(r.resource_id, 'events.resource_id')),
    idempotency: keys.rows.map(idempotencyRow),
  };
}

/** readDeltaConsistently reads a delta through the pool, in a read-only repeatable-read transaction. */
export async function readDeltaConsistently(pool: Pool, since: number, full = false): Promise<ReplicaDelta | undefined> {
  if (!full && (await storeRevision(pool)) === since) return undefined;
  return withClient(pool, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const delta = await readDelta(client, since, full);
      await client.query('COMMIT');
      return delta;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

function resourceRow(r: Record<string, unknown>): ReplicaResourceRow {
  return {
    seq: pgInteger(r.seq, 'resources.seq'),
    id: pgText(r.id, 'resources.id'),
    kind: pgText(r.kind, 'resources.kind'),
    version: pgInteger(r.version, 'resources.version'),
    createdAt: pgText(r.created_at, 'resources.created_at'),
    updatedAt: pgText(r.updated_at, 'resources.updated_at'),
    bodyText: pgText(r.body, 'resources.body'),
    secret: pgBytesOrNull(r.secret, 'resources.secret'),
  };
}

function idempotencyRow(r: Record<string, unknown>): ReplicaIdempotencyRow {
  return {
    scope: pgText(r.scope, 'idempotency_keys.scope'),
    key: pgText(r.key, 'idempotency_keys.key'),
    requestHash: pgText(r.request_hash, 'idempotency_keys.request_hash'),
    status: pgInteger(r.status, 'idempotency_keys.status'),
    responseText: pgText(r.response, 'idempotency_keys.response'),
    createdAt: pgText(r.created_at, 'idempotency_keys.created_at'),
  };
}
