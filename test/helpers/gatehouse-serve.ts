/**
 * GatehouseServe: `gatehouse serve` as a real child process, the way a user starts it, for every
 * test and bench that needs the live API and engine in another process. It waits for the whole
 * start banner (which may arrive in several chunks), reads the API URL and the admin token from
 * it, keeps what the process prints, and stops it with SIGTERM then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClientError } from '../../client/client-error.ts';
import { ManagementClient, type HttpMethod } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';

/** ROOT is the checkout, so tests can reach its commands and examples from any folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** GATEHOUSE_CLI is the `gatehouse` command's entry file, run by Node 24 directly. */
export const GATEHOUSE_CLI = join(ROOT, 'cli', 'gatehouse.ts');
/** PLUGIN is the provider plugin executable the Pulumi engine (or its stand-in) launches. */
export const PLUGIN = join(ROOT, 'provider', 'pulumi-resource-gatehouse');

/** COLLECTIONS are the API collections a Pulumi program can fill. */
export const COLLECTIONS = ['load-balancers', 'listeners', 'quic-listeners', 'certificates', 'tls-policies', 'server-groups'] as const;

/** ApiAnswer is a management API response: status and parsed body (the problem body of a refusal). */
export interface ApiAnswer {
  status: number;
  body: any;
}

/** ServeExit is how the child ended: an exit code, or the signal that ended it. */
export interface ServeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** ServeOptions say how to start `gatehouse serve`. */
export interface ServeOptions {
  /** Arguments after `serve`. */
  args?: readonly string[];
  /** Variables set on top of cleanEnv(). */
  env?: NodeJS.ProcessEnv;
  /** The child's working directory (default: this process's). */
  cwd?: string;
  /** A folder the server owns: close() removes it, and so does a failed start. */
  ownDir?: string;
  /** How long the whole banner may take (default 20 s). */
  timeoutMs?: number;
  /** Called with each chunk the process prints, from the first (before the banner, e.g. a wait for its store). */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting it kills the process with SIGKILL, during the start (which then fails) or after. */
  signal?: AbortSignal;
}

/** CLOSE_GRACE_MS is how long close() lets SIGTERM drain before it sends SIGKILL. */
const CLOSE_GRACE_MS = 5000;
/** BANNER is the start banner, complete: it ends with the engine line. */
const BANNER = /listening on (http:\/\/\S+)\n(?:.*\n)*? {2}engine: .*\n/;
const TOKEN_LINE = /^ {2}admin token: +(.*)$/m;
const GIVEN_TOKEN = /^given by /;
const GENERATED = / \(generated\)$/;

/** cleanEnv is this process's environment without settings that would redirect a child. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GATEHOUSE_') || k === 'NODE_OPTIONS') delete env[k];
  return env;
}

/** GatehouseServe owns one `gatehouse serve` child process (and, if given, its folder). */
export class GatehouseServe {
  /** The child, for tests that signal it themselves. */
  readonly child: ChildProcess;
  /** Settles once the child has exited and its output is read to the end. */
  readonly exited: Promise<ServeExit>;
  /** The folder close() removes, if the server owns one. */
  readonly dir: string | undefined;
  stdout = '';
  stderr = '';
  #output = '';
  #url = '';
  #token = '';
  #ended = false;
  #closed = false;
  #client: ManagementClient | undefined;
  readonly #args: readonly string[];
  readonly #env: NodeJS.ProcessEnv;
  readonly #watchers = new Set<() => void>();
  readonly #onOutput: ServeOptions['onOutput'];

  private constructor(o: ServeOptions) {
    this.#args = o.args ?? [];
    this.#onOutput = o.onOutput;
    this.#env = { ...cleanEnv(), ...o.env };
    this.dir = o.ownDir;
    this.child = spawn(nodeBinary(), [GATEHOUSE_CLI, 'serve', ...this.#args], { cwd: o.cwd, env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.#took(d, 'stdout'));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.#took(d, 'stderr'));
    const abort = () => this.child.kill('SIGKILL');
    if (o.signal?.aborted) abort();
    else o.signal?.addEventListener('abort', abort, { once: true });
    this.exited = new Promise((resolve) => {
      // A spawn error (no such binary) is followed by 'close' too.
      this.child.once('error', (err) => this.#took(`${err.message}\n`, 'stderr'));
      this.child.once('close', (code, signal) => {
        o.signal?.removeEventListener('abort', abort);
        this.#ended = true;
        for (const w of [...this.#watchers]) w();
        resolve({ code, signal });
      });
    });
  }

  /** start spawns `gatehouse serve <args>` and resolves once the whole banner is printed. */
  static async start(o: ServeOptions = {}): Promise<GatehouseServe> {
    const s = new GatehouseServe(o);
    try {
      const banner = await s.#until(() => BANNER.exec(s.stdout) ?? undefined, o.timeoutMs ?? 20_000, 'the start banner');
      s.#url = banner[1]!;
      s.#token = await s.#readToken(banner[0]);
      return s;
    } catch (err) {
      s.#closed = true;
      s.child.kill('SIGKILL');
      await s.exited;
      if (s.dir !== undefined) await rm(s.dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * startFresh starts a server as a user does on a new machine: a temporary folder (removed by
   * close()) holding the data directory and a generated admin token file, the API on an
   * ephemeral port of 127.0.0.1.
   */
  static async startFresh(timeoutMs?: number): Promise<GatehouseServe> {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-serve-'));
    const args = ['--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--token-file', join(dir, 'admin-token')];
    return GatehouseServe.start({ args, cwd: dir, ownDir: dir, timeoutMs });
  }

  /** url is where the management API listens, as the banner says. */
  get url(): string {
    return this.#url;
  }

  /** token is the admin token: from the file the banner names, else from --token / GATEHOUSE_TOKEN. */
  get token(): string {
    return this.#token;
  }

  /** client is the product's management API client for this server, with the admin token (closed by close()). */
  get client(): ManagementClient {
    this.#client ??= new ManagementClient({ endpoint: this.url, token: this.token });
    return this.#client;
  }

  /** output is stdout and stderr interleaved as they arrived (for failure messages). */
  get output(): string {
    return this.#output;
  }

  /** waitFor waits until stdout matches; it fails at the deadline or when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    return this.#until(() => pattern.exec(this.stdout) ?? undefined, timeoutMs, String(pattern));
  }

  /** kill sends a signal (if the process still runs) and resolves with its exit. */
  kill(signal: NodeJS.Signals): Promise<ServeExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** close stops the server (SIGTERM, SIGKILL after 5 s) and removes the folder it owns; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client?.close();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await this.kill('SIGTERM');
    clearTimeout(killer);
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * api calls the management API with the admin token and answers with the status and body
   * whatever the status: a refusal as its problem body, so that tests can expect a 404 or a 409.
   */
  async api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    try {
      const res = await this.client.request<any>(method.toUpperCase() as HttpMethod, path, body);
      return { status: res.status, body: res.body };
    } catch (err) {
      if (err instanceof GatehouseError) return { status: err.status, body: err.toProblem() };
      if (err instanceof ApiClientError && err.answer) return { status: err.answer.status, body: parsedOrText(err.answer.text) };
      throw err;
    }
  }

  /** list returns every item of a collection (following nextToken); system TLS policies are left out. */
  async list(collection: (typeof COLLECTIONS)[number]): Promise<any[]> {
    return (await this.client.listAll<any>(collection)).filter((i) => i.system !== true);
  }

  /** counts returns the number of user resources in each collection. */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const c of COLLECTIONS) out[c] = (await this.list(c)).length;
    return out;
  }

  /** events returns the audit log (every write the API accepted), oldest first. */
  async events(): Promise<any[]> {
    return (await this.client.get<{ items: any[] }>('/v1/events?limit=1000')).body.items;
  }

  #took(text: string, stream: 'stdout' | 'stderr'): void {
    this[stream] += text;
    this.#output += text;
    this.#onOutput?.(text, stream);
    for (const w of [...this.#watchers]) w();
  }

  /** #until resolves with the first defined probe result, checked on every chunk of output. */
  #until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const watch = () => {
        const found = probe();
        if (found !== undefined) return settle(() => resolve(found));
        if (this.#ended) settle(() => reject(new Error(`gatehouse serve ${this.#args.join(' ')} ended before ${what}:\n${this.#output}`)));
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`gatehouse serve ${this.#args.join(' ')}: no ${what} within ${timeoutMs} ms:\n${this.#output}`))), timeoutMs);
      const settle = (f: () => void) => {
        clearTimeout(timer);
        this.#watchers.delete(watch);
        f();
      };
      this.#watchers.add(watch);
      watch();
    });
  }

  /** #readToken follows the banner's admin token line to the token itself. */
  async #readToken(banner: string): Promise<string> {
    const line = TOKEN_LINE.exec(banner)?.[1];
    if (line === undefined) throw new Error(`gatehouse serve printed no admin token line:\n${banner}`);
    if (!GIVEN_TOKEN.test(line)) return (await readFile(line.replace(GENERATED, ''), 'utf8')).trim();
    const args = this.#args;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--token' && args[i + 1] !== undefined) return args[i + 1]!;
      if (args[i]!.startsWith('--token=')) return args[i]!.slice('--token='.length);
    }
    const fromEnv = this.#env.GATEHOUSE_TOKEN;
    if (fromEnv === undefined || fromEnv === '') throw new Error(`gatehouse serve says the token was given, but neither --token nor GATEHOUSE_TOKEN is set`);
    return fromEnv;
  }
}

/** parsedOrText is a body as JSON when it is JSON, else as its text. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** nodeBinary is the Node that runs the command: this one, which must be 24 or later to run TypeScript. */
function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) throw new Error(`Node ${process.versions.node} cannot run gatehouse; run through npm (npx node / npx vitest) to get Node 24`);
  return process.execPath;
}
