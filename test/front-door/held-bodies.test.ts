/**
 * SPEC 2.1 through real listeners, for what a one-connection-per-row corpus cannot show: request
 * bodies held up to 64 KiB before a backend is chosen (a stalled body is 408 and a truncated one
 * nothing, with no backend connection opened; a framing error past 64 KiB cuts the backend
 * request before its last chunk), `Expect: 100-continue` still working with the hold, requests
 * pipelined behind a refusal never served, a second answer never written after a 501, the
 * listener's underscoreHeadersEnabled, and the same validation on HTTP/2 streams.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpListener, httpsListener, serverCertificate, serverGroup } from '../engine/support/snapshots.ts';
import { RawClient } from '../engine/support/raw-client.ts';
import { ProxyFixture } from '../engine/support/proxy-fixture.ts';
import { eventually } from '../helpers/eventually.ts';
import { createCa, issueCertificate } from '../helpers/pki.ts';

/**
 * WireBackend keeps every byte each connection received and answers 200 with Connection: close
 * to a complete request, so every forwarded request opens a connection of its own.
 */
class WireBackend {
  readonly connections: { bytes: Buffer; closed: boolean }[] = [];
  readonly server: net.Server;
  port = 0;

  constructor() {
    this.server = net.createServer((socket) => {
      const conn = { bytes: Buffer.alloc(0), closed: false };
      this.connections.push(conn);
      socket.on('error', () => {});
      socket.on('close', () => (conn.closed = true));
      socket.on('data', (d: Buffer) => {
        conn.bytes = Buffer.concat([conn.bytes, d]);
        if (complete(conn.bytes.toString('latin1'))) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  text(i: number): string {
    return this.connections[i]?.bytes.toString('latin1') ?? '';
  }

  /** lastText is what the newest connection received: each forwarded request opens its own. */
  lastText(): string {
    return this.text(this.connections.length - 1);
  }

  close(): void {
    this.server.close();
  }
}

/** complete tells whether a request's bytes hold its whole body (Content-Length or chunked). */
function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const head = text.slice(0, end);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n');
  const length = /\r\ncontent-length: (\d+)/i.exec(head);
  return text.length - end - 4 >= (length ? Number(length[1]) : 0);
}

let fx: ProxyFixture;
let wire: WireBackend;
let httpPort = 0;
let underscorePort = 0;
let httpsPort = 0;

beforeAll(async () => {
  fx = new ProxyFixture();
  wire = new WireBackend();
  await wire.start();
  fx.onClose(() => wire.close());
  const ca = await createCa();
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
  await fx.apply({
    listeners: [
      httpListener('lsn-http', 'sgp-1', { requestTimeout: 1 }),
      httpListener('lsn-underscore', 'sgp-1', { underscoreHeadersEnabled: true }),
      httpsListener('lsn-https', 'sgp-1', 'cert-1'),
    ],
    serverGroups: [serverGroup('sgp-1', [{ port: wire.port }], { healthCheck: { ...serverGroup('x', []).healthCheck, enabled: false } })],
    certificates: [serverCertificate('cert-1', leaf, ['a.example'])],
  });
  httpPort = fx.port('lsn-http');
  underscorePort = fx.port('lsn-underscore');
  httpsPort = fx.port('lsn-https');
});
afterAll(async () => fx?.close());

/** forwardOne sends one raw request that must be answered 200 and returns what the backend received for it. */
async function forwardOne(port: number, raw: string): Promise<string> {
  const c = await RawClient.connect(port);
  c.send(raw);
  expect((await c.response()).status).toBe(200);
  c.close();
  return wire.lastText();
}

/** connectionsDuring runs `fn` and returns the backend connections it opened. */
async function connectionsDuring(fn: () => Promise<void>): Promise<number> {
  const before = wire.connections.length;
  await fn();
  await new Promise((r) => setTimeout(r, 100));
  return wire.connections.length - before;
}

describe('bodies held before a backend is chosen', () => {
  it('a body that stalls is 408 after requestTimeout, and no backend connection is opened', async () => {
    const opened = await connectionsDuring(async () => {
      const c = await RawClient.connect(httpPort);
      c.send('POST /stall HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello');
      const res = await c.response(4000);
      expect(res.status).toBe(408);
      expect(res.header('connection')).toBe('close');
      await c.closed;
    });
    expect(opened).toBe(0);
  });

  it('a body the client abandons halfway never reaches a backend', async () => {
    const opened = await connectionsDuring(async () => {
      const c = await RawClient.connect(httpPort);
      c.send('POST /gone HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello');
      await new Promise((r) => setTimeout(r, 100));
      c.close();
    });
    expect(opened).toBe(0);
  });

  it('a small chunked body with a framing error is 400 and opens no backend connection', async () => {
    const opened = await connectionsDuring(async () => {
      const c = await RawClient.connect(httpPort);
      c.send('POST /bad HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n');
      expect((await c.response()).status).toBe(400);
      await c.closed;
    });
    expect(opened).toBe(0);
  });

  it('a well-formed chunked body reaches the backend re-framed, trailers dropped', async () => {
    const text = await forwardOne(httpPort, 'POST /ok HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n');
    expect(text).toMatch(/^POST \/ok HTTP\/1\.1\r\n/);
    expect(text.endsWith('\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n')).toBe(true);
    expect(text).not.toContain('X-Trailer');
  });

  it('past 64 KiB a framing error cuts the backend request before its last chunk; the client gets 400', async () => {
    const before = wire.connections.length;
    const c = await RawClient.connect(httpPort);
    const piece = 'a'.repeat(16 * 1024);
    let body = '';
    for (let i = 0; i < 6; i++) body += `4000\r\n${piece}\r\n`;
    c.send(`POST /long HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
    await eventually(() => expect(wire.connections.length).toBe(before + 1), 5000, 25);
    await eventually(() => expect(wire.text(before).length).toBeGreaterThan(64 * 1024), 5000, 25);
    c.send('-1\r\nbroken\r\n0\r\n\r\n');
    expect((await c.response()).status).toBe(400);
    await c.closed;
    await eventually(() => expect(wire.connections[before]!.closed).toBe(true), 5000, 25);
    expect(wire.text(before).endsWith('0\r\n\r\n')).toBe(false);
    await eventually(() => expect(fx.records.find((r) => r.path === '/long')?.status).toBe(400), 5000, 25);
  });

  it('Expect: 100-continue still gets its 100 before the body is sent', async () => {
    const c = await RawClient.connect(httpPort);
    c.send('POST /continue HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const interim = await c.response();
    expect(interim.status).toBe(100);
    c.send('hello');
    expect((await c.response()).status).toBe(200);
    c.close();
    expect(wire.lastText().endsWith('\r\n\r\nhello')).toBe(true);
  });
});

describe('after a refusal nothing more on the connection is served', () => {
  it.each([
    ['400 (two Host fields)', 'GET /one HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['414 (a long URI)', `GET /${'u'.repeat(17 * 1024)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
    ['431 (101 fields)', `GET /f HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 101 }, (_, i) => `X-F${i}: v\r\n`).join('')}\r\n`, 431],
    ['505 (HTTP/2.0)', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 505],
  ])('%s: the pipelined request behind it never reaches the backend', async (_name, first, status) => {
    const opened = await connectionsDuring(async () => {
      const c = await RawClient.connect(httpPort);
      c.send(first + 'GET /smuggled HTTP/1.1\r\nHost: internal\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n');
      const { text, closed } = await c.text(3000);
      expect(closed).toBe(true);
      expect(text.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
      expect(text.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
    });
    expect(opened).toBe(0);
  });

  it('501 for an unknown coding is the only answer, though the body behind it is malformed too', async () => {
    const opened = await connectionsDuring(async () => {
      const c = await RawClient.connect(httpPort);
      c.send('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\nzz\r\nGET /smuggled HTTP/1.1\r\nHost: internal\r\n\r\n');
      const { text, closed } = await c.text(3000);
      expect(closed).toBe(true);
      expect(text.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 501 ']);
    });
    expect(opened).toBe(0);
  });
});

describe('underscoreHeadersEnabled', () => {
  const request = 'GET /u HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 6.6.6.6\r\nX-Other_Name: v\r\n\r\n';

  it('off (the default): fields with _ are not forwarded', async () => {
    const text = await forwardOne(httpPort, request);
    expect(text).not.toContain('X_Forwarded_For');
    expect(text).not.toContain('X-Other_Name');
    expect(text).toContain('X-Forwarded-For: 127.0.0.1\r\n');
  });

  it('on: they are forwarded as sent', async () => {
    const text = await forwardOne(underscorePort, request);
    expect(text).toContain('X_Forwarded_For: 6.6.6.6\r\n');
    expect(text).toContain('X-Other_Name: v\r\n');
  });
});

describe('HTTP/2 streams pass the same validation', () => {
  let session: http2.ClientHttp2Session;
  beforeAll(() => {
    session = http2.connect(`https://127.0.0.1:${httpsPort}`, { rejectUnauthorized: false, servername: 'a.example' });
    session.on('error', () => {});
  });
  afterAll(() => session?.close());

  function request(headers: http2.OutgoingHttpHeaders, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const stream = session.request(headers, { endStream: body === undefined });
      let text = '';
      let status = 0;
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (d: Buffer) => (text += d.toString()));
      stream.on('end', () => resolve({ status, text }));
      stream.on('error', reject);
      if (body !== undefined) stream.end(body);
    });
  }

  it('CONNECT is 405 and reaches no backend', async () => {
    const opened = await connectionsDuring(async () => {
      expect((await request({ ':method': 'CONNECT', ':authority': 'internal:443' })).status).toBe(405);
    });
    expect(opened).toBe(0);
  });

  // nghttp2 itself resets streams whose :authority has spaces or userinfo; a port of six digits gets through to us.
  it('an :authority that is not host[:port] is 400', async () => {
    expect((await request({ ':path': '/', ':authority': 'a.example:123456' })).status).toBe(400);
  });

  it('a :path with a fragment is 400', async () => {
    expect((await request({ ':path': '/a#frag' })).status).toBe(400);
  });

  it('fields with _ are dropped and a body without content-length is held, then sent chunked', async () => {
    const res = await request({ ':method': 'POST', ':path': '/h2', 'x_forwarded_for': '6.6.6.6' }, 'payload');
    expect(res.status).toBe(200);
    const text = wire.lastText();
    expect(text).not.toContain('x_forwarded_for');
    expect(text.endsWith('\r\n7\r\npayload\r\n0\r\n\r\n')).toBe(true);
  });
});
