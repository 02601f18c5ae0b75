/**
 * The PostgreSQL store's password (SPEC §4): from --store-password-file, else PGPASSWORD, else
 * the URL; a wrong one fails the start at once with PostgreSQL's reason (it is not an outage to
 * wait out), and no message carries it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../server/store/postgres/open-postgres-store.ts';
import type { PostgresStore } from '../../../server/store/postgres/postgres-store.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres-cluster.ts';

const ROLE = 'gatehouse_node';
const MASTER_KEY = randomBytes(32).toString('hex');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
let cluster: PostgresCluster;
let url: string;
let dir: string;
const opened: PostgresStore[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-password-'));
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE DATABASE gh_password OWNER ${ROLE}`);
    // This role must prove its password over TCP; the cluster trusts its superuser as before.
    const hba = join(cluster.dir, 'data', 'pg_hba.conf');
    writeFileSync(hba, `host all ${ROLE} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
  url = `postgres://${ROLE}@127.0.0.1:${cluster.port}/gh_password`;
}, 60_000);
afterAll(async () => {
  for (const s of opened) await s.close();
  await cluster?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function open(settings: { passwordFile?: string; env?: NodeJS.ProcessEnv; url?: string }, log: (m: string) => void = () => undefined): Promise<PostgresStore> {
  return openPostgresStore({
    url: settings.url ?? url,
    passwordFile: settings.passwordFile,
    masterKeyFile: undefined,
    env: { GATEHOUSE_MASTER_KEY: MASTER_KEY, ...settings.env },
    log,
  }).then((s) => {
    opened.push(s);
    return s;
  });
}


describe('the PostgreSQL store password', () => {
  it('comes from --store-password-file (one trailing newline dropped)', async () => {
    const file = join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    const store = await open({ passwordFile: file });
    expect(store.description).toBe(`PostgreSQL ${ROLE}@127.0.0.1:${cluster.port}/gh_password`);
  });

  it('comes from PGPASSWORD when no file is given, and the file wins over it', async () => {
    await open({ env: { PGPASSWORD: PASSWORD } });
    const file = join(dir, 'password-wins');
    writeFileSync(file, PASSWORD);
    await open({ passwordFile: file, env: { PGPASSWORD: 'not-this-one' } });
  });

  it('a wrong password fails the start at once, with the reason and without the password', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const wrong = 'wrong-password-1234';
    const err = (await open({ env: { PGPASSWORD: wrong } }, (m) => lines.push(m)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/password authentication failed for user "gatehouse_node"/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lines.some((l) => /waiting for the configuration store/.test(l))).toBe(false);
    expect(`${err.message}${lines.join('')}`).not.toContain(wrong);
  });

  it('an empty password file is refused, naming the file', async () => {
    const file = join(dir, 'empty');
    writeFileSync(file, '\n');
    await expect(open({ passwordFile: file })).rejects.toThrow(`--store-password-file ${file}: the file is empty`);
  });
});
