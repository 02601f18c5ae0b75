/**
 * Many clients through a QUIC listener's UDP front at once (SPEC 1.3): 50 connections from
 * distinct client sockets are each relayed and served concurrently, and once they have closed
 * and the relay idle time (the QUIC idle timeout plus 5 s) has passed, the front knows no client:
 * no per-client state outlives its client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { h3Connect, h3Request, quicSnapshot, waitFor, type H3ClientSession } from './quic-support.ts';

const CLIENTS = 50;

let harness: EngineHarness;
let backend: TestBackend;
let port: number;

beforeAll(async () => {
  const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa('Many clients CA'));
  harness = new EngineHarness();
  // Each answer waits until every client's request has arrived: the requests are concurrent.
  const waiting: (() => void)[] = [];
  backend = await startBackend('b', (req, res) => {
    if (req.url !== '/together') return false;
    const client = String(req.headers['x-client']);
    waiting.push(() => res.end(`ok ${client}`));
    if (waiting.length === CLIENTS) for (const answer of waiting.splice(0)) answer();
    return true;
  });
  port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert, quic: { idleTimeout: 1 } })), 'lsn-q');
});

afterAll(async () => {
  await harness.close();
  await backend.close();
});

describe('many clients through the UDP front', () => {
  it('relays 50 concurrent connections from distinct sockets, each to its own answer, and forgets every client once they closed and went idle', async () => {
    const sessions: H3ClientSession[] = await Promise.all(Array.from({ length: CLIENTS }, () => h3Connect(port)));
    try {
      expect(harness.engine.quicInspection('lsn-q')!.clients).toBe(CLIENTS);
      const replies = await Promise.all(sessions.map((s, i) => h3Request(s, port, '/together', { 'x-client': String(i) }, undefined, 15_000)));
      expect(replies.map((r) => r.status)).toEqual(Array.from({ length: CLIENTS }, () => 200));
      expect(replies.map((r) => r.body)).toEqual(Array.from({ length: CLIENTS }, (_, i) => `ok ${i}`));
      const inspection = harness.engine.quicInspection('lsn-q')!;
      expect(inspection.generations[0]!.connections).toBe(CLIENTS);
      expect(inspection.generations[0]!.relays).toEqual([CLIENTS]);
    } finally {
      await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    }
    // Relays are forgotten after the idle timeout (1 s) plus the 5 s margin.
    const closedAt = Date.now();
    expect(await waitFor(() => harness.engine.quicInspection('lsn-q')!.clients === 0, 10_000)).toBe(true);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(5000);
    const after = harness.engine.quicInspection('lsn-q')!;
    expect(after.generations[0]).toMatchObject({ connections: 0, relays: [0] });
    // The front still serves a new client.
    const fresh = await h3Connect(port);
    try {
      expect((await h3Request(fresh, port, '/')).status).toBe(200);
    } finally {
      await fresh.close();
    }
  }, 40_000);
});
