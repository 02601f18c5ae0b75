/**
 * E8 and E9 through a real engine: no backend response within requestTimeout → 504, not
 * before; no server in rotation → 503; a backend connection error → 502 (refused, reset,
 * malformed or desynchronising answers). No request hangs past its timeout.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { buildSnapshotParts } from '../support/snapshots.ts';
import { okResponse } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

async function timed(port: number, path: string): Promise<{ status: number; ms: number }> {
  const client = await RawClient.connect(port);
  const started = Date.now();
  client.send(`GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`);
  const r = await client.response(10_000);
  client.close();
  return { status: r.status, ms: Date.now() - started };
}

describe('E8: requestTimeout answers 504', () => {
  it('a backend answering at 0.5 s with requestTimeout 1 s is served; one answering at 2 s gets 504 after 1 s, not before', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend((req) => ({ delayMs: req.requestLine.includes('/late') ? 2000 : 500, reply: okResponse('in time') }));
    await fx.apply(buildSnapshotParts({ backends: [backend.port], listener: { requestTimeout: 1 } }));
    const port = fx.port('lsn-1');
    const early = await timed(port, '/early');
    expect(early.status).toBe(200);
    const late = await timed(port, '/late');
    expect(late.status).toBe(504);
    expect(late.ms).toBeGreaterThanOrEqual(1000);
    expect(late.ms).toBeLessThan(1800);
  });

  it('a body that stops mid-way is cut after requestTimeout of silence (the head was already sent)', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend(() => ({ chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'], gapMs: 10 }));
    await fx.apply(buildSnapshotParts({ backends: [backend.port], listener: { requestTimeout: 1 } }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    client.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const { text, closed } = await client.text(4000);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text.endsWith('half')).toBe(true);
    expect(closed).toBe(true);
  });

  it('over HTTP/2 too: 504 after requestTimeout', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend(() => 'hang');
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf, listener: { requestTimeout: 1 } }));
    const session = http2.connect(`https://127.0.0.1:${fx.port('lsn-1')}`, { ca: ca.certPem, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const s = session.request({ ':path': '/' });
      s.on('response', (h) => resolve(Number(h[':status'])));
      s.on('error', reject);
    });
    expect(status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(1800);
  });
});

describe('E9: error answers from bad backend responses, over HTTP/2', () => {
  it.each([
    { name: 'a bare CR in a value', reply: 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n', status: 502 },
    { name: 'a NUL in a value', reply: 'HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n', status: 502 },
    { name: 'a connection-specific field only HTTP/1 knows', reply: 'HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok', status: 200 },
  ])('$name → $status to an HTTP/2 client', async ({ reply, status }) => {
    fx = new ProxyFixture();
    const backend = await fx.backend(() => reply);
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf }));
    const session = http2.connect(`https://127.0.0.1:${fx.port('lsn-1')}`, { ca: ca.certPem, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    const head = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const s = session.request({ ':path': '/' });
      s.on('response', resolve);
      s.on('error', reject);
      s.resume();
    });
    expect(Number(head[':status'])).toBe(status);
    expect(head['x-hop']).toBeUndefined();
    expect(head['keep-alive']).toBeUndefined();
  });

  it('Expect: 100-continue is answered with 100, then the body is forwarded', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend((req) => okResponse(`got ${req.body.toString()}`));
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf }));
    const session = http2.connect(`https://127.0.0.1:${fx.port('lsn-1')}`, { ca: ca.certPem, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    const stream = session.request({ ':path': '/up', ':method': 'POST', expect: '100-continue' }, { endStream: false });
    await new Promise<void>((resolve) => stream.once('continue', () => resolve()));
    stream.end('payload');
    let body = '';
    stream.on('data', (d: Buffer) => (body += d.toString()));
    await new Promise((r) => stream.once('end', r));
    expect(body).toBe('got payload');
    expect(backend.requests[0]!.head).not.toMatch(/expect/i);
  });
});

describe('E9: error answers (502, 503) when no backend can answer', () => {
  it('503 when no server is in rotation (weight 0 only), and the backend sees nothing', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    await fx.apply(buildSnapshotParts({ backends: [{ port: backend.port, weight: 0 }] }));
    expect((await timed(fx.port('lsn-1'), '/')).status).toBe(503);
    expect(backend.requests).toHaveLength(0);
  });

  it('503 when every server is unhealthy', async () => {
    fx = new ProxyFixture({ healthCheckSecondMs: 100 });
    const backend = await fx.backend(() => 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n');
    await fx.apply(buildSnapshotParts({ backends: [backend.port], health: { interval: 1, timeout: 1, unhealthyThreshold: 2 } }));
    const port = fx.port('lsn-1');
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await timed(port, '/')).status;
      if (status === 503) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(503);
  });

  it('502 when the backend refuses connections', async () => {
    fx = new ProxyFixture();
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await fx.apply(buildSnapshotParts({ backends: [deadPort] }));
    expect((await timed(fx.port('lsn-1'), '/')).status).toBe(502);
  });

  it.each([
    { name: 'a reset before any answer', reply: 'reset' as const },
    { name: 'a close before any answer', reply: 'close' as const },
    { name: 'a malformed status line', reply: 'HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n' },
    { name: 'Content-Length with Transfer-Encoding', reply: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' },
    { name: 'differing Content-Length fields', reply: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' },
    { name: 'obs-fold in the response head', reply: 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n' },
    { name: 'a bare LF in a header value', reply: 'HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\nContent-Length: 0\r\n\r\n' },
  ])('502 on $name', async ({ reply }) => {
    fx = new ProxyFixture();
    const backend = await fx.backend(() => reply);
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    expect((await timed(fx.port('lsn-1'), '/')).status).toBe(502);
  });

  it('a kept-alive connection the backend closes as a request arrives: an idempotent request is sent again on a new connection, a POST gets 502', async () => {
    fx = new ProxyFixture();
    // Connection 1 answers its first request, then drops every later one unanswered.
    const backend = await fx.backend((req) => (req.connection === 1 && backend.requests.filter((r) => r.connection === 1).length > 1 ? 'close' : okResponse('fresh')));
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const port = fx.port('lsn-1');
    expect((await timed(port, '/1')).status).toBe(200);
    const again = await timed(port, '/2');
    expect(again.status).toBe(200);
    expect(backend.requests.map((r) => [r.requestLine, r.connection])).toEqual([
      ['GET /1 HTTP/1.1', 1],
      ['GET /2 HTTP/1.1', 1],
      ['GET /2 HTTP/1.1', 2],
    ]);

    const fresh = await fx.backend((req) => (req.connection === 1 && fresh.requests.length > 1 ? 'close' : okResponse('fresh')));
    await fx.apply({ ...buildSnapshotParts({ backends: [fresh.port] }), version: 2 });
    expect((await timed(port, '/warm')).status).toBe(200);
    const client = await RawClient.connect(port);
    client.send('POST /once HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi');
    expect((await client.response()).status).toBe(502);
    client.close();
    expect(fresh.requests.filter((r) => r.requestLine.startsWith('POST'))).toHaveLength(1);
  });
});
