/**
 * Replaying a write's journal (the row changes the service's checks made on the node's copy)
 * in a PostgreSQL transaction that holds the store's write lock. The copy was brought to the
 * store's revision under that lock before the checks ran, so the journal applies to exactly
 * the state it was computed on; the revision check below would catch a copy that was not.
 */
import type { ClientBase } from 'pg';
import { IDEMPOTENCY_TTL_MS } from '../idempotency-keys.ts';
import type { Mutation } from '../mutation-journal.ts';
import type { ReplicaDelta, ReplicaIdempotencyRow, ReplicaResourceRow } from '../replica-writer.ts';
import { pgInteger } from './pg-values.ts';

/** WRITE_LOCK is the advisory lock key every write transaction holds: one writer at a time across all nodes. */
export const WRITE_LOCK = 7_461_017_002;

/** Replayed is what a replay made: the new revision and the sequence numbers the database gave new rows. */
export interface Replayed {
  readonly revision: number;
  readonly insertedSeqs: ReadonlyMap<string, number>;
}

/**
 * replayJournal writes the mutations and returns the revision they make. Every journal that
 * changes something sets the revision exactly once, one above the store's.
 */
export async function replayJournal(client: ClientBase, mutations: readonly Mutation[]): Promise<Replayed> {
  const insertedSeqs = new Map<string, number>();
  const revisions = mutations.filter((m) => m.op === 'setRevision');
  const [set] = revisions;
  if (set === undefined || revisions.length !== 1) throw new Error(`a write's journal must set the revision once (it set it ${revisions.length} times)`);
  const revision = set.revision;
  for (const m of mutations) {
    switch (m.op) {
      case 'insertResource': {
        const r = await client.query<{ seq: unknown }>(
          'INSERT INTO gatehouse.resources (id, kind, version, created_at, updated_at, body, secret, revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq',
          [m.row.id, m.row.kind, m.row.version, m.row.createdAt, m.row.updatedAt, JSON.stringify(m.row.body), bytes(m.row.secret), revision],
        );
        insertedSeqs.set(m.row.id, pgInteger(r.rows[0]?.seq, 'resources.seq'));
        break;
      }
      case 'updateResource': {
        const r = await client.query(
          'UPDATE gatehouse.resources SET version = $1, updated_at = $2, body = $3, secret = $4, revision = $5 WHERE id = $6 AND kind = $7',
          [m.row.version, m.row.updatedAt, JSON.stringify(m.row.body), bytes(m.row.secret), revision, m.row.id, m.row.kind],
        );
        if (r.rowCount !== 1) throw new Error(`update of ${m.row.id} touched ${r.rowCount} rows`);
        break;
      }
      case 'deleteResource':
        await client.query('DELETE FROM gatehouse.resources WHERE id = $1', [m.id]);
        break;
      case 'appendEvent':
        await client.query(
          'INSERT INTO gatehouse.events (time, action, kind, resource_id, version, source, revision) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [m.event.time, m.event.action, m.event.kind, m.event.resourceId, m.event.version, m.event.sourceAddress, m.event.revision],
        );
        break;
      case 'rememberIdempotency':
        await client.query('DELETE FROM gatehouse.idempotency_keys WHERE created_at < $1', [new Date(Date.parse(m.at) - IDEMPOTENCY_TTL_MS).toISOString()]);
        await client.query(
          `INSERT INTO gatehouse.idempotency_keys (scope, key, request_hash, status, response, created_at, revision) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
             response = excluded.response, created_at = excluded.created_at, revision = excluded.revision`,
          [m.scope, m.key, m.response.requestHash, m.response.status, JSON.stringify(m.response.body), m.at, revision],
        );
        break;
      case 'setRevision': {
        const r = await client.query("UPDATE gatehouse.meta SET value = $1 WHERE key = 'revision' AND value = $2", [String(revision), String(revision - 1)]);
        if (r.rowCount !== 1) throw new Error(`the store is not at revision ${revision - 1}: the write was computed on a stale copy`);
        break;
      }
    }
  }
  return { revision, insertedSeqs };
}

/**
 * journalDelta is what a committed journal changed, as a delta for the node's own copy: the
 * rows as the database now holds them (new rows with the sequence numbers it gave them,
 * changed rows with the ones the copy has), so the writer's copy catches up without reading
 * back what it just wrote.
 */
export function journalDelta(mutations: readonly Mutation[], replayed: Replayed, seqOf: (id: string) => number | undefined): ReplicaDelta {
  const rows = new Map<string, ReplicaResourceRow>();
  const deleted = new Set<string>();
  const keys: ReplicaIdempotencyRow[] = [];
  for (const m of mutations) {
    if (m.op === 'insertResource' || m.op === 'updateResource') {
      const seq = m.op === 'insertResource' ? replayed.insertedSeqs.get(m.row.id) : (rows.get(m.row.id)?.seq ?? seqOf(m.row.id));
      if (seq === undefined) throw new Error(`the journal changed ${m.row.id}, which has no sequence number`);
      const { id, kind, version, createdAt, updatedAt, secret } = m.row;
      rows.set(id, { seq, id, kind, version, createdAt, updatedAt, bodyText: JSON.stringify(m.row.body), secret });
      deleted.delete(id);
    } else if (m.op === 'deleteResource') {
      rows.delete(m.id);
      deleted.add(m.id);
    } else if (m.op === 'rememberIdempotency') {
      const { scope, key, response, at } = m;
      keys.push({ scope, key, requestHash: response.requestHash, status: response.status, responseText: JSON.stringify(response.body), createdAt: at });
    }
  }
  return { full: false, revision: replayed.revision, resources: [...rows.values()], deletedIds: [...deleted], idempotency: keys };
}

/** bytes hands a sealed secret to node-postgres as a Buffer (bytea). */
function bytes(secret: Uint8Array | null): Buffer | null {
  return secret === null ? null : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
}
