/**
 * Opening the SQLite file: durable pragmas, a single-process lock, and the migrations.
 */
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from './migrations.ts';

/** DATABASE_FILE is the SQLite file name inside the data directory. */
export const DATABASE_FILE = 'gatehouse.db';

/** BUSY_TIMEOUT_MS is how long opening the file waits for another connection's lock before failing. */
const BUSY_TIMEOUT_MS = 2000;

/**
 * openDatabase opens (or creates) the store. WAL with synchronous=FULL makes every committed
 * transaction survive a power cut or kill -9; exclusive locking keeps a second `gatehouse serve`
 * on the same directory from writing behind the first one's back (the OS drops the lock when
 * the holder dies, so a crash never leaves a stale lock).
 */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.exec('PRAGMA foreign_keys = ON');
    if (path !== ':memory:') {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string } | undefined;
      if (mode?.journal_mode !== 'wal') throw new Error(`could not switch ${path} to WAL (got ${mode?.journal_mode})`);
    }
    db.exec('PRAGMA synchronous = FULL');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    if (/database is locked/i.test((err as Error).message)) {
      throw new Error(`${path} is in use by another gatehouse process`);
    }
    throw err;
  }
}

/** schemaVersion reads the layout version of an open store (0 = empty file). */
export function schemaVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/**
 * migrate brings the layout up to the newest version; each step and its version stamp commit
 * together. A file written by a newer release is refused rather than misread.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  // Taking the write lock first makes the check-then-migrate atomic across processes.
  db.exec('BEGIN IMMEDIATE');
  let current: number;
  try {
    current = schemaVersion(db);
  } finally {
    db.exec('ROLLBACK');
  }
  if (current > latest) {
    throw new Error(`the store has layout version ${current}, newer than this release understands (${latest}); upgrade gatehouse`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${Number(m.version)}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new Error(`migration ${m.version} (${m.description}) failed: ${(err as Error).message}`);
    }
  }
}
