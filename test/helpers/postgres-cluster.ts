/**
 * startPostgres: a throwaway PostgreSQL server for the tests of the PostgreSQL store
 * (`gatehouse serve --store postgres://...`). Each cluster has its own temporary folder (data,
 * socket, server log) and its own port on 127.0.0.1, trusts the role `gatehouse` without a
 * password, and runs with durability off (fsync, synchronous commit, full-page writes: a
 * test's data dies with the test), so one starts in a second or two. A test makes a fresh
 * database per case with createDatabase, and may stop and start the server under traffic to
 * see the store ride out an outage.
 *
 * The binaries: initdb and pg_ctl from PATH, else from the newest /usr/lib/postgresql/<n>/bin
 * (Debian's package puts them there, off PATH). initdb refuses to run as root, so as root both
 * run as the `postgres` user through runuser, on a folder that user owns.
 *
 * Clean-up: tests call destroy() (in afterAll). A test process that dies first (an uncaught
 * error, SIGTERM or SIGKILL from the runner, where no 'exit' hook runs) would otherwise leave a
 * postmaster running forever, since nothing tells it that its starter is gone. So each cluster
 * has a watchdog: a detached `sh` that checks once a second whether the test process still
 * runs and, once it does not, stops the server (`pg_ctl stop -m immediate`) and removes the
 * folder. destroy() ends the watchdog.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { freePort } from './free-port.ts';

/** StartPostgresOptions say how to start a cluster. */
export interface StartPostgresOptions {
  /** The port on 127.0.0.1 (default: a free one, another if it is taken before the server binds it). */
  port?: number;
}

/** StopMode is pg_ctl's shutdown mode: 'fast' ends sessions and checkpoints, 'immediate' is a crash. */
export type StopMode = 'fast' | 'immediate';

/** ROLE is the superuser initdb makes, the one every URL names. */
const ROLE = 'gatehouse';
/** INITDB_TIMEOUT_MS bounds initdb (about a second without fsync). */
const INITDB_TIMEOUT_MS = 30_000;
/** PG_CTL_WAIT_S is how long pg_ctl waits for the server to start or stop (its -t). */
const PG_CTL_WAIT_S = 20;
/** PG_CTL_TIMEOUT_MS bounds the pg_ctl process itself, a little over its own wait. */
const PG_CTL_TIMEOUT_MS = (PG_CTL_WAIT_S + 5) * 1000;
/** SQL_TIMEOUT_MS bounds connecting and each statement of createDatabase. */
const SQL_TIMEOUT_MS = 10_000;
/** PORT_ATTEMPTS is how many free ports a start tries when another process takes the first. */
const PORT_ATTEMPTS = 3;
/** LOG_TAIL_LINES is how much of the server log a failure carries. */
const LOG_TAIL_LINES = 30;
/** DEBIAN_PG is where Debian installs each PostgreSQL major version (`<n>/bin`). */
const DEBIAN_PG = '/usr/lib/postgresql';
/** BIND_FAILED is the server log's word for a port another process holds. */
const BIND_FAILED = /could not bind|Address already in use/;

/**
 * WATCHDOG is the script of a cluster's watchdog, its arguments being the test process's pid,
 * the folder to remove and the stop command: wait for the pid to vanish, stop, remove.
 */
const WATCHDOG = 'owner=$0; dir=$1; shift; while kill -0 "$owner" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$dir"';

/** PostgresCluster is one running (or stopped) PostgreSQL server and its temporary folder. */
export class PostgresCluster {
  /** The temporary folder: `data/`, the server's socket and `server.log`. destroy() removes it. */
  readonly dir: string;
  #port: number;
  #running = false;
  #destroyed = false;
  #watchdog: number | undefined;
  /** #lifecycle serializes start, stop and destroy, so that a test's overlapping calls take turns. */
  #lifecycle: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.#port = port;
  }

  /** port is the server's TCP port on 127.0.0.1. */
  get port(): number {
    return this.#port;
  }

  /** url is the URL of the `postgres` maintenance database, as the superuser `gatehouse`. */
  get url(): string {
    return this.#urlOf('postgres');
  }

  /** running tells whether the server was started and not stopped since. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * createDatabase creates an empty database (named `name`, else a unique random name) and
   * returns its URL, so each test case gets a store of its own on one server.
   */
  async createDatabase(name?: string): Promise<string> {
    this.#alive();
    return createDatabase(this.url, name);
  }

  /** stop shuts the server down (pg_ctl stop -m `mode`, default fast); data and port are kept for start(). */
  stop(mode: StopMode = 'fast'): Promise<void> {
    return this.#serially(async () => {
      this.#alive();
      if (!this.#running) return;
      await pgCtl(this.dir, ['stop', '-w', '-t', String(PG_CTL_WAIT_S), '-D', dataDir(this.dir), '-m', mode]);
      this.#running = false;
    });
  }

  /** start starts the server again after stop(), on the same port and data; a no-op when it runs. */
  start(): Promise<void> {
    return this.#serially(async () => {
      this.#alive();
      if (this.#running) return;
      await this.#startServer();
    });
  }

  /**
   * destroy stops the server if it runs (immediate: the data is thrown away), ends the watchdog
   * and removes the folder; idempotent. Should pg_ctl fail to stop it, the postmaster is killed
   * by the pid in its lock file.
   */
  destroy(): Promise<void> {
    return this.#serially(async () => {
      if (this.#destroyed) return;
      this.#destroyed = true;
      let failure: Error | undefined;
      const wasRunning = this.#running;
      // A lock file while not running is a start that failed half way (pg_ctl gave up waiting).
      if (wasRunning || existsSync(join(dataDir(this.dir), 'postmaster.pid'))) {
        try {
          await pgCtl(this.dir, ['stop', '-w', '-t', String(PG_CTL_WAIT_S), '-D', dataDir(this.dir), '-m', 'immediate']);
        } catch (err) {
          if (wasRunning) failure = err instanceof Error ? err : new Error(String(err));
          await this.#killPostmaster();
        }
        this.#running = false;
      }
      if (this.#watchdog !== undefined) signalGroup(this.#watchdog, 'SIGTERM');
      this.#watchdog = undefined;
      await rm(this.dir, { recursive: true, force: true });
      if (failure !== undefined) throw failure;
    });
  }

  /**
   * open makes the folder, hands it to the `postgres` user when we are root, starts the
   * watchdog (so even a death during initdb leaves nothing behind), runs initdb and starts the
   * server; a port another process takes first is replaced by another free one unless the
   * caller chose it. Any failure destroys what was made and throws.
   */
  static async open(options: StartPostgresOptions): Promise<PostgresCluster> {
    const bin = postgresBinDir();
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pg-'));
    const cluster = new PostgresCluster(dir, options.port ?? (await freePort()));
    try {
      if (isRoot()) await run('chown', ['-R', 'postgres:', dir], INITDB_TIMEOUT_MS, dir);
      cluster.#watchdog = startWatchdog(dir);
      await run(...asServerUser(join(bin, 'initdb'), ['-D', dataDir(dir), '-A', 'trust', '-U', ROLE, '--no-sync', '-E', 'UTF8', '--locale=C']), INITDB_TIMEOUT_MS, dir);
      for (let attempt = 1; ; attempt++) {
        try {
          await cluster.#startServer();
          return cluster;
        } catch (err) {
          const retry = options.port === undefined && attempt < PORT_ATTEMPTS && err instanceof Error && BIND_FAILED.test(err.message);
          if (!retry) throw err;
          cluster.#port = await freePort();
        }
      }
    } catch (err) {
      await cluster.destroy().catch(() => undefined);
      throw err;
    }
  }

  /** #startServer runs pg_ctl start and waits until the server accepts connections. */
  async #startServer(): Promise<void> {
    const settings = [
      '-c listen_addresses=127.0.0.1',
      `-p ${this.#port}`,
      `-k ${shellQuote(this.dir)}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    await pgCtl(this.dir, ['start', '-w', '-t', String(PG_CTL_WAIT_S), '-D', dataDir(this.dir), '-l', logFile(this.dir), '-o', settings]);
    this.#running = true;
  }

  /**
   * #killPostmaster kills the server by the pid on the first line of its lock file, if that
   * process is a postgres (a stale lock file's pid may name another process by now).
   */
  async #killPostmaster(): Promise<void> {
    const lock = await readFile(join(dataDir(this.dir), 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(lock.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return;
    const command = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (command.trim() !== 'postgres') return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  #urlOf(database: string): string {
    return `postgres://${ROLE}@127.0.0.1:${this.#port}/${encodeURIComponent(database)}`;
  }

  #alive(): void {
    if (this.#destroyed) throw new Error(`the PostgreSQL cluster on port ${this.#port} was destroyed`);
  }

  #serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#lifecycle.then(step);
    this.#lifecycle = next.catch(() => undefined);
    return next;
  }
}

/**
 * createDatabase makes a fresh empty database (a unique random name when none is given) on the
 * server `clusterUrl` points at and returns its URL. Test files in other processes than the
 * one that started the cluster (vitest's workers) reach it this way, knowing only its URL.
 */
export async function createDatabase(clusterUrl: string, name = `gatehouse_test_${randomBytes(6).toString('hex')}`): Promise<string> {
  const client = new Client({ connectionString: clusterUrl, connectionTimeoutMillis: SQL_TIMEOUT_MS, query_timeout: SQL_TIMEOUT_MS });
  // A connection the server drops is reported as an 'error' event too; the awaited call below says it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/**
 * startPostgres initdbs a fresh cluster in a temporary folder and starts it on 127.0.0.1;
 * the caller destroys it. A failure throws with the tail of the server log.
 */
export function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  return PostgresCluster.open(options);
}

/** postgresBinDir is the folder holding initdb and pg_ctl: the first on PATH with both, else Debian's newest. */
function postgresBinDir(): string {
  const has = (d: string): boolean => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'));
  const onPath = (process.env.PATH ?? '').split(delimiter).find((d) => d !== '' && has(d));
  if (onPath !== undefined) return onPath;
  const versions = existsSync(DEBIAN_PG) ? readdirSync(DEBIAN_PG).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const debian = versions.map((v) => join(DEBIAN_PG, v, 'bin')).find(has);
  if (debian === undefined) throw new Error(`PostgreSQL's server binaries (initdb, pg_ctl) are neither on PATH nor under ${DEBIAN_PG}/<version>/bin; install the postgresql package (.ci/run does)`);
  return debian;
}

/** pgCtl runs pg_ctl as the server's user; a failure carries pg_ctl's output and the server log's tail. */
async function pgCtl(dir: string, args: readonly string[]): Promise<void> {
  try {
    await run(...asServerUser(join(postgresBinDir(), 'pg_ctl'), args), PG_CTL_TIMEOUT_MS, dir);
  } catch (err) {
    const log = await logTail(dir);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- server log (last ${LOG_TAIL_LINES} lines) ---\n${log}`, { cause: err });
  }
}

/**
 * run runs a command in `cwd` (a folder the server's user can enter: initdb stops when it
 * cannot read its working directory), killing it after `timeoutMs`; a failure says the command
 * and what it printed.
 */
function run(file: string, args: readonly string[], timeoutMs: number, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: childEnv(), timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err === null) return resolve();
      const how = err.killed ? `killed after ${timeoutMs} ms` : `failed (${err.code ?? err.signal ?? err.message})`;
      reject(new Error(`${[file, ...args].join(' ')} ${how}:\n${stdout}${stderr}`, { cause: err }));
    });
  });
}

/** asServerUser prefixes runuser when we are root, so the binary runs as `postgres`. */
function asServerUser(file: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, [...args]];
}

/**
 * startWatchdog starts the detached shell that stops the server and removes `dir` once this
 * process is gone, and returns its pid (a process group of its own, so the runner's signals
 * to ours do not reach it).
 */
function startWatchdog(dir: string): number | undefined {
  const [file, args] = asServerUser(join(postgresBinDir(), 'pg_ctl'), ['stop', '-w', '-t', '10', '-D', dataDir(dir), '-m', 'immediate']);
  const child = spawn('sh', ['-c', WATCHDOG, String(process.pid), dir, file, ...args], { cwd: '/', env: childEnv(), detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return child.pid;
}

/** signalGroup signals the process group `pid` leads (a watchdog and its `sleep`), if it still runs. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** childEnv is our environment without libpq's PG* variables (which would redirect pg_ctl), in the C locale so messages read alike. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  return env;
}

/** logTail is the end of the server log, or a note that there is none. */
async function logTail(dir: string): Promise<string> {
  const text = await readFile(logFile(dir), 'utf8').catch(() => undefined);
  if (text === undefined) return '(no server log)';
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}

function dataDir(dir: string): string {
  return join(dir, 'data');
}

function logFile(dir: string): string {
  return join(dir, 'server.log');
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** shellQuote quotes a word for the shell command line pg_ctl builds from its -o options. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
