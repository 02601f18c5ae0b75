/**
 * SPEC §4 `gatehouse serve` and `gatehouse status` as real processes on real sockets: what serve
 * prints, the generated admin token (mode 0600), flags winning over variables, --token-file,
 * a graceful stop on SIGTERM that lets in-flight requests finish, the status table, and
 * `npx gatehouse` running on Node 24.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManagementClient, resourcePath } from '../../client/management-client.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { Backend } from '../server/support/live.ts';
import { cleanEnv, GATEHOUSE_CLI, GatehouseServe } from '../helpers/gatehouse-serve.ts';

const run = promisify(execFile);
const procs: GatehouseServe[] = [];
const dirs: string[] = [];
const clients: ManagementClient[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  dirs.push(d);
  return d;
}
async function serve(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<GatehouseServe> {
  const p = await GatehouseServe.start({ args, env, cwd });
  procs.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** client is a management API client for the server at `url` (closed after each test). */
function client(url: string, token?: string): ManagementClient {
  const c = new ManagementClient({ endpoint: url, token });
  clients.push(c);
  return c;
}

/** answer says how the API at `url` answers a list call with `token`: 'ok', or the code it refuses with. */
async function answer(url: string, token?: string): Promise<string> {
  try {
    await client(url, token).get(resourcePath('load-balancers'));
    return 'ok';
  } catch (err) {
    if (err instanceof GatehouseError) return err.code;
    throw err;
  }
}

describe('gatehouse serve', () => {
  it('prints where the API listens and where the generated token is (mode 0600)', async () => {
    const dir = tempDir();
    const p = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0']);
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokenPath = join(dir, 'admin-token');
    expect(p.stdout).toContain(tokenPath);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenPath, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await client(p.url).get('/v1/healthz')).body).toEqual({ status: 'ok' });
    expect(await answer(p.url)).toBe('UNAUTHENTICATED');
    expect(await answer(p.url, token)).toBe('ok');
  });

  it('keeps the token across restarts', async () => {
    const dir = tempDir();
    const first = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0']);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    await first.kill('SIGTERM');
    const second = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0']);
    expect(second.stdout).not.toContain('(generated)');
    expect(await answer(second.url, token)).toBe('ok');
  });

  it('reads GATEHOUSE_DATA_DIR, GATEHOUSE_LISTEN and GATEHOUSE_TOKEN; a flag wins over its variable', async () => {
    const envDir = tempDir();
    const flagDir = tempDir();
    const port = await freePort();
    const p = await serve(['--data-dir', flagDir], { GATEHOUSE_DATA_DIR: envDir, GATEHOUSE_LISTEN: `127.0.0.1:${port}`, GATEHOUSE_TOKEN: 'env-token-abcdefghijklmnop' });
    expect(p.url).toBe(`http://127.0.0.1:${port}`);
    expect(p.stdout).toContain(`data directory: ${flagDir}`);
    expect(await answer(p.url, 'env-token-abcdefghijklmnop')).toBe('ok');
    await p.kill('SIGTERM');
    const q = await serve(['--listen', '127.0.0.1:0', '--token', 'flag-token-abcdefghijklmnop'], { GATEHOUSE_DATA_DIR: envDir, GATEHOUSE_LISTEN: `127.0.0.1:${port}`, GATEHOUSE_TOKEN: 'env-token-abcdefghijklmnop' });
    expect(q.url).not.toBe(`http://127.0.0.1:${port}`);
    expect(q.stdout).toContain(`data directory: ${envDir}`);
    expect(await answer(q.url, 'flag-token-abcdefghijklmnop')).toBe('ok');
    expect(await answer(q.url, 'env-token-abcdefghijklmnop')).toBe('UNAUTHENTICATED');
  });

  it('--token-file reads the token, or creates the file with a fresh one', async () => {
    const dir = tempDir();
    const file = join(dir, 'given-token');
    writeFileSync(file, 'file-token-abcdefghijklmnop\n');
    const p = await serve(['--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--token-file', file]);
    expect(p.stdout).toContain(file);
    expect(await answer(p.url, 'file-token-abcdefghijklmnop')).toBe('ok');
    const fresh = join(dir, 'fresh-token');
    const q = await serve(['--data-dir', join(dir, 'data2'), '--listen', '127.0.0.1:0', '--token-file', fresh]);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(await answer(q.url, readFileSync(fresh, 'utf8').trim())).toBe('ok');
  });

  it('refuses a bad flag or address with exit 1 and the usage', async () => {
    await expect(run(process.execPath, [GATEHOUSE_CLI, 'serve', '--listen', 'nowhere'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('HOST:PORT') });
    await expect(run(process.execPath, [GATEHOUSE_CLI, 'serve', '--colour'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Usage: gatehouse serve') });
    for (const bad of ['0', '257', '1.5', 'two']) {
      await expect(run(process.execPath, [GATEHOUSE_CLI, 'serve', '--workers', bad])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`--workers must be a whole number from 1 to 256, got "${bad}"`) });
    }
    await expect(run(process.execPath, [GATEHOUSE_CLI, 'serve'], { env: { ...process.env, GATEHOUSE_WORKERS: 'many' } })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('GATEHOUSE_WORKERS must be a whole number from 1 to 256, got "many"'),
    });
  });

  it('refuses cluster settings that cannot work, naming them, and never prints a password', async () => {
    const dir = tempDir();
    const serveWith = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code?: unknown; stderr?: string }> =>
      run(process.execPath, [GATEHOUSE_CLI, 'serve', '--data-dir', dir, ...args], { env: { ...cleanEnv(), ...env } }).then(
        () => ({ code: 0 }),
        (err: { code?: unknown; stderr?: string }) => err,
      );
    const mysql = await serveWith(['--store', 'mysql://root:hunter2@db/gh', '--token', 'x']);
    expect(mysql).toMatchObject({ code: 1, stderr: expect.stringMatching(/--store must be a postgres:\/\/ URL, got "root@db:\d*\/gh"/) });
    expect(mysql.stderr).not.toContain('hunter2');
    expect(await serveWith(['--store', 'postgres://gh:secret@127.0.0.1:1/gh'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--store needs the admin token every node shares: give --token-file FILE or --token / GATEHOUSE_TOKEN'),
    });
    const noKey = await serveWith(['--store', 'postgres://gh:secret@127.0.0.1:1/gh', '--token', 'tok-0123456789']);
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringContaining('a PostgreSQL store needs the master key every node shares: set GATEHOUSE_MASTER_KEY or --master-key-file') });
    expect(noKey.stderr).not.toContain('secret');
    expect(await serveWith(['--bind-address', 'localhost'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--bind-address must be an IP address, got "localhost"') });
    expect(await serveWith([], { GATEHOUSE_BIND_ADDRESS: '127.0.0.256' })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('GATEHOUSE_BIND_ADDRESS must be an IP address, got "127.0.0.256"'),
    });
    expect(await serveWith(['--node-name', 'a\tb'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--node-name must be at most 200 characters') });
  });

  it('waiting for a PostgreSQL store that does not answer, it says so, and SIGTERM ends the wait', async () => {
    const dir = tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [GATEHOUSE_CLI, 'serve', '--data-dir', dir, '--store', `postgres://gatehouse:secret-pw@127.0.0.1:${port}/gh`, '--token', 'tok-0123456789abcdef', '--listen', '127.0.0.1:0'], {
      env: { ...cleanEnv(), GATEHOUSE_MASTER_KEY: 'ab'.repeat(32) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      await eventually(() => expect(stderr).toMatch(new RegExp(`waiting for the configuration store \\(PostgreSQL gatehouse@127\\.0\\.0\\.1:${port}/gh\\): .*ECONNREFUSED.*; retrying in`)), 20_000);
      const signalled = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(stderr).toContain('stopped while waiting for the configuration store');
      expect(stderr).not.toContain('secret-pw');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--workers 2: two engine processes; their access-log lines reach standard output whole; Ctrl-C reaching a worker does not stop it', async () => {
    const dir = tempDir();
    const backend = await new Backend('logged').start();
    try {
      const p = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0', '--workers', '2']);
      expect(p.stdout).toContain('  engine:         2 worker processes\n');
      const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
      const api = client(p.url, token);
      const post = async (collection: string, body: unknown) => (await api.post<any>(resourcePath(collection), body)).body;
      const lb = await post('load-balancers', { name: 'logged' });
      const sg = await post('server-groups', { name: 'logged', servers: [{ address: '127.0.0.1', port: backend.port }], healthCheck: { enabled: false } });
      const port = await freePort();
      const listener = await post('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
      await eventually(async () => expect((await api.listAll<any>('listeners', { loadBalancerId: lb.id }))[0].status).toBe('Running'));
      const health = async () => (await (await fetch(`${p.url}/v1/healthz`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
      const workers = (await health()).engine.workers as { pid: number }[];
      expect(workers).toHaveLength(2);
      // A terminal's Ctrl-C reaches every process of the group: the workers leave stopping to the server.
      for (const w of workers) process.kill(w.pid, 'SIGINT');
      const answers = await Promise.all(
        Array.from({ length: 8 }, async () => {
          let ok = 0;
          for (let i = 0; i < 40; i++) {
            const r = await request(`http://127.0.0.1:${port}/`, { reset: true });
            await r.body.text();
            if (r.statusCode === 200) ok++;
          }
          return ok;
        }),
      );
      expect(answers.reduce((x, y) => x + y, 0)).toBe(320);
      const after = await health();
      expect(after.engine.workers.map((w: { restarts: number; state: string }) => [w.state, w.restarts])).toEqual([
        ['running', 0],
        ['running', 0],
      ]);
      const logged = () => p.stdout.split('\n').filter((l) => l.includes(listener.id));
      await eventually(() => expect(logged()).toHaveLength(320));
      for (const line of logged()) expect(JSON.parse(line)).toMatchObject({ listenerId: listener.id, status: 200 });
    } finally {
      await backend.close();
    }
  });

  it("no engine worker outlives its node: SIGKILL of serve ends its workers; workers get neither the master key nor the token", async () => {
    const dir = tempDir();
    const masterKey = 'ab'.repeat(32);
    const p = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0'], { GATEHOUSE_WORKERS: '2', GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_TOKEN: 'env-token-abcdefghijklmnop', WORKER_ENV_MARK: 'kept' });
    expect(p.stdout).toContain('  engine:         2 worker processes\n');
    const health = (await (await fetch(`${p.url}/v1/healthz`, { headers: { authorization: 'Bearer env-token-abcdefghijklmnop' } })).json()) as any;
    const pids = (health.engine.workers as { pid: number }[]).map((w) => w.pid);
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('WORKER_ENV_MARK=kept');
      expect(environ.some((v) => v.startsWith('GATEHOUSE_MASTER_KEY=') || v.startsWith('GATEHOUSE_TOKEN='))).toBe(false);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      expect(cmdline).not.toContain(masterKey);
      expect(cmdline).not.toContain('PRIVATE KEY');
    }
    // A running listener keeps a worker's event loop busy: only the worker's own watch of its node ends it.
    const api = client(p.url, 'env-token-abcdefghijklmnop');
    const post = async (collection: string, body: unknown) => (await api.post<any>(resourcePath(collection), body)).body;
    const lb = await post('load-balancers', { name: 'orphans' });
    const sg = await post('server-groups', { name: 'orphans', servers: [{ address: '127.0.0.1', port: 9 }], healthCheck: { enabled: false } });
    await post('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: await freePort(), defaultServerGroupId: sg.id });
    await eventually(async () => expect((await api.listAll<any>('listeners', { loadBalancerId: lb.id }))[0].status).toBe('Running'));
    p.child.kill('SIGKILL');
    await p.exited;
    await eventually(() => expect(pids.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '))).toEqual([]), 5000);
  });

  it('--workers 1 runs the engine in the server process, and the flag wins over GATEHOUSE_WORKERS', async () => {
    const p = await serve(['--data-dir', tempDir(), '--listen', '127.0.0.1:0', '--workers', '1'], { GATEHOUSE_WORKERS: '2' });
    expect(p.stdout).toContain('  engine:         in this process (--workers 1)\n');
  });

  it('stops gracefully on SIGTERM: an in-flight request through a listener completes', async () => {
    const dir = tempDir();
    const backend = await new Backend('slow').start();
    backend.delayMs = 1500;
    try {
      const p = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0', '--workers', '2']);
      const api = client(p.url, readFileSync(join(dir, 'admin-token'), 'utf8').trim());
      const post = async (collection: string, body: unknown) => (await api.post<any>(resourcePath(collection), body)).body;
      const lb = await post('load-balancers', { name: 'drain' });
      const sg = await post('server-groups', { name: 'slow', servers: [{ address: '127.0.0.1', port: backend.port }], healthCheck: { enabled: false } });
      const port = await freePort();
      await post('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
      await eventually(async () => expect((await api.listAll<any>('listeners', { loadBalancerId: lb.id }))[0].status).toBe('Running'));
      const inFlight = request(`http://127.0.0.1:${port}/slow`).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }));
      await new Promise((r) => setTimeout(r, 300));
      p.child.kill('SIGTERM');
      expect(await inFlight).toEqual({ status: 200, text: 'slow' });
      const exit = await p.exited;
      expect(exit.code).toBe(0);
      expect(p.stdout).toContain('stopped');
      await expect(request(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      await backend.close();
    }
  });
});

describe('gatehouse status', () => {
  it('prints the listeners and their status as a table', async () => {
    const dir = tempDir();
    const p = await serve(['--data-dir', dir, '--listen', '127.0.0.1:0']);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const api = client(p.url, token);
    const post = async (collection: string, body: unknown) => (await api.post<any>(resourcePath(collection), body)).body;
    const lb = await post('load-balancers', { name: 'status' });
    const sg = await post('server-groups', { name: 'status' });
    const port = await freePort();
    const l = await post('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
    const { stdout } = await run(process.execPath, [GATEHOUSE_CLI, 'status', '--endpoint', p.url, '--data-dir', dir]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^LISTENER\s+PROTOCOL\s+ADDRESS\s+STATUS/);
    expect(lines[1]).toMatch(new RegExp(`^${l.id}\\s+HTTP\\s+127\\.0\\.0\\.1:${port}\\s+Running\\s+${lb.id}`));
    // GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN work too; a wrong token is exit 1.
    const viaEnv = await run(process.execPath, [GATEHOUSE_CLI, 'status'], { env: { ...process.env, GATEHOUSE_ENDPOINT: p.url, GATEHOUSE_TOKEN: token } });
    expect(viaEnv.stdout).toContain(l.id);
    await expect(run(process.execPath, [GATEHOUSE_CLI, 'status', '--endpoint', p.url, '--token', 'wrong'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('UNAUTHENTICATED') });
  });
});

describe('npx gatehouse', () => {
  it('runs the command from the checkout on Node 24', async () => {
    const { stdout } = await run('npx', ['--no-install', 'gatehouse', '--version'], { cwd: join(import.meta.dirname, '../..'), env: { ...process.env } });
    const m = /gatehouse \S+ \(node v(\d+)\./.exec(stdout);
    expect(m, stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(24);
  });
});
