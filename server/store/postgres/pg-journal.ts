/**
 * Replaying a write's journal (the row changes the service's checks made on the node's copy)
 * in a PostgreSQL transaction that holds the store's write lock. The copy was brought to the
 * store's revision under that lock before the checks ran, so the journal applies to exactly
 * the state it was computed on; the revision check below would catch a copy that was not.
 */
import type { ClientBase } from 'pg';
import { IDEMPOTENCY_TTL_MS } from '../idempotency-keys.ts';
import type { Mutation } from '../mutation-journal.ts';

/** WRITE_LOCK is the advisory lock key every write transaction holds: one writer at a time across all nodes. */
export const WRITE_LOCK = 7_461_017_002;

/**
 * replayJournal writes the mutations and returns the revision they make. Every journal that
 * changes something sets the revision exactly once, one above the store's.
 */
export async function replayJournal(client: ClientBase, mutations: readonly Mutation[]): Promise<number> {
  const revisions = mutations.filter((m) => m.op === 'setRevision');
  const [set] = revisions;
  if (set === undefined || revisions.length !== 1) throw new Error(`a write's journal must set the revision once (it set it ${revisions.length} times)`);
  const revision = set.revision;
  for (const m of mutations) {
    switch (m.op) {
      case 'insertResource':
        await client.query(
          'INSERT INTO gatehouse.resources (id, kind, version, created_at, updated_at, body, secret, revision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [m.row.id, m.row.kind, m.row.version, m.row.createdAt, m.row.updatedAt, JSON.stringify(m.row.body), bytes(m.row.secret), revision],
        );
        break;
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
  return revision;
}

/** bytes hands a sealed secret to node-postgres as a Buffer (bytea). */
function bytes(secret: Uint8Array | null): Buffer | null {
  return secret === null ? null : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
}
