/**
 * Store is the management server's single source of truth: one SQLite file in the data
 * directory, written through short synchronous transactions. Because node:sqlite is
 * synchronous and a write never awaits between BEGIN and COMMIT, concurrent requests are
 * serialised by the event loop itself: a check (If-Match, port conflict, idempotency key) and
 * the write it guards always see the same state.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ResourceKind, ResourceKindName } from '../../schema/resource-kind.ts';
import { checkReferences } from '../../schema/rules/references.ts';
import { worldFromLists, type StoredBodies, type WorldLists } from '../../schema/rules/world.ts';
import { loadMasterKey, parseMasterKey } from '../secrets/master-key.ts';
import { SecretBox } from '../secrets/secret-box.ts';
import { settle } from '../util/settle.ts';
import { DATABASE_FILE, openDatabase } from './database.ts';
import { EventLog, type AuditEvent, type EventQuery } from './event-log.ts';
import { IdempotencyKeys } from './idempotency-keys.ts';
import { MutationJournal, type Mutation } from './mutation-journal.ts';
import { ReplicaWriter, type ReplicaDelta } from './replica-writer.ts';
import { ResourceRepo, type ResourceRow } from './resource-repo.ts';

/** StoreOptions say where the data lives; without a data directory the store is in memory. */
export interface StoreOptions {
  readonly dataDir?: string;
  /** The master key; default: GATEHOUSE_MASTER_KEY or `<data-dir>/master-key`. */
  readonly masterKey?: Buffer;
  /** The environment to read GATEHOUSE_MASTER_KEY from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** secretContext is the additional data a resource's sealed secret is bound to. */
export function secretContext(id: string): string {
  return `resource:${id}`;
}

/** KEY_BYTES is the length of the store's keys: an ephemeral master key and each key derived from the master key (256 bits). */
const KEY_BYTES = 32;

const KEY_CHECK_CONTEXT = 'meta:key-check';
const KEY_CHECK_TEXT = 'gatehouse master key check';

/**
 * Store owns the database connection, the repositories and the secret box. It is a ConfigStore
 * (config-store.ts; structurally, so that the two files do not import each other): the embedded
 * store of record, and also the node's in-memory copy behind a PostgresStore.
 */
export class Store {
  readonly resources: ResourceRepo;
  readonly events: EventLog;
  readonly idempotency: IdempotencyKeys;
  readonly secrets: SecretBox;
  /** Keys the HMAC of idempotent request bodies. */
  readonly requestHashKey: Buffer;
  /** Where the master key came from, for the startup banner. */
  readonly masterKeySource: string;
  readonly dataDir: string | undefined;
  readonly #db: DatabaseSync;
  readonly #getMeta: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #journal = new MutationJournal();
  readonly #replica: ReplicaWriter;
  #closed = false;

  /** open creates the data directory if needed, opens the database and checks the master key. */
  static open(options: StoreOptions = {}): Store {
    let master: Buffer;
    let source: string;
    if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    if (options.masterKey) {
      master = options.masterKey;
      source = 'given';
    } else if (options.dataDir !== undefined) {
      const loaded = loadMasterKey(options.dataDir, (options.env ?? process.env).GATEHOUSE_MASTER_KEY);
      master = loaded.key;
      source = loaded.path ?? 'GATEHOUSE_MASTER_KEY';
    } else {
      const env = (options.env ?? process.env).GATEHOUSE_MASTER_KEY;
      master = env ? parseMasterKey(env) : randomBytes(KEY_BYTES);
      source = env ? 'GATEHOUSE_MASTER_KEY' : 'ephemeral (in-memory store)';
    }
    const db = openDatabase(options.dataDir === undefined ? ':memory:' : join(options.dataDir, DATABASE_FILE));
    try {
      return new Store(db, master, source, options.dataDir);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(db: DatabaseSync, master: Buffer, masterKeySource: string, dataDir: string | undefined) {
    this.#db = db;
    this.dataDir = dataDir;
    this.masterKeySource = masterKeySource;
    this.secrets = new SecretBox(hkdf(master, 'gatehouse private keys v1'));
    this.requestHashKey = hkdf(master, 'gatehouse idempotency v1');
    this.resources = new ResourceRepo(db, this.#journal);
    this.events = new EventLog(db, this.#journal);
    this.idempotency = new IdempotencyKeys(db, this.#journal);
    this.#replica = new ReplicaWriter(db);
    this.#getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.#setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#checkMasterKey();
  }

  /** local is the store itself: its transactions are the store of record's. */
  get local(): Store {
    return this;
  }

  get description(): string {
    return this.dataDir === undefined ? 'in memory' : `SQLite ${join(this.dataDir, DATABASE_FILE)}`;
  }

  /** readLatest runs `fn` on the file, which is always the latest state. */
  readLatest<T>(fn: () => T): Promise<T> {
    return settle(() => {
      this.#assertOpen();
      return fn();
    });
  }

  /** commit is `write`: one IMMEDIATE transaction of the file. */
  commit<T>(fn: () => T, options: { dryRun?: boolean } = {}): Promise<T> {
    return settle(() => this.write(fn, options));
  }

  auditEvents(query: EventQuery): Promise<AuditEvent[]> {
    return settle(() => {
      this.#assertOpen();
      return this.events.read(query);
    });
  }

  /** onChange never fires: only this process writes the file (it holds the file's lock). */
  onChange(): () => void {
    return () => undefined;
  }

  /** revision is the number of committed writes: the version of the snapshot compiled from now. */
  revision(): number {
    return Number(this.#meta('revision') ?? '0');
  }

  /** bumpRevision advances the revision inside a write and returns the new value. */
  bumpRevision(): number {
    const next = this.revision() + 1;
    this.#setMeta.run('revision', String(next));
    this.#journal.record({ op: 'setRevision', revision: next });
    return next;
  }

  /**
   * write runs `fn` in one IMMEDIATE transaction and commits it, or rolls it back when `fn`
   * throws or when `dryRun` is set (every check ran, nothing stays). `fn` must be synchronous.
   */
  write<T>(fn: () => T, options: { dryRun?: boolean } = {}): T {
    this.#assertOpen();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const value = fn();
      if (value instanceof Promise) throw new Error('Store.write: the transaction body must be synchronous');
      this.#db.exec(options.dryRun ? 'ROLLBACK' : 'COMMIT');
      return value;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * journal runs `fn` in a transaction that is always rolled back and returns its value with
   * the row changes it made: how a write against another store of record runs its checks here.
   */
  journal<T>(fn: () => T): { value: T; mutations: Mutation[] } {
    this.#journal.start();
    let value: T;
    try {
      value = this.write(fn, { dryRun: true });
    } catch (err) {
      this.#journal.stop();
      throw err;
    }
    return { value, mutations: this.#journal.stop() };
  }

  /**
   * applyReplica brings this store, a copy of another store of record, up to the delta's
   * revision in one transaction. A delta older than what is held changes nothing, nor does one
   * of the same revision unless it is a full reload (readers may fetch overlapping deltas and
   * apply them in either order); only a store of record that went back replaces a newer copy.
   */
  applyReplica(delta: ReplicaDelta): boolean {
    const held = this.revision();
    if (delta.rewound !== true && (delta.revision < held || (delta.revision === held && !delta.full))) return false;
    this.write(() => {
      this.#replica.apply(delta);
      this.#setMeta.run('revision', String(delta.revision));
    });
    if (delta.full) this.resources.forget();
    else for (const id of delta.deletedIds) this.resources.forget(id);
    return true;
  }

  /** keyCheckToken seals the master key check text, for a store of record that keeps it (PostgreSQL). */
  keyCheckToken(): string {
    return Buffer.from(this.secrets.seal(KEY_CHECK_TEXT, KEY_CHECK_CONTEXT)).toString('base64');
  }

  /** opensKeyCheck tells whether a sealed key check opens under this store's master key. */
  opensKeyCheck(token: string): boolean {
    try {
      return this.secrets.open(Buffer.from(token, 'base64'), KEY_CHECK_CONTEXT) === KEY_CHECK_TEXT;
    } catch {
      return false;
    }
  }

  /**
   * checkIntegrity verifies the store end to end and returns every problem found (empty: the
   * store is sound): SQLite's own page check; every row a valid resource of its kind, its body
   * agreeing with the row's id and version; every reference of a listener or QUIC listener
   * resolving to a resource of the right sort (the rules a write checks); every Server
   * certificate's sealed key opening under the master key; and the audit log in step with the
   * revision — one event per committed write, so a half-applied write would show.
   */
  checkIntegrity(): string[] {
    this.#assertOpen();
    const rows = this.#db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok').map((m) => `sqlite: ${m}`);
    const lists: { -readonly [K in ResourceKindName]: StoredBodies[K][] } = {
      LoadBalancer: [],
      Listener: [],
      QuicListener: [],
      Certificate: [],
      TlsSecurityPolicy: [],
      ServerGroup: [],
    };
    for (const kind of ALL_RESOURCE_KINDS) {
      for (const row of this.resources.all(kind.name)) {
        const parsed = kind.stored.safeParse(row.body);
        if (!parsed.success) problems.push(`${row.id}: stored body is not a valid ${kind.name}: ${parsed.error.issues[0]?.message ?? ''}`);
        if (row.body.id !== row.id || row.body.version !== row.version) problems.push(`${row.id}: body id/version disagree with the row`);
        if (row.secret !== null && !this.#opens(row.secret, row.id)) problems.push(`${row.id}: the sealed key does not open under the master key`);
        for (const issue of secretRuleIssues(kind, row)) problems.push(`${row.id} ${issue}`);
        this.#collect(kind.name, row.id, lists, problems);
      }
    }
    const world = worldFromLists(lists satisfies WorldLists);
    for (const kind of ['Listener', 'QuicListener'] as const) {
      for (const body of lists[kind]) {
        for (const e of checkReferences(kind, body, world, body.id)) problems.push(`${body.id} ${e.path}: ${e.message}`);
      }
    }
    const revision = this.revision();
    const events = this.events.read({ limit: Number.MAX_SAFE_INTEGER });
    if (events.length !== revision) problems.push(`revision ${revision} but ${events.length} audit events`);
    events.forEach((e, i) => {
      if (e.revision !== i + 1) problems.push(`event ${e.seq} carries revision ${e.revision}, expected ${i + 1}`);
    });
    return problems;
  }

  /** close checkpoints the WAL and closes the file; idempotent. The work is done when it returns. */
  close(): Promise<void> {
    return settle(() => this.closeNow());
  }

  /** closeNow is close for synchronous callers. */
  closeNow(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.dataDir !== undefined) this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }

  /** #collect adds a row's body, read through its kind's stored schema, to the lists the reference check reads. */
  #collect<K extends ResourceKindName>(kind: K, id: string, lists: { [L in ResourceKindName]: StoredBodies[L][] }, problems: string[]): void {
    try {
      const stored = this.resources.getStored(kind, id);
      if (stored !== undefined) lists[kind].push(stored.body);
    } catch (err) {
      problems.push(`${id}: ${(err as Error).message}`);
    }
  }

  #opens(secret: Uint8Array, id: string): boolean {
    try {
      this.secrets.open(secret, secretContext(id));
      return true;
    } catch {
      return false;
    }
  }

  #meta(key: string): string | undefined {
    return (this.#getMeta.get(key) as { value: string } | undefined)?.value;
  }

  /** A wrong master key would make every certificate unreadable: refuse to start instead. */
  #checkMasterKey(): void {
    const stored = this.#meta('key_check');
    if (stored === undefined) {
      this.write(() => this.#setMeta.run('key_check', this.keyCheckToken()));
      return;
    }
    if (!this.opensKeyCheck(stored)) throw new Error('the master key does not match this data directory (GATEHOUSE_MASTER_KEY or master-key changed)');
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the store is closed');
  }
}

function hkdf(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, KEY_BYTES));
}

/** SEALED is what a secret field holds for the rules when its value is sealed in the row. */
const SEALED = '(sealed)';

/**
 * secretRuleIssues runs the kind's rules that read a secret field on the stored body with the
 * secret standing as present or absent, as the row's sealed column says (a Server certificate
 * must have its key, a CA certificate none).
 */
function secretRuleIssues(kind: ResourceKind, row: ResourceRow): string[] {
  if (kind.secretFields.length === 0) return [];
  const probe: Record<string, unknown> = { ...row.body };
  for (const field of kind.secretFields) probe[field] = row.secret === null ? undefined : SEALED;
  const issues: string[] = [];
  for (const rule of kind.rules) {
    if (!rule.reads.some((path) => kind.secretFields.includes(path))) continue;
    for (const issue of rule.check(probe)) issues.push(`${issue.path.map(String).join('.')}: ${issue.message} (sealed key ${row.secret === null ? 'absent' : 'present'})`);
  }
  return issues;
}
