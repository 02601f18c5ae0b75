/**
 * GatehouseProcess: a real `gatehouse serve` child process on an ephemeral port with a temporary
 * data directory and a known token, for provider tests that need the live API and engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ROOT is the package root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** NODE24 is the project's own Node 24. */
export const NODE24 = join(ROOT, 'node_modules', '.bin', 'node');

/** GatehouseProcess owns one `gatehouse serve` child. */
export class GatehouseProcess {
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #closed = false;

  private constructor(url: string, token: string, dataDir: string, child: ChildProcess, exited: Promise<void>) {
    this.url = url;
    this.token = token;
    this.dataDir = dataDir;
    this.#child = child;
    this.#exited = exited;
  }

  /** start launches the server and resolves once it prints where the API listens. */
  static async start(token = `test-token-${process.pid}-${Date.now()}`): Promise<GatehouseProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-provider-test-'));
    const child = spawn(NODE24, [join(ROOT, 'cli', 'gatehouse.ts'), 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], {
      cwd: ROOT,
      env: { ...process.env, GATEHOUSE_TOKEN: token, GATEHOUSE_MASTER_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    let output = '';
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gatehouse serve did not start within 20 s: ${output}`)), 20_000);
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`gatehouse serve exited with ${code}: ${output}`));
      });
    }).catch(async (err: unknown) => {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    });
    return new GatehouseProcess(url, token, dataDir, child, exited);
  }

  /** api calls the management API with the token; returns status and parsed body. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  }

  /** close stops the server (SIGTERM, then SIGKILL) and removes its data; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#child.kill('SIGTERM');
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(killer);
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
