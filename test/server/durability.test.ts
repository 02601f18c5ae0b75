/**
 * SPEC §3 durability: a write answered 2xx survives kill -9 at any moment after it; a write not
 * answered leaves the old or the new state, never a mix. A child `gatehouse serve` takes a
 * burst of concurrent creates, updates and deletes and is killed with SIGKILL at a random
 * moment, 20 times; after each kill every acknowledged write is in the store and the store
 * passes its integrity check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient, type HttpMethod } from '../../client/management-client.ts';
import { NO_RETRY_POLICY } from '../../client/retry-policy.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { Store } from '../../server/store/store.ts';
import { issueCertificate, type Issued } from '../helpers/pki.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';

const TOKEN = 'durability-token-0123456789';
const ROUNDS = 20;
let dir: string;
let cert: Issued;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-durability-'));
  cert = await issueCertificate({ commonName: 'durable.example' });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the client was told: the last acknowledged state of each resource. */
interface Acked {
  version: number;
  name: string;
  deleted: boolean;
  /** A DELETE was sent and not answered: either state is allowed. */
  deleteSent?: boolean;
}

/**
 * call sends one request, never repeated (a repetition would blur which write was answered):
 * an answer gives its status (a refusal too); a request the killed process never answered throws.
 */
async function call(api: ManagementClient, method: HttpMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  try {
    return await api.request<any>(method, path, body, { headers, idempotencyKey: null });
  } catch (err) {
    if (err instanceof GatehouseError) return { status: err.status, body: err.toProblem() };
    throw err;
  }
}

/** One writer: creates, updates and deletes its own resources until the process dies. */
async function writer(url: string, round: number, n: number, acked: Map<string, Acked>): Promise<void> {
  const api = new ManagementClient({ endpoint: url, token: TOKEN, retry: NO_RETRY_POLICY, timeoutMs: 10_000 });
  try {
    await writes(api, round, n, acked);
  } finally {
    await api.close();
  }
}

async function writes(api: ManagementClient, round: number, n: number, acked: Map<string, Acked>): Promise<void> {
  const mine: string[] = [];
  for (let i = 0; ; i++) {
    try {
      const op = i % 5;
      if (op === 3 && mine.length > 0) {
        const id = mine[mine.length - 1]!;
        const a = acked.get(id)!;
        const name = `r${round}-w${n}-u${i}`;
        const res = await call(api, 'PUT', `/v1/server-groups/${id}`, { name }, { 'if-match': `"${a.version}"` });
        if (res.status === 200) acked.set(id, { version: res.body.version, name, deleted: false });
      } else if (op === 4 && mine.length > 1) {
        const id = mine.shift()!;
        acked.set(id, { ...acked.get(id)!, deleteSent: true });
        const res = await call(api, 'DELETE', `/v1/server-groups/${id}`);
        if (res.status === 204) acked.set(id, { ...acked.get(id)!, deleted: true });
      } else if (op === 2) {
        const name = `r${round}-w${n}-c${i}`;
        const res = await call(api, 'POST', '/v1/certificates', { name, certificatePem: cert.certPem, privateKeyPem: cert.keyPem });
        if (res.status === 201) acked.set(res.body.id, { version: 1, name, deleted: false });
      } else {
        const name = `r${round}-w${n}-g${i}`;
        const res = await call(api, 'POST', '/v1/server-groups', { name, servers: [{ address: '10.0.0.1', port: 1000 + (i % 1000) }] });
        if (res.status === 201) {
          acked.set(res.body.id, { version: 1, name, deleted: false });
          mine.push(res.body.id);
        }
      }
    } catch {
      return; // the process was killed: this request was never answered
    }
  }
}

function verify(acked: Map<string, Acked>): void {
  const store = Store.open({ dataDir: dir, env: {} });
  try {
    expect(store.checkIntegrity()).toEqual([]);
    for (const [id, a] of acked) {
      const row = store.resources.get(id);
      if (a.deleted) {
        expect(row, `${id} was deleted with 204`).toBeUndefined();
        continue;
      }
      if (row === undefined && a.deleteSent) continue;
      // An answered write is there; a later unanswered one may have moved it on, never back.
      expect(row, `${id} acknowledged but missing`).toBeDefined();
      expect(row!.version).toBeGreaterThanOrEqual(a.version);
      if (row!.version === a.version) expect(row!.body.name).toBe(a.name);
    }
  } finally {
    store.closeNow();
  }
}

describe('durability under kill -9', () => {
  it(`every acknowledged write survives ${ROUNDS} SIGKILLs at random moments`, async () => {
    const acked = new Map<string, Acked>();
    let answered = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const proc = await GatehouseServe.start({ args: ['--data-dir', dir, '--listen', '127.0.0.1:0', '--token', TOKEN] });
      const before = acked.size;
      const writers = Array.from({ length: 6 }, (_, n) => writer(proc.url, round, n, acked));
      await new Promise((r) => setTimeout(r, 80 + Math.floor(Math.random() * 400)));
      const exit = await proc.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      await Promise.all(writers);
      answered += acked.size - before;
      verify(acked);
    }
    // The burst really happened: writes were acknowledged and then survived the kills.
    expect(answered).toBeGreaterThan(ROUNDS * 3);
  }, 180_000);
});
