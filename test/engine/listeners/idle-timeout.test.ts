/**
 * E7 through a real engine: a client connection with no request in flight for idleTimeout
 * seconds is closed — HTTP/1.1 keep-alive connections, connections that never sent a request,
 * and HTTP/2 sessions — while a request that takes longer than idleTimeout is not cut.
 */
import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { buildSnapshotParts } from '../support/snapshots.ts';
import { okResponse } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

async function setup(https = false): Promise<{ port: number; ca?: string }> {
  fx = new ProxyFixture();
  const backend = await fx.backend((req) => (req.requestLine.startsWith('GET /slow') ? { delayMs: 1600, reply: okResponse('slow') } : okResponse()));
  if (!https) {
    await fx.apply(buildSnapshotParts({ backends: [backend.port], listener: { idleTimeout: 1, requestTimeout: 5 } }));
    return { port: fx.port('lsn-1') };
  }
  const ca = await createCa();
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
  await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf, listener: { idleTimeout: 1, requestTimeout: 5 } }));
  return { port: fx.port('lsn-1'), ca: ca.certPem };
}

describe('E7 idle timeout', () => {
  it('closes an HTTP/1.1 keep-alive connection idleTimeout after its last response, and says so in Keep-Alive', async () => {
    const { port } = await setup();
    const client = await RawClient.connect(port);
    client.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const r = await client.response();
    expect(r.header('keep-alive')).toBe('timeout=1');
    const answeredAt = Date.now();
    await client.closed;
    const idleFor = Date.now() - answeredAt;
    expect(idleFor).toBeGreaterThanOrEqual(900);
    expect(idleFor).toBeLessThan(2000);
  });

  it('closes a connection that never sends a request after idleTimeout', async () => {
    const { port } = await setup();
    const client = await RawClient.connect(port);
    const closedAfter = await client.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(2000);
  });

  it('does not cut a request in flight longer than idleTimeout; the connection stays usable', async () => {
    const { port } = await setup();
    const client = await RawClient.connect(port);
    client.send('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    const slow = await client.response();
    expect(slow.body.toString()).toBe('slow');
    expect(client.isClosed).toBe(false);
    client.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await client.response()).status).toBe(200);
    client.close();
  });

  it('closes an idle HTTP/2 session after idleTimeout, but not while a stream is in flight', async () => {
    const { port, ca } = await setup(true);
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    const closed = new Promise<number>((resolve) => session.once('close', () => resolve(Date.now())));
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const s = session.request({ ':path': path });
        let body = '';
        s.on('data', (d: Buffer) => (body += d.toString()));
        s.on('end', () => resolve(body));
        s.on('error', reject);
      });
    expect(await get('/slow')).toBe('slow');
    const answeredAt = Date.now();
    const closedAt = await closed;
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(900);
    expect(closedAt - answeredAt).toBeLessThan(2500);
  });
});
