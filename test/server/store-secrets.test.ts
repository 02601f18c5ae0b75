/**
 * The store on disk: versioned migrations, WAL with synchronous=FULL, one process per data
 * directory, private keys sealed with AES-256-GCM under the master key (file mode 0600 or
 * GATEHOUSE_MASTER_KEY), and a data directory that never holds a key in plain text.
 */
import { randomBytes } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, migrate, openDatabase, schemaVersion } from '../../server/store/database.ts';
import { MIGRATIONS } from '../../server/store/migrations.ts';
import { Store } from '../../server/store/store.ts';
import { SecretBox } from '../../server/secrets/secret-box.ts';
import { parseMasterKey } from '../../server/secrets/master-key.ts';
import { buildApp } from '../../server/app.ts';
import { issueCertificate, type Issued } from '../helpers/pki.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let ec: Issued;
let rsa: Issued;
beforeAll(async () => {
  [ec, rsa] = await Promise.all([issueCertificate({ commonName: 'a.example' }), issueCertificate({ commonName: 'b.example', keyType: 'rsa' })]);
});

describe('migrations', () => {
  it('stamp the layout version and are not re-applied', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, DATABASE_FILE));
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(() => migrate(db, MIGRATIONS)).not.toThrow();
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['events', 'idempotency_keys', 'meta', 'resources']));
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).toBe(2);
    db.close();
  });

  it('apply a later migration to an existing store', () => {
    const dir = tempDir();
    openDatabase(join(dir, DATABASE_FILE)).close();
    const next = [...MIGRATIONS, { version: MIGRATIONS.at(-1)!.version + 1, description: 'test', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' }];
    const db = openDatabase(join(dir, DATABASE_FILE), next);
    expect(schemaVersion(db)).toBe(next.at(-1)!.version);
    db.close();
  });

  it('refuse a store written by a newer release', () => {
    const dir = tempDir();
    const raw = new DatabaseSync(join(dir, DATABASE_FILE));
    raw.exec('PRAGMA user_version = 999');
    raw.close();
    expect(() => openDatabase(join(dir, DATABASE_FILE))).toThrow(/newer than this release/);
  });

  it('a second process (connection) cannot open a data directory in use', () => {
    const dir = tempDir();
    const first = Store.open({ dataDir: dir, env: {} });
    try {
      expect(() => Store.open({ dataDir: dir, env: {} })).toThrow(/in use by another gatehouse process|locked/);
    } finally {
      first.closeNow();
    }
    Store.open({ dataDir: dir, env: {} }).closeNow();
  });
});

describe('secret sealing', () => {
  it('AES-256-GCM round-trips and rejects a wrong context, key or tampered byte', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('secret text', 'resource:a');
    expect(box.open(sealed, 'resource:a')).toBe('secret text');
    expect(() => box.open(sealed, 'resource:b')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'resource:a')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(tampered, 'resource:a')).toThrow();
    // A fresh nonce each time: the same plaintext never seals to the same bytes.
    expect(Buffer.from(box.seal('secret text', 'resource:a')).equals(Buffer.from(sealed))).toBe(false);
  });

  it('the generated master key file is 32 bytes with mode 0600', () => {
    const dir = tempDir();
    Store.open({ dataDir: dir, env: {} }).closeNow();
    const path = join(dir, 'master-key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(parseMasterKey(readFileSync(path, 'utf8'))).toHaveLength(32);
    expect(statSync(dir).mode & 0o077).toBe(0);
  });

  it('GATEHOUSE_MASTER_KEY is used instead of a file, and a different key is refused', () => {
    const dir = tempDir();
    const key = randomBytes(32).toString('hex');
    Store.open({ dataDir: dir, env: { GATEHOUSE_MASTER_KEY: key } }).closeNow();
    expect(existsSync(join(dir, 'master-key'))).toBe(false);
    Store.open({ dataDir: dir, env: { GATEHOUSE_MASTER_KEY: key } }).closeNow();
    expect(() => Store.open({ dataDir: dir, env: { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') } })).toThrow(/master key does not match/);
    expect(() => Store.open({ dataDir: dir, env: { GATEHOUSE_MASTER_KEY: 'short' } })).toThrow(/GATEHOUSE_MASTER_KEY/);
  });

  it('the data directory never contains a private key in plain text', async () => {
    const dir = tempDir();
    const store = Store.open({ dataDir: dir, env: {} });
    const app = await buildApp({ store, token: 'scan-token-1234567890' });
    const auth = { authorization: 'Bearer scan-token-1234567890', 'content-type': 'application/json' };
    const needles: Buffer[] = [];
    for (const [i, c] of [ec, rsa].entries()) {
      const res = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { ...auth, 'idempotency-key': `scan-${i}` }, payload: { name: `scan-${i}`, certificatePem: c.certPem, privateKeyPem: c.keyPem } });
      expect(res.statusCode).toBe(201);
      // Dry runs and rejected writes must not leave key bytes in freed pages or the WAL either.
      await app.inject({ method: 'POST', url: '/v1/certificates?dryRun=true', headers: auth, payload: { name: `dry-${i}`, certificatePem: c.certPem, privateKeyPem: c.keyPem } });
      await app.inject({ method: 'PUT', url: `/v1/certificates/${res.json().id}`, headers: auth, payload: { name: `scan-${i}`, certificatePem: c.certPem, privateKeyPem: c.keyPem } });
      const der = createPrivateKey(c.keyPem).export({ format: 'der', type: 'pkcs8' });
      needles.push(Buffer.from(c.keyPem), der, Buffer.from(der.toString('base64').slice(0, 48)), Buffer.from('PRIVATE KEY'));
    }
    const scan = () => {
      for (const name of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, name));
        for (const needle of needles) expect(bytes.includes(needle), `${name} contains key material`).toBe(false);
      }
    };
    expect(readdirSync(dir)).toContain(`${DATABASE_FILE}-wal`);
    scan();
    await app.close();
    store.closeNow();
    scan();
  });
});
