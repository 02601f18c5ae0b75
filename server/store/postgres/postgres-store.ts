/**
 * PostgresStore is the store of record when several Gatehouse nodes share one PostgreSQL
 * database. Each node keeps the whole configuration in an in-memory SQLite copy (`local`), the
 * same Store the embedded mode runs on, so the API's checks, the rules and the snapshot
 * compiler are the same code in both modes:
 *
 * - a write takes the cluster-wide write lock (an advisory lock inside its PostgreSQL
 *   transaction), brings the copy up to the database's revision, runs the service's checks on
 *   the copy as a journal (nothing kept locally), replays the journal and notifies the other
 *   nodes in the same transaction, and after COMMIT applies what it wrote to the copy;
 * - a read first brings the copy up to the database's revision (one query when nothing
 *   changed), so a write acknowledged by any node is seen by a read on every node; when the
 *   database cannot be reached it answers from the last state seen, which is also what the
 *   engine keeps serving;
 * - a LISTEN connection hears other nodes' commits and tells the applier (onChange); when it
 *   breaks, the node tries again at least every second (at once when a request reaches the
 *   database), listens again and then reloads the whole state.
 */
import pg from 'pg';
import type { ClientBase, Notification, Pool, PoolClient } from 'pg';
import { GatehouseError } from '../../../schema/errors.ts';
import type { CommitOptions, ConfigStore } from '../config-store.ts';
import { eventFromRow, type AuditEvent, type EventQuery } from '../event-log.ts';
import type { ReplicaDelta } from '../replica-writer.ts';
import { Store } from '../store.ts';
import { readDelta, readDeltaConsistently } from './pg-delta.ts';
import { journalDelta, replayJournal, WRITE_LOCK } from './pg-journal.ts';
import { migratePostgres } from './pg-migrations.ts';
import type { ClusterMembership, NodeIdentity } from '../cluster-membership.ts';
import { NodeRegistry } from './node-registry.ts';
import { describeConnection, isUnreachable, withClient } from './pg-connection.ts';

/** CHANGES_CHANNEL is the NOTIFY channel a commit announces its revision on. */
export const CHANGES_CHANNEL = 'gatehouse_changes';

/** PostgresStoreOptions say where the database is and how to wait for it. */
export interface PostgresStoreOptions {
  /** A postgres:// URL (its password, if any, is never printed). */
  readonly url: string;
  /** The password given apart from the URL (from a file or PGPASSWORD); it overrides the URL's. */
  readonly password?: string | undefined;
  /** The master key every node of the cluster is given. */
  readonly masterKey: Buffer;
  /** Where the master key came from, for the start banner. */
  readonly masterKeySource: string;
  /** Operational messages: waiting for the database, reconnecting. */
  readonly log: (message: string) => void;
  /** Stops the wait for a database that is down at start (serve's SIGTERM). */
  readonly signal?: AbortSignal | undefined;
  /** How long one connection attempt may take, ms (default 5000). */
  readonly connectTimeoutMs?: number | undefined;
  /** The longest pause between attempts to reach the database, ms (default 5000). */
  readonly maxRetryDelayMs?: number | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_RETRY_DELAY_MS = 5000;
/** POOL_SIZE bounds the connections one node holds: writes queue on the write lock anyway. */
const POOL_SIZE = 10;
/** LISTEN_RETRY_MAX_MS is the longest pause between attempts to get the LISTEN connection back. */
const LISTEN_RETRY_MAX_MS = 1000;
/**
 * AWAY_READ_WAIT_MS is how long a read waits for the database while the LISTEN connection is
 * down before it answers from the last state: long enough for a database that is back, short
 * enough that reads stay quick while it is not (an unanswered connect would take its timeout).
 */
const AWAY_READ_WAIT_MS = 300;
/** STATEMENT_TIMEOUT_MS bounds any one statement, so a wedged database cannot hold a request forever. */
const STATEMENT_TIMEOUT_MS = 15_000;

/** PostgresStore is a ConfigStore on PostgreSQL with an in-memory copy per node. */
export class PostgresStore implements ConfigStore {
  readonly local: Store;
  readonly description: string;
  readonly masterKeySource: string;
  readonly #pool: Pool;
  readonly #options: PostgresStoreOptions;
  readonly #callbacks = new Set<() => void>();
  #listener: pg.Client | undefined;
  /** Whether the LISTEN connection is up; while it is not, a read gives the database AWAY_READ_WAIT_MS. */
  #connected = false;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = 100;
  #membership: NodeRegistry | undefined;
  #hearing = false;
  #heardAgain = false;
  /** A reconnection of the LISTEN connection is under way. */
  #reconnecting = false;
  /**
   * This node's writes, one after another: they are serialised by the cluster's lock anyway, and
   * queueing them here keeps a burst from holding every pooled connection while it waits for that
   * lock (reads would then wait for a connection, and a write past the pool's wait would fail).
   */
  #writes: Promise<unknown> = Promise.resolve();

  /**
   * open waits until the database answers (logging while it does not), migrates its layout,
   * checks the master key against it, loads the whole configuration and starts listening.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const pool = new pg.Pool({
      connectionString: connectionString(options),
      max: POOL_SIZE,
      connectionTimeoutMillis: connectTimeout,
      idleTimeoutMillis: 30_000,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS + 1000,
      application_name: 'gatehouse',
    });
    // An idle connection the server drops emits here; without a listener it would end the process.
    pool.on('error', () => undefined);
    const local = Store.open({ masterKey: options.masterKey, env: {} });
    const store = new PostgresStore(pool, local, options);
    try {
      await store.#startUp();
      return store;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  private constructor(pool: Pool, local: Store, options: PostgresStoreOptions) {
    this.#pool = pool;
    this.local = local;
    this.#options = options;
    this.description = `PostgreSQL ${describeConnection(options.url)}`;
    this.masterKeySource = options.masterKeySource;
  }

  async readLatest<T>(fn: () => T): Promise<T> {
    try {
      if (this.#connected) await this.#catchUp();
      else if (await settlesWithin(this.#catchUp(), AWAY_READ_WAIT_MS)) this.#reconnectNow();
    } catch (err) {
      // The database is away: answer from the last state seen.
      if (!isUnreachable(err)) throw err;
    }
    return fn();
  }

  async commit<T>(fn: () => T, options: CommitOptions = {}): Promise<T> {
    this.#assertOpen();
    if (options.dryRun) {
      // A dry run checks against the latest state and needs no lock: it writes nothing.
      await this.#guard(() => this.#catchUp());
      return this.local.journal(fn).value;
    }
    const write = this.#writes.then(() => this.#guard(() => withClient(this.#pool, (client) => this.#commitOn(client, fn))));
    this.#writes = write.catch(() => undefined);
    return write;
  }

  auditEvents(query: EventQuery): Promise<AuditEvent[]> {
    this.#assertOpen();
    return this.#guard(async () => {
      const params: (string | number)[] = [query.afterSeq ?? 0, query.limit];
      let sql = 'SELECT seq, time, action, kind, resource_id, version, source, revision FROM gatehouse.events WHERE seq > $1';
      if (query.fromTime !== undefined) {
        sql += ' AND time >= $3';
        params.push(query.fromTime);
      }
      const r = await this.#pool.query(`${sql} ORDER BY seq LIMIT $2`, params);
      return r.rows.map((row: Record<string, unknown>) => eventFromRow(withIntegers(row, ['seq', 'revision'])));
    });
  }

  /** joinCluster registers this node (heartbeat, listener states); close() leaves the cluster. */
  async joinCluster(self: NodeIdentity): Promise<ClusterMembership> {
    this.#assertOpen();
    this.#membership ??= await NodeRegistry.join(this.#pool, self, this.#options.log);
    return this.#membership;
  }

  onChange(callback: () => void): () => void {
    this.#callbacks.add(callback);
    return () => this.#callbacks.delete(callback);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    clearTimeout(this.#reconnectTimer);
    await this.#membership?.close();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.#pool.end().catch(() => undefined);
    this.local.closeNow();
  }

  /** #commitOn is one write transaction on one connection (see the file's comment). */
  async #commitOn<T>(client: PoolClient, fn: () => T): Promise<T> {
    let open = false;
    try {
      await this.#guard(() => client.query('BEGIN'));
      open = true;
      await this.#guard(() => client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]));
      this.#apply(await this.#guard(() => readDelta(client, this.local.revision())));
      const { value, mutations } = this.local.journal(fn);
      if (mutations.length === 0) {
        open = false;
        await this.#guard(() => client.query('ROLLBACK'));
        return value;
      }
      const replayed = await this.#guard(() => replayJournal(client, mutations));
      const written = journalDelta(mutations, replayed, (id) => this.local.resources.get(id)?.seq);
      await this.#guard(() => client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, String(replayed.revision)]));
      open = false;
      await this.#guard(() => client.query('COMMIT'), 'the connection broke while committing: read the resource to see whether the write was made');
      this.#apply(written);
      this.#reconnectNow();
      return value;
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
    }
  }

  /** #catchUp brings the copy to the database's latest revision; one query when nothing changed. */
  async #catchUp(full = false): Promise<void> {
    this.#apply(await readDeltaConsistently(this.#pool, this.local.revision(), full));
  }

  #apply(delta: ReplicaDelta | undefined): void {
    if (delta !== undefined) this.local.applyReplica(delta);
  }

  /**
   * #guard runs a database step and turns "the database cannot be reached" into 503
   * STORE_UNAVAILABLE; any other failure (a bug, a broken row) passes through as it is.
   */
  async #guard<T>(step: () => Promise<T>, detail?: string): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof GatehouseError || !isUnreachable(err)) throw err;
      throw new GatehouseError(
        'STORE_UNAVAILABLE',
        `the configuration store (${this.description}) cannot be reached: ${(err as Error).message}; ${detail ?? 'nothing was written, retry when it is back'}`,
      );
    }
  }

  async #startUp(): Promise<void> {
    let attempt = 0;
    for (;;) {
      this.#assertOpen();
      try {
        await withClient(this.#pool, async (client) => {
          await migratePostgres(client);
          await this.#checkMasterKey(client);
        });
        // Listen first, then load: a commit made in between is in the load or is heard, never lost.
        await this.#listen();
        await this.#catchUp(true);
        return;
      } catch (err) {
        await this.#unlisten();
        if (!isUnreachable(err)) throw err;
        attempt++;
        const delay = Math.min(this.#options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS, 250 * 2 ** Math.min(attempt, 5));
        this.#options.log(`waiting for the configuration store (${this.description}): ${(err as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay, this.#options.signal);
      }
    }
  }

  /** A node with another master key would serve nothing it could decrypt: refuse to start. */
  async #checkMasterKey(client: ClientBase): Promise<void> {
    await client.query("INSERT INTO gatehouse.meta (key, value) VALUES ('key_check', $1) ON CONFLICT (key) DO NOTHING", [this.local.keyCheckToken()]);
    const r = await client.query<{ value: unknown }>("SELECT value FROM gatehouse.meta WHERE key = 'key_check'");
    const stored = r.rows[0]?.value;
    if (typeof stored !== 'string' || !this.local.opensKeyCheck(stored)) {
      throw new Error(
        `the master key (${this.#options.masterKeySource}) does not match the configuration store ${this.description}: every node must be given the key the store was created with`,
      );
    }
  }

  /** #listen opens the LISTEN connection; when it breaks, the node reconnects and reloads. */
  async #listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: connectionString(this.#options),
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      application_name: 'gatehouse-listen',
      keepAlive: true,
    });
    client.on('error', () => undefined);
    client.on('notification', (n: Notification) => {
      if (n.channel === CHANGES_CHANNEL) this.#heard();
    });
    client.once('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#listener = client;
    this.#connected = true;
    this.#retryDelayMs = 100;
  }

  /** #unlisten drops the LISTEN connection without treating it as lost. */
  async #unlisten(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    this.#connected = false;
    await listener?.end().catch(() => undefined);
  }

  /**
   * Another node committed: catch up, then tell the applier. A burst of notifications costs one
   * catch-up in flight and at most one more after it, not one each.
   */
  #heard(): void {
    if (this.#hearing) {
      this.#heardAgain = true;
      return;
    }
    this.#hearing = true;
    void (async () => {
      do {
        this.#heardAgain = false;
        try {
          await this.#catchUp();
          this.#changed();
        } catch {
          // Unreachable again: the LISTEN connection's end brings the reload.
        }
      } while (this.#heardAgain && !this.#closed);
      this.#hearing = false;
    })();
  }

  #changed(): void {
    for (const callback of this.#callbacks) callback();
  }

  #lost(client: pg.Client): void {
    if (this.#listener !== client || this.#closed) return;
    this.#listener = undefined;
    this.#connected = false;
    this.#options.log(`lost the configuration store (${this.description}); serving the last configuration while reconnecting`);
    this.#scheduleReconnect();
  }

  /**
   * #scheduleReconnect tries the LISTEN connection again after the current pause, which doubles
   * up to LISTEN_RETRY_MAX_MS: a node notices the database's return within a second even when
   * no request comes in (a request that reaches the database notices it at once: #reconnectNow).
   */
  #scheduleReconnect(delay = this.#retryDelayMs): void {
    if (this.#closed || this.#connected || this.#reconnecting) return;
    clearTimeout(this.#reconnectTimer);
    this.#retryDelayMs = Math.min(LISTEN_RETRY_MAX_MS, Math.max(delay, 50) * 2);
    this.#reconnectTimer = setTimeout(() => void this.#reconnect(), delay);
    this.#reconnectTimer.unref();
  }

  /** #reconnectNow: the database answered something while the LISTEN connection was down — reconnect at once. */
  #reconnectNow(): void {
    if (this.#connected || this.#reconnecting) return;
    this.#retryDelayMs = 100;
    this.#scheduleReconnect(0);
  }

  /** After a gap nothing says what was missed: reload the whole state, then listen again. */
  async #reconnect(): Promise<void> {
    if (this.#closed || this.#connected || this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      // Listen first, then reload: a commit made in between is in the reload or is heard, never lost.
      await this.#listen();
      await this.#catchUp(true);
    } catch {
      await this.#unlisten();
      this.#reconnecting = false;
      this.#scheduleReconnect();
      return;
    }
    this.#reconnecting = false;
    if (this.#closed) {
      // close() ran while this reconnection was under way: end what it could not see.
      const listener = this.#listener;
      this.#listener = undefined;
      this.#connected = false;
      await listener?.end().catch(() => undefined);
      return;
    }
    this.#options.log(`reconnected to the configuration store (${this.description})`);
    this.#changed();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the store is closed');
  }
}

/** withIntegers turns bigint columns (text from node-postgres) into numbers for the row readers. */
function withIntegers(row: Record<string, unknown>, columns: readonly string[]): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = columns.includes(k) && typeof v === 'string' ? Number(v) : (v as string | number | null);
  return out;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('stopped while waiting for the configuration store'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('stopped while waiting for the configuration store'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * settlesWithin resolves true when `work` succeeds within `ms`, false when it is still running
 * then (it goes on, its outcome ignored); its failure within `ms` is thrown.
 */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work.then(() => true), late]).finally(() => clearTimeout(timer));
}

/**
 * connectionString is the URL with the given password in it. node-postgres lets every field of
 * a connection string override the same field given beside it, a missing password included, so
 * a password from a file or PGPASSWORD has to travel inside the URL (percent-encoded, as the
 * URL's reader decodes it). The URL with the password exists only here; messages name the
 * store by `description`, made from the URL the user gave.
 */
function connectionString(options: PostgresStoreOptions): string {
  if (options.password === undefined) return options.url;
  const url = new URL(options.url);
  url.password = encodeURIComponent(options.password);
  return url.toString();
}
