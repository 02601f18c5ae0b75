/**
 * The PostgreSQL store of record on its own (server/store/postgres): migrations that run once
 * whoever starts first, the master key check, what one node's commit does on another node's
 * copy, and how a node rides out losing the database: at start it waits, later it reloads.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../server/store/postgres/postgres-store.ts';
import { PG_MIGRATIONS } from '../../../server/store/postgres/pg-migrations.ts';
import { eventually } from '../../helpers/eventually.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres-cluster.ts';
import { TcpRelay } from '../../helpers/tcp-relay.ts';

let cluster: PostgresCluster;
const opened: PostgresStore[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const s of opened) await s.close();
  await cluster?.destroy();
});

async function open(url: string, key: Buffer, log: (m: string) => void = () => undefined): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url, masterKey: key, masterKeySource: 'test key', log, maxRetryDelayMs: 200 });
  opened.push(store);
  return store;
}

const STAMP = '2026-12-07T00:00:00.000Z';

/** createLb writes a load balancer row through a store's commit, as the service does. */
function createLb(store: PostgresStore, id: string): Promise<number> {
  const local = store.local;
  return store.commit(() => {
    local.resources.insert({ id, kind: 'LoadBalancer', version: 1, createdAt: STAMP, updatedAt: STAMP, body: { id, name: id }, secret: null });
    const revision = local.bumpRevision();
    local.events.append({ time: STAMP, action: 'create', kind: 'LoadBalancer', resourceId: id, version: 1, sourceAddress: 'test', revision });
    return revision;
  });
}

describe('PostgresStore', () => {
  it('nodes that start together on an empty database migrate it once', async () => {
    const url = await cluster.createDatabase();
    const key = randomBytes(32);
    const stores = await Promise.all([open(url, key), open(url, key), open(url, key)]);
    expect(stores).toHaveLength(3);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const layout = await client.query<{ version: number }>('SELECT version FROM gatehouse.layout ORDER BY version');
      expect(layout.rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    } finally {
      await client.end();
    }
  });

  it('a database whose layout is newer than this release is refused, not misread', async () => {
    const url = await cluster.createDatabase();
    const key = randomBytes(32);
    await open(url, key);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("INSERT INTO gatehouse.layout (version, description) VALUES (99, 'from a later release')");
    } finally {
      await client.end();
    }
    const latest = PG_MIGRATIONS.at(-1)!.version;
    await expect(open(url, key)).rejects.toThrow(`the PostgreSQL store has layout version 99, newer than this release understands (${latest}); upgrade gatehouse`);
  });

  it('a node given another master key refuses to start, saying so', async () => {
    const url = await cluster.createDatabase();
    await open(url, randomBytes(32));
    await expect(open(url, randomBytes(32))).rejects.toThrow(/master key \(test key\) does not match the configuration store/);
  });

  it("one node's commit is in another node's copy at its next read, and tells it through onChange", async () => {
    const url = await cluster.createDatabase();
    const key = randomBytes(32);
    const [a, b] = await Promise.all([open(url, key), open(url, key)]);
    let changes = 0;
    b.onChange(() => changes++);
    const revision = await createLb(a, 'alb-one');
    expect(a.local.resources.get('alb-one')?.version).toBe(1);
    expect(await b.readLatest(() => b.local.resources.get('alb-one')?.id)).toBe('alb-one');
    expect(b.local.revision()).toBe(revision);
    // The writer's copy took the row from its own journal, the reader's from the database: the same row.
    const [mine, theirs] = [a.local.resources.get('alb-one')!, b.local.resources.get('alb-one')!];
    expect({ ...mine, body: { ...mine.body } }).toEqual({ ...theirs, body: { ...theirs.body } });
    expect(a.local.revision()).toBe(revision);
    await eventually(() => expect(changes).toBeGreaterThan(0), 5000);
    const events = await b.auditEvents({ limit: 10 });
    expect(events.map((e) => [e.action, e.resourceId, e.revision])).toEqual([['create', 'alb-one', revision]]);
  });

  it('writes from several nodes at once are serialised: every one commits, revisions without gaps', async () => {
    const url = await cluster.createDatabase();
    const key = randomBytes(32);
    const nodes = await Promise.all([open(url, key), open(url, key), open(url, key)]);
    const revisions = await Promise.all(Array.from({ length: 30 }, (_, i) => createLb(nodes[i % 3]!, `alb-${i}`)));
    expect([...revisions].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const n of nodes) expect(await n.readLatest(() => n.local.resources.all('LoadBalancer').length)).toBe(30);
  });

  it('a dry run checks against the latest state and writes nothing', async () => {
    const url = await cluster.createDatabase();
    const key = randomBytes(32);
    const [a, b] = await Promise.all([open(url, key), open(url, key)]);
    await createLb(a, 'alb-seen');
    const seen = await b.commit(() => b.local.resources.get('alb-seen')?.id, { dryRun: true });
    expect(seen).toBe('alb-seen');
    await b.commit(() => b.local.bumpRevision(), { dryRun: true });
    expect(await a.readLatest(() => a.local.revision())).toBe(1);
  });

  it('a node started while the database is out of reach waits, says so, and opens when it is back', async () => {
    const url = new URL(await cluster.createDatabase());
    const relay = await TcpRelay.start(Number(url.port));
    await relay.cut();
    url.port = String(relay.port);
    const lines: string[] = [];
    const opening = open(url.toString(), randomBytes(32), (m) => lines.push(m));
    await eventually(() => expect(lines.some((l) => /waiting for the configuration store \(PostgreSQL gatehouse@127\.0\.0\.1:\d+\/\w+\)/.test(l))).toBe(true), 10_000);
    await relay.restore();
    const store = await opening;
    expect(store.local.revision()).toBe(0);
    await relay.close();
  });

  it('a node that loses the database answers reads from its copy, refuses writes with 503, and reloads when it returns', async () => {
    const url = new URL(await cluster.createDatabase());
    const key = randomBytes(32);
    const direct = await open(url.toString(), key);
    const relay = await TcpRelay.start(Number(url.port));
    url.port = String(relay.port);
    const lines: string[] = [];
    const cut = await open(url.toString(), key, (m) => lines.push(m));
    let changes = 0;
    cut.onChange(() => changes++);
    await createLb(direct, 'alb-before');
    await eventually(() => expect(cut.local.resources.get('alb-before')).toBeDefined(), 5000);

    await relay.cut();
    await eventually(() => expect(lines.some((l) => /lost the configuration store/.test(l))).toBe(true), 5000);
    expect(await cut.readLatest(() => cut.local.resources.get('alb-before')?.id)).toBe('alb-before');
    await expect(createLb(cut, 'alb-refused')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    await createLb(direct, 'alb-during');

    changes = 0;
    await relay.restore();
    await eventually(() => expect(lines.some((l) => /reconnected to the configuration store/.test(l))).toBe(true), 10_000);
    expect(cut.local.resources.get('alb-during')?.id).toBe('alb-during');
    expect(changes).toBeGreaterThan(0);
    expect(await direct.readLatest(() => direct.local.resources.get('alb-refused'))).toBeUndefined();
    await relay.close();
  });
});
