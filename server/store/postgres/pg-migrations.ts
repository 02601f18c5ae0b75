/**
 * The PostgreSQL layout of the store, in versions applied in order, each in its own
 * transaction. Every table lives in the `gatehouse` schema, so the store can share a database
 * with other applications. Nodes that start together on an empty database migrate it once: the
 * first holds an advisory lock while it migrates, the others wait for it and find nothing to do.
 * Released versions are never edited; a change to the layout is a new entry at the end.
 */
import type { ClientBase } from 'pg';
import { pgInteger } from './pg-values.ts';

/** PgMigration is one forward step of the PostgreSQL layout. */
export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** MIGRATION_LOCK is the advisory lock key held while the layout is migrated. */
export const MIGRATION_LOCK = 7_461_017_001;

/** PG_MIGRATIONS lists every layout version of the PostgreSQL store. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'resources, audit events, idempotency keys, store metadata',
    sql: `
      CREATE TABLE gatehouse.meta (
        key   text PRIMARY KEY,
        value text NOT NULL
      );
      INSERT INTO gatehouse.meta (key, value) VALUES ('revision', '0');

      -- revision: the write that last changed the row, so a node fetches only what changed.
      CREATE TABLE gatehouse.resources (
        seq        bigserial PRIMARY KEY,
        id         text NOT NULL UNIQUE,
        kind       text NOT NULL,
        version    integer NOT NULL CHECK (version >= 1),
        created_at text NOT NULL,
        updated_at text NOT NULL,
        body       text NOT NULL CHECK (body::jsonb IS NOT NULL),
        secret     bytea,
        revision   bigint NOT NULL
      );
      CREATE INDEX resources_by_kind ON gatehouse.resources (kind, seq);
      CREATE INDEX resources_by_revision ON gatehouse.resources (revision);

      CREATE TABLE gatehouse.events (
        seq         bigserial PRIMARY KEY,
        time        text NOT NULL,
        action      text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        kind        text NOT NULL,
        resource_id text NOT NULL,
        version     integer NOT NULL,
        source      text NOT NULL,
        revision    bigint NOT NULL
      );
      CREATE INDEX events_by_time ON gatehouse.events (time);
      CREATE INDEX events_by_revision ON gatehouse.events (revision);

      CREATE TABLE gatehouse.idempotency_keys (
        scope        text NOT NULL,
        key          text NOT NULL,
        request_hash text NOT NULL,
        status       integer NOT NULL,
        response     text NOT NULL,
        created_at   text NOT NULL,
        revision     bigint NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE INDEX idempotency_by_age ON gatehouse.idempotency_keys (created_at);
      CREATE INDEX idempotency_by_revision ON gatehouse.idempotency_keys (revision);
    `,
  },
  {
    version: 2,
    description: 'cluster nodes and their engines\' listener states',
    sql: `
      -- One row per running node, kept alive by its heartbeat (the database's clock).
      CREATE TABLE gatehouse.nodes (
        id               text PRIMARY KEY,
        name             text NOT NULL,
        api_url          text NOT NULL,
        bind_address     text,
        started_at       timestamptz NOT NULL DEFAULT now(),
        heartbeat_at     timestamptz NOT NULL DEFAULT now(),
        applied_revision bigint NOT NULL
      );
      CREATE INDEX nodes_by_heartbeat ON gatehouse.nodes (heartbeat_at);

      -- What each node's engine made of each listener at its last apply.
      CREATE TABLE gatehouse.listener_states (
        node_id     text NOT NULL REFERENCES gatehouse.nodes (id) ON DELETE CASCADE,
        listener_id text NOT NULL,
        version     integer NOT NULL,
        status      text NOT NULL,
        reason      text,
        PRIMARY KEY (node_id, listener_id)
      );
    `,
  },
];

/**
 * migratePostgres brings the layout up to the newest version and returns it. A database whose
 * layout is newer than this release knows is refused rather than misread.
 */
export async function migratePostgres(client: ClientBase, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const latest = migrations.at(-1)?.version ?? 0;
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS gatehouse');
    await client.query(
      'CREATE TABLE IF NOT EXISTS gatehouse.layout (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const found = await client.query<{ version: unknown }>('SELECT coalesce(max(version), 0) AS version FROM gatehouse.layout');
    const current = pgInteger(found.rows[0]?.version, 'layout.version');
    if (current > latest) {
      throw new Error(`the PostgreSQL store has layout version ${current}, newer than this release understands (${latest}); upgrade gatehouse`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO gatehouse.layout (version, description) VALUES ($1, $2)', [m.version, m.description]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${m.version} (${m.description}) failed: ${(err as Error).message}`, { cause: err });
      }
    }
    return latest;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
