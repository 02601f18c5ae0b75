/**
 * E6 through a real engine: backends are spoken to over HTTP/1.1 for HTTP/1.1 and HTTP/2
 * clients and over HTTP/1.0 for HTTP/1.0 clients, with keep-alive pools per backend. A raw
 * backend records the request line and framing that crossed the proxy; HTTPS server groups
 * are reached over TLS without certificate verification.
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

describe('E6 backend protocol', () => {
  it('an HTTP/1.1 client is forwarded as HTTP/1.1, and its requests share one kept-alive backend connection', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    for (let i = 0; i < 3; i++) {
      client.send(`GET /k${i} HTTP/1.1\r\nHost: a.example\r\n\r\n`);
      expect((await client.response()).status).toBe(200);
    }
    client.close();
    // A second client reuses the same pooled connection too.
    const other = await RawClient.connect(fx.port('lsn-1'));
    other.send('GET /k3 HTTP/1.1\r\nHost: a.example\r\n\r\n');
    expect((await other.response()).status).toBe(200);
    other.close();
    expect(backend.requests.map((r) => r.requestLine)).toEqual(['GET /k0 HTTP/1.1', 'GET /k1 HTTP/1.1', 'GET /k2 HTTP/1.1', 'GET /k3 HTTP/1.1']);
    expect(backend.connections).toBe(1);
  });

  it('an HTTP/1.0 client is forwarded as HTTP/1.0 on a connection of its own', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend((req) => (req.requestLine.endsWith('HTTP/1.0') ? 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold style' : okResponse()));
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const port = fx.port('lsn-1');
    // Warm the pool with an HTTP/1.1 request first: the HTTP/1.0 one must not use that connection.
    const modern = await RawClient.connect(port);
    modern.send('GET /warm HTTP/1.1\r\nHost: a.example\r\n\r\n');
    expect((await modern.response()).status).toBe(200);
    modern.close();

    const client = await RawClient.connect(port);
    client.send('GET /old HTTP/1.0\r\nHost: a.example\r\nUser-Agent: raw\r\n\r\n');
    const { text, closed } = await client.text();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith('\r\n\r\nold style')).toBe(true);
    expect(closed).toBe(true);
    const old = backend.requests[1]!;
    expect(old.requestLine).toBe('GET /old HTTP/1.0');
    expect(old.head).toBe('GET /old HTTP/1.0\r\nHost: a.example\r\nUser-Agent: raw\r\nX-Forwarded-For: 127.0.0.1');
    expect(old.connection).toBe(2);
  });

  it('an HTTP/1.0 request with a body is forwarded with its Content-Length; Transfer-Encoding from an HTTP/1.0 client is refused with 400', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend(() => 'HTTP/1.0 201 Created\r\nContent-Length: 2\r\n\r\nok');
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const port = fx.port('lsn-1');
    const client = await RawClient.connect(port);
    client.send('POST /up HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    expect((await client.response()).status).toBe(201);
    client.close();
    expect(backend.requests[0]!.head).toContain('POST /up HTTP/1.0\r\nHost: a\r\nContent-Length: 5');
    expect(backend.requests[0]!.body.toString()).toBe('hello');

    const chunked = await RawClient.connect(port);
    chunked.send('POST /up HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    const refused = await chunked.text();
    expect(refused.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(refused.closed).toBe(true);
    expect(backend.requests).toHaveLength(1);
  });

  it('an HTTP/2 client is forwarded as HTTP/1.1, pooled, with :authority as Host and an unknown-length body chunked', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend((req) => okResponse(`got ${req.body.length}`));
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf }));
    const session = http2.connect(`https://127.0.0.1:${fx.port('lsn-1')}`, { ca: ca.certPem, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    const request = (headers: http2.OutgoingHttpHeaders, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request(headers, { endStream: body === undefined });
        let status = 0;
        let text = '';
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (d: Buffer) => (text += d.toString()));
        stream.on('end', () => resolve({ status, body: text }));
        stream.on('error', reject);
        if (body !== undefined) stream.end(body);
      });
    expect(await request({ ':path': '/h2?x=1', ':authority': 'a.example', 'x-case': 'v' })).toEqual({ status: 200, body: 'got 0' });
    expect(await request({ ':path': '/upload', ':method': 'POST', ':authority': 'a.example' }, 'twelve bytes')).toEqual({ status: 200, body: 'got 12' });
    const [first, second] = backend.requests;
    expect(first!.head).toBe('GET /h2?x=1 HTTP/1.1\r\nx-case: v\r\nhost: a.example\r\nX-Forwarded-For: 127.0.0.1');
    expect(second!.head).toBe('POST /upload HTTP/1.1\r\nhost: a.example\r\nX-Forwarded-For: 127.0.0.1\r\nTransfer-Encoding: chunked');
    expect(second!.rawBody.toString()).toBe('c\r\ntwelve bytes\r\n0\r\n\r\n');
    expect(backend.connections).toBe(1);
  });

  it('relays chunked, close-delimited and HEAD responses with their bodies intact', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend((req) => {
      if (req.requestLine.startsWith('GET /chunked')) return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
      if (req.requestLine.startsWith('GET /until-close')) return { chunks: ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed ', 'until close'], gapMs: 20, close: true };
      if (req.requestLine.startsWith('HEAD')) return 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n';
      return okResponse();
    });
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    client.send('GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await client.response()).body.toString()).toBe('hello world');
    client.send('GET /until-close HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await client.response()).body.toString()).toBe('streamed until close');
    client.send('HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n');
    const head = await client.response(5000, true);
    expect(head.status).toBe(200);
    expect(head.header('content-length')).toBe('1234');
    client.send('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await client.response()).body.toString()).toBe('ok');
    client.close();
    // The close-delimited response cost its connection; the HEAD response kept the next one alive.
    expect(backend.requests.map((r) => r.connection)).toEqual([1, 1, 2, 2]);
  });

  it('an HTTPS server group is reached over TLS (self-signed certificate, not verified)', async () => {
    fx = new ProxyFixture();
    const selfSigned = await issueCertificate({ commonName: 'backend.internal', dnsNames: ['backend.internal'] });
    const backend = await fx.backend(() => okResponse('over tls'), { key: selfSigned.keyPem, cert: selfSigned.certPem });
    await fx.apply(buildSnapshotParts({ backends: [backend.port], groupProtocol: 'HTTPS' }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    for (let i = 0; i < 2; i++) {
      client.send('GET /secure HTTP/1.1\r\nHost: a\r\n\r\n');
      const r = await client.response();
      expect(r.body.toString()).toBe('over tls');
    }
    client.close();
    expect(backend.requests).toHaveLength(2);
    expect(backend.connections).toBe(1);
  });

  it('streams large bodies both ways with back-pressure: an 8 MiB upload (chunked) and an 8 MiB download to a slow reader', async () => {
    fx = new ProxyFixture();
    const big = Buffer.alloc(8 * 1024 * 1024, 'z');
    const backend = await fx.backend((req) =>
      req.requestLine.startsWith('POST') ? okResponse(`got ${req.body.length}`) : { chunks: [`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`, big], gapMs: 0 },
    );
    await fx.apply(buildSnapshotParts({ backends: [backend.port], listener: { compressionEnabled: false } }));
    const port = fx.port('lsn-1');
    const up = await RawClient.connect(port);
    up.send('POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 8; i++) up.send(Buffer.concat([Buffer.from('100000\r\n'), big.subarray(0, 0x100000), Buffer.from('\r\n')]));
    up.send('0\r\n\r\n');
    expect((await up.response(10_000)).body.toString()).toBe(`got ${big.length}`);
    up.close();

    const down = await RawClient.connect(port);
    down.socket.pause();
    down.send('GET /big HTTP/1.1\r\nHost: a\r\n\r\n');
    await new Promise((r) => setTimeout(r, 300));
    down.socket.resume();
    const r = await down.response(10_000);
    down.close();
    expect(r.body.length).toBe(big.length);
    expect(r.body.equals(big)).toBe(true);
  });

  it('a client that goes away mid-response costs the backend connection, not the next request', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend((req) =>
      req.requestLine.startsWith('GET /slow') ? { chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst', 'rest!'], gapMs: 300 } : okResponse('next'),
    );
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const port = fx.port('lsn-1');
    const quitter = await RawClient.connect(port);
    quitter.send('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    await backend.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 100));
    quitter.close();
    await new Promise((r) => setTimeout(r, 100));
    const next = await RawClient.connect(port);
    next.send('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    expect((await next.response()).body.toString()).toBe('next');
    next.close();
    // The half-sent response's connection was closed rather than reused.
    expect(backend.requests.map((r) => r.connection)).toEqual([1, 2]);
  });
});
