/**
 * The throwaway PostgreSQL server the PostgreSQL store's tests run on
 * (test/helpers/postgres-cluster.ts): databases it makes are separate, a stop really takes it
 * away, a start brings the same data back, and a test process that dies without destroying
 * its cluster leaves no server and no folder behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { eventually } from '../helpers/eventually.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres-cluster.ts';

/** HELPER is the helper's module, for the child process that starts a cluster and is killed. */
const HELPER = new URL('../helpers/postgres-cluster.ts', import.meta.url).href;

/** withClient connects to `url`, runs `fn`, and always disconnects. */
async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** hasTable tells whether the database at `url` has the table `public.<name>`. */
function hasTable(url: string, name: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`public.${name}`])).rows[0]?.t !== null);
}

describe('startPostgres', () => {
  const clusters: PostgresCluster[] = [];
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.destroy()));
  });

  it('makes separate databases whose data survives a stop and a start, and destroy removes it all', async () => {
    const pg = await startPostgres();
    clusters.push(pg);
    expect(pg.url).toBe(`postgres://gatehouse@127.0.0.1:${pg.port}/postgres`);

    const a = await pg.createDatabase();
    const b = await pg.createDatabase('gatehouse_named');
    expect(a).not.toBe(b);
    expect(b).toBe(`postgres://gatehouse@127.0.0.1:${pg.port}/gatehouse_named`);
    await withClient(a, async (c) => {
      await c.query('CREATE TABLE kept (id int PRIMARY KEY, body text NOT NULL)');
      await c.query("INSERT INTO kept VALUES (1, 'one')");
    });
    expect(await hasTable(a, 'kept')).toBe(true);
    expect(await hasTable(b, 'kept')).toBe(false);

    await pg.stop();
    expect(pg.running).toBe(false);
    await expect(withClient(a, (c) => c.query('SELECT 1'))).rejects.toThrow(/ECONNREFUSED/);

    await pg.start();
    const rows = await withClient(a, async (c) => (await c.query<{ id: number; body: string }>('SELECT id, body FROM kept')).rows);
    expect(rows).toEqual([{ id: 1, body: 'one' }]);

    await pg.stop('immediate');
    await pg.start();
    expect(await hasTable(a, 'kept')).toBe(true);

    await pg.destroy();
    await pg.destroy();
    expect(existsSync(pg.dir)).toBe(false);
    await expect(withClient(pg.url, (c) => c.query('SELECT 1'))).rejects.toThrow(/ECONNREFUSED/);
    await expect(pg.createDatabase()).rejects.toThrow(/destroyed/);
  }, 60_000);

  it('stops the server and removes its folder when the process that started it is killed', async () => {
    const script = `const { startPostgres } = await import(${JSON.stringify(HELPER)});
const pg = await startPostgres();
console.log(JSON.stringify({ url: pg.url, dir: pg.dir }));
setInterval(() => {}, 60_000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    try {
      const line = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
        exited.then(() => Promise.reject(new Error('the child ended before its cluster started'))),
      ]);
      const { url, dir } = JSON.parse(line) as { url: string; dir: string };
      expect(await withClient(url, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one)).toBe(1);

      child.kill('SIGKILL');
      await exited;
      await eventually(
        async () => {
          await expect(withClient(url, (c) => c.query('SELECT 1'))).rejects.toThrow(/ECONNREFUSED/);
          expect(existsSync(dir)).toBe(false);
        },
        { timeoutMs: 15_000, message: 'the killed process left its PostgreSQL server or folder behind' },
      );
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
