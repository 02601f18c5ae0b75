/**
 * Certificate rotation on a QUIC listener under HTTP/3 load (SPEC 1.3, E16). The listener's UDP
 * front routes new clients to a new generation of internal servers (the new certificate) while
 * connections opened before go on with the old one, untouched (no GOAWAY), until they end. What
 * SPEC says, measured here: nothing fails — every request is answered, no connection is closed or
 * refused, a connection opened before the rotation still serves requests after it (over the old
 * certificate it verified), and new connections get the new certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { h3Library, h3Request, quicSnapshot, type H3ClientSession } from './quic-support.ts';

let harness: EngineHarness;
let backend: TestBackend;
let caA: Issued;
let caB: Issued;
let certA: Issued;
let certB: Issued;
let port: number;

function connect(ca: Issued): Promise<H3ClientSession> {
  return h3Library().connectAsync(`127.0.0.1:${port}`, { ca: ca.certPem, servername: 'localhost', connectTimeoutMs: 5000 });
}

beforeAll(async () => {
  caA = await createCa('Rotation CA A');
  caB = await createCa('Rotation CA B');
  certA = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, caA);
  certB = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, caB);
  // A drain deadline longer than the test: connections of the old generation are never sent away here.
  harness = new EngineHarness({ drainTimeoutMs: 30_000 });
  // Each answer takes 30 ms, so requests are in flight whenever the rotation comes.
  backend = await startBackend('b', (_req, res) => {
    setTimeout(() => res.end('ok'), 30);
    return true;
  });
  port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert: certA })), 'lsn-q');
});

afterAll(async () => {
  await harness.close();
  await backend.close();
});

interface Tally {
  ok: number;
  /** Connections opened. */
  sessions: number;
  /** Failures by what the client saw. */
  failures: Map<string, number>;
}

function count(tally: Tally, what: string): void {
  tally.failures.set(what, (tally.failures.get(what) ?? 0) + 1);
}

/** loadLoop sends requests one after another over a session, opening a new one when one fails. */
async function loadLoop(ca: () => Issued, until: () => boolean, tally: Tally): Promise<void> {
  let session: H3ClientSession | undefined;
  while (!until()) {
    try {
      if (session === undefined) {
        session = await connect(ca());
        tally.sessions++;
      }
      const reply = await h3Request(session, port, '/load', {}, undefined, 5000);
      if (reply.status === 200 && reply.body === 'ok') tally.ok++;
      else count(tally, `status ${reply.status}`);
    } catch (err) {
      const text = (err as Error).message;
      count(tally, text);
      const old = session;
      session = undefined;
      void old?.close().catch(() => undefined);
    }
  }
  await session?.close().catch(() => undefined);
}

describe('certificate rotation under HTTP/3 load', () => {
  it('fails nothing; connections opened before it keep working with the old certificate; new ones get the new one', async () => {
    let stop = false;
    let rotated = false;
    const tally: Tally = { ok: 0, sessions: 0, failures: new Map() };
    const hitsBefore = backend.hits;
    // One more connection, opened before the rotation, that only the old CA verifies.
    const old = await connect(caA);
    expect((await h3Request(old, port, '/before')).status).toBe(200);
    // Clients trust the CA of the certificate served at the time they connect.
    const loops = Array.from({ length: 8 }, () => loadLoop(() => (rotated ? caB : caA), () => stop, tally));
    await new Promise((r) => setTimeout(r, 500));
    const before = tally.ok;
    const started = Date.now();
    const result = await harness.apply(quicSnapshot({ version: 2, backends: [backend.port], cert: certB }));
    rotated = true;
    const switchMs = Date.now() - started;
    expect(result.listeners.find((l) => l.id === 'lsn-q')).toMatchObject({ status: 'Running', port });
    // Load goes on until clients got 40 more answers after the rotation (at most 10 s).
    const afterRotation = tally.ok;
    const deadline = Date.now() + 10_000;
    while (tally.ok < afterRotation + 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // The connection opened before the rotation still serves requests after it.
    const later = await h3Request(old, port, '/after-rotation');
    expect(later).toMatchObject({ status: 200, body: 'ok' });
    stop = true;
    await Promise.all(loops);
    await old.close();
    console.log(`rotation under load (8 clients): ${tally.ok} answered over ${tally.sessions} connections, failures: ${tally.failures.size}; switch ${switchMs} ms`);
    expect(before).toBeGreaterThan(20);
    expect(tally.ok).toBeGreaterThanOrEqual(afterRotation + 40);
    // Nothing failed, and no client had to reconnect: each of the 8 kept its first connection.
    expect([...tally.failures]).toEqual([]);
    expect(tally.sessions).toBe(8);
    // Every request a backend received was answered (the load's, plus the old connection's two).
    expect(backend.hits - hitsBefore).toBe(tally.ok + 2);
    // A new connection verifies against the new CA only.
    const fresh = await connect(caB);
    try {
      expect((await h3Request(fresh, port, '/after')).status).toBe(200);
    } finally {
      await fresh.close();
    }
    await expect(connect(caA).then((s) => s.close())).rejects.toThrow();
  }, 30_000);
});
