/**
 * Certificate rotation on a QUIC listener under HTTP/3 load (SPEC 1.3, E16). The transport takes
 * one certificate per server and cannot share the UDP port, so the engine hands the port over:
 * GOAWAY on every connection, requests in flight finish, the old server closes, the new one
 * binds. What SPEC says, measured here: no request that reached a backend is dropped (every one
 * is answered); what fails is refused before any backend sees it — requests a client sends on a
 * connection after its GOAWAY (H3_REQUEST_REJECTED, or refused by the client's own stack once
 * it read the GOAWAY), connections closed as they are sent away — and the client retries on a
 * new connection, which gets the new certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H3_REQUEST_REJECTED } from '../../../engine/http3/error-codes.ts';
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
  harness = new EngineHarness();
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
  /** Failures by what the client saw. */
  failures: Map<string, number>;
}

function count(tally: Tally, what: string): void {
  tally.failures.set(what, (tally.failures.get(what) ?? 0) + 1);
}

/** loadLoop sends requests one after another over a session, opening a new one when refused or closed. */
async function loadLoop(ca: () => Issued, until: () => boolean, tally: Tally): Promise<void> {
  let session: H3ClientSession | undefined;
  while (!until()) {
    try {
      session ??= await connect(ca());
      const reply = await h3Request(session, port, '/load', {}, undefined, 5000);
      if (reply.status === 200 && reply.body === 'ok') tally.ok++;
      else count(tally, `status ${reply.status}`);
    } catch (err) {
      const text = (err as Error).message;
      count(tally, text.includes(`StreamReset(${H3_REQUEST_REJECTED})`) ? 'H3_REQUEST_REJECTED' : text);
      const old = session;
      session = undefined;
      void old?.close().catch(() => undefined);
    }
  }
  await session?.close().catch(() => undefined);
}

describe('certificate rotation under HTTP/3 load', () => {
  it('drops no request in flight; new connections get the new certificate', async () => {
    let stop = false;
    let rotated = false;
    const tally: Tally = { ok: 0, failures: new Map() };
    const hitsBefore = backend.hits;
    // Clients trust the CA of the certificate served at the time they connect.
    const loops = Array.from({ length: 8 }, () => loadLoop(() => (rotated ? caB : caA), () => stop, tally));
    await new Promise((r) => setTimeout(r, 500));
    const before = tally.ok;
    const started = Date.now();
    const result = await harness.apply(quicSnapshot({ version: 2, backends: [backend.port], cert: certB }));
    rotated = true;
    const handoverMs = Date.now() - started;
    expect(result.listeners.find((l) => l.id === 'lsn-q')).toMatchObject({ status: 'Running', port });
    // Load goes on until clients got 20 more answers after the rotation (at most 10 s).
    const afterRotation = tally.ok;
    const deadline = Date.now() + 10_000;
    while (tally.ok < afterRotation + 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(loops);
    const failed = [...tally.failures].map(([k, n]) => `${n} × ${k}`).join('; ');
    console.log(`rotation under load (8 clients): ${tally.ok} answered, none dropped; refused before a backend and retried: ${failed || 'none'}; handover ${handoverMs} ms`);
    expect(before).toBeGreaterThan(20);
    expect(tally.ok).toBeGreaterThanOrEqual(afterRotation + 20);
    // Every request a backend received was answered: nothing in flight was dropped.
    expect(backend.hits - hitsBefore).toBe(tally.ok);
    // No failure is an answer the engine made (no 502, no 504): only refusals before forwarding.
    expect([...tally.failures.keys()].filter((k) => k.startsWith('status'))).toEqual([]);
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
