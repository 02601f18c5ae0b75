/**
 * idleTimeout on a QUIC listener is QUIC's idle timeout (no packet either way), yet a request
 * waiting on a slow backend is requestTimeout's business (E7, E8): while requests are in the
 * pipeline the engine PINGs the connection, so it outlives idleTimeout; an idle one closes. E17's
 * head deadline holds on HTTP/3 too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { h3Connect, h3Request, quicSnapshot, rawConnect } from './quic-support.ts';

let harness: EngineHarness;
let backend: TestBackend;
let port: number;

beforeAll(async () => {
  const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa());
  harness = new EngineHarness();
  backend = await startBackend('slow', (req, res) => {
    if (req.url !== '/slow') return false;
    setTimeout(() => res.end('late'), 2500);
    return true;
  });
  port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert, quic: { idleTimeout: 1, requestTimeout: 5 } })), 'lsn-q');
});

afterAll(async () => {
  await harness.close();
  await backend.close();
});

describe('QUIC idle timeout', () => {
  it('a request waiting 2.5 s on its backend is answered on a connection whose idle timeout is 1 s', async () => {
    const session = await h3Connect(port);
    try {
      const reply = await h3Request(session, port, '/slow');
      expect(reply).toMatchObject({ status: 200, body: 'late' });
    } finally {
      await session.close().catch(() => undefined);
    }
  });

  it('an idle connection closes after the idle timeout', async () => {
    const session = await h3Connect(port);
    const closed = new Promise<number>((resolve) => session.on('close', () => resolve(Date.now())));
    const started = Date.now();
    expect((await h3Request(session, port, '/quick')).status).toBe(200);
    const at = await closed;
    expect(at - started).toBeLessThan(4000);
  });
});

describe('E17 head deadline on HTTP/3', () => {
  it('a request whose HEADERS never completes is answered 408 after the head deadline, forwarding nothing', async () => {
    const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa());
    const h = new EngineHarness({ headersTimeoutMs: 300 });
    const b = await startBackend('never');
    try {
      const p = portOf(await h.apply(quicSnapshot({ backends: [b.port], cert })), 'lsn-q');
      const session = await rawConnect(p);
      try {
        const stream = session.openStream();
        const chunks: Buffer[] = [];
        const ended = new Promise<void>((resolve) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve());
        });
        // A HEADERS frame announcing 40 bytes, of which 3 come.
        stream.write(Buffer.from([0x01, 0x28, 0x00, 0x00, 0xd1]));
        const started = Date.now();
        await ended;
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        // The answer is the engine's 408, its body naming it.
        expect(chunks.length).toBeGreaterThan(0);
        expect(Buffer.concat(chunks).includes(Buffer.from('408 Request Timeout'))).toBe(true);
        expect(b.hits).toBe(0);
      } finally {
        await session.close();
      }
    } finally {
      await h.close();
      await b.close();
    }
  });
});
