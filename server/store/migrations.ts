/**
 * MIGRATIONS are the store's schema versions, applied in order, each in its own transaction.
 * Released migrations are never edited: a change to the layout is a new entry at the end.
 */

/** Migration is one forward step of the SQLite layout. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** MIGRATIONS lists every layout version since the first release. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'resources, audit events, idempotency keys, store metadata',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      INSERT INTO meta (key, value) VALUES ('revision', '0');

      CREATE TABLE resources (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        id         TEXT NOT NULL UNIQUE,
        kind       TEXT NOT NULL,
        version    INTEGER NOT NULL CHECK (version >= 1),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        body       TEXT NOT NULL CHECK (json_valid(body)),
        secret     BLOB
      ) STRICT;
      CREATE INDEX resources_by_kind ON resources (kind, seq);

      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        time        TEXT NOT NULL,
        action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        kind        TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        version     INTEGER NOT NULL,
        source      TEXT NOT NULL,
        revision    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX events_by_time ON events (time);

      CREATE TABLE idempotency_keys (
        scope        TEXT NOT NULL,
        key          TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status       INTEGER NOT NULL,
        response     TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      ) STRICT;
      CREATE INDEX idempotency_by_age ON idempotency_keys (created_at);
    `,
  },
];
