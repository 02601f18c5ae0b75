/**
 * SPEC E17 on the engine's HTTP/1.x front (engine/http1/) with raw sockets: request line +
 * headers over 16 KiB → 431 (414 for the URI); more than 100 fields → 431; headers not complete
 * in time → 408; CL+TE, duplicate Content-Length, obs-fold, bare CR/LF → 400; each time the
 * connection is closed and nothing reaches the request handler's forwarding step. The fronts
 * here are the parser and connection the listeners run, with checkRequestHead as the handler's
 * first step (as the pipeline runs it); HTTP/2 gets the same head limits from its settings.
 */
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http1Front } from '../../../engine/http1/http1-front.ts';
import type { Http1Request } from '../../../engine/http1/http1-request.ts';
import type { Http1Response } from '../../../engine/http1/http1-response.ts';
import { HEAD_OK, HTTP2_LIMIT_SETTINGS, checkRequestHead } from '../../../engine/limits/index.ts';
import { markRefused } from '../../../engine/limits/refused-connections.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { E17_REFUSED, headerFields } from '../support/refused-requests.ts';

/** Front is a server with the limits; `forwarded` counts requests that passed every check. */
interface Front {
  port: number;
  forwarded: string[];
  close(): void;
}

/** http1Front is the engine's HTTP/1.x front with a handler that refuses what checkRequestHead refuses. */
function http1Front(forwarded: string[], headersTimeoutMs?: number): Http1Front {
  return new Http1Front(
    {
      onRequest: (req: Http1Request, res: Http1Response) => {
        const status = checkRequestHead(req.method, req.url, req.rawHeaders);
        if (status !== HEAD_OK) {
          markRefused(req.socket, status);
          const body = `${status}\n`;
          res.writeHead(status, ['Content-Length', String(body.length), 'Connection', 'close']);
          res.end(body);
          return;
        }
        forwarded.push(req.url);
        res.writeHead(200, ['Content-Type', 'text/plain']);
        res.end(`fields=${req.rawHeaders.length / 2}`);
      },
      onUpgrade: (_req, socket) => socket.destroy(),
      idleTimeoutMs: () => 15_000,
      onSocketTimeout: (socket) => socket.destroy(),
    },
    headersTimeoutMs,
  );
}

async function plainFront(headersTimeoutMs?: number): Promise<Front> {
  const forwarded: string[] = [];
  const front = http1Front(forwarded, headersTimeoutMs);
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    front.serve(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    forwarded,
    close: () => {
      front.stop();
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

interface Answer {
  text: string;
  status: number;
  closed: boolean;
  elapsedMs: number;
}

/** exchange writes raw bytes (optionally in timed pieces) and reads until the server closes or 5 s pass. */
async function exchange(port: number, pieces: (string | Buffer)[], gapMs = 0, connect?: () => net.Socket): Promise<Answer> {
  const socket = connect ? connect() : net.connect(port, '127.0.0.1');
  await once(socket, connect ? 'secureConnect' : 'connect');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true));
    setTimeout(() => resolve(false), 5000);
  });
  const started = Date.now();
  for (const piece of pieces) {
    if (socket.destroyed) break;
    socket.write(piece);
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  const wasClosed = await closed;
  socket.destroy();
  return { text, status: Number(text.slice(9, 12)), closed: wasClosed, elapsedMs: Date.now() - started };
}

let front: Front;
beforeAll(async () => {
  front = await plainFront(600);
});
afterAll(() => front?.close());

describe('E17: request limits on the HTTP/1.x front (raw sockets)', () => {
  const cases: { name: string; request: string | Buffer; status: number }[] = [
    E17_REFUSED.bigHeader,
    { name: 'many headers totalling 17 KiB', request: `GET /h HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 34 }, (_, i) => `X-P${i}: ${'b'.repeat(500)}\r\n`).join('')}\r\n`, status: 431 },
    E17_REFUSED.bigUri,
    { name: 'a 15 KiB URI with 2 KiB of headers', request: `GET /${'u'.repeat(15 * 1024)} HTTP/1.1\r\nHost: x\r\nX-B: ${'b'.repeat(2048)}\r\n\r\n`, status: 431 },
    { name: 'a 70 KiB header (beyond the parser bound)', request: `GET /h HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, status: 431 },
    { name: 'a 70 KiB URI (beyond the parser bound)', request: `GET /${'u'.repeat(70 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, status: 414 },
    { name: '101 header fields', request: `GET /f HTTP/1.1\r\n${headerFields(100)}Host: x\r\n\r\n`, status: 431 },
    { name: '150 header fields', request: `GET /f HTTP/1.1\r\nHost: x\r\n${headerFields(149)}\r\n`, status: 431 },
    E17_REFUSED.clWithTe,
    { name: 'Transfer-Encoding with Content-Length', request: 'POST /s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', status: 400 },
    E17_REFUSED.differingCl,
    { name: 'duplicate equal Content-Length', request: 'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello', status: 400 },
    { name: 'Content-Length list', request: 'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello', status: 400 },
    E17_REFUSED.obsFold,
    { name: 'obs-fold with a tab', request: 'GET /o HTTP/1.1\r\nHost: x\r\nX-A: one\r\n\tfolded\r\n\r\n', status: 400 },
    E17_REFUSED.bareLf,
    { name: 'bare LF after a header', request: 'GET /l HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n', status: 400 },
    E17_REFUSED.bareCr,
    E17_REFUSED.twoHosts,
    { name: 'space before the colon', request: 'GET /n HTTP/1.1\r\nHost : x\r\n\r\n', status: 400 },
    { name: 'a NUL in a value', request: 'GET /n HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', status: 400 },
    { name: 'an unknown transfer coding last', request: 'POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n', status: 400 },
  ];

  it.each(cases)('$name → $status, connection closed, nothing forwarded', async ({ request, status }) => {
    const before = front.forwarded.length;
    const answer = await exchange(front.port, [request]);
    expect(answer.status).toBe(status);
    expect(answer.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer.closed).toBe(true);
    expect(front.forwarded.length).toBe(before);
  });

  it.each([
    { name: 'a 15 KiB header', request: `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(15 * 1024)}\r\nConnection: close\r\n\r\n` },
    { name: 'exactly 100 header fields', request: `GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headerFields(98)}\r\n` },
    { name: 'a 15 KiB URI', request: `GET /${'u'.repeat(15 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n` },
  ])('$name is served', async ({ request }) => {
    const answer = await exchange(front.port, [request]);
    expect(answer.status).toBe(200);
    if (request.includes('X-Field-97')) expect(answer.text).toContain('fields=100');
  });

  it.each([
    { name: 'a 66 KiB URI, its end in a second write', pieces: [`GET /${'u'.repeat(60 * 1024)}`, `${'u'.repeat(6 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`], status: 414 },
    { name: 'a 66 KiB header value sent in two writes', pieces: [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(66 * 1024)}`, '\r\n\r\n'], status: 431 },
    { name: 'a 66 KiB URI after a served request', pieces: [`GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /${'u'.repeat(66 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`], status: 414 },
  ])('$name → $status (the parser\'s own bound)', async ({ pieces, status }) => {
    const answer = await exchange(front.port, pieces, 50);
    const last = answer.text.lastIndexOf('HTTP/1.1 ');
    expect(Number(answer.text.slice(last + 9, last + 12))).toBe(status);
    expect(answer.closed).toBe(true);
  });

  it('headers not complete in time → 408 and closed (raw bytes trickled)', async () => {
    const answer = await exchange(front.port, ['GET /slow HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n'], 100);
    expect(answer.status).toBe(408);
    expect(answer.text).toContain('Connection: close');
    expect(answer.closed).toBe(true);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(500);
    expect(answer.elapsedMs).toBeLessThan(4000);
  });

  it('a bad request after a good one on the same connection: the good one is answered, then 400 and close', async () => {
    const answer = await exchange(front.port, ['GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  fold\r\n\r\n']);
    expect(answer.text.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(answer.text).toContain('HTTP/1.1 400 Bad Request');
    expect(answer.closed).toBe(true);
  });

  it('a head cut short by the client (half-close) → 400 and closed', async () => {
    const socket = net.connect(front.port, '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.end('GET /cut HTTP/1.1\r\nHost: x\r\n');
    await once(socket, 'close');
    expect(text.slice(0, 12)).toBe('HTTP/1.1 400');
  });
});

describe('E17: request limit defaults', () => {
  it('HTTP/2 allows 128 concurrent streams', () => {
    expect(HTTP2_LIMIT_SETTINGS.settings.maxConcurrentStreams).toBe(128);
  });

  it('with the default 10 s, slow headers get 408 after 10 s, not before (and not 30 s late)', async () => {
    const slow = await plainFront();
    try {
      const socket = net.connect(slow.port, '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('error', () => {});
      const started = Date.now();
      socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n');
      await once(socket, 'close');
      const elapsed = Date.now() - started;
      expect(text.slice(0, 12)).toBe('HTTP/1.1 408');
      expect(elapsed).toBeGreaterThanOrEqual(9_900);
      expect(elapsed).toBeLessThan(13_000);
    } finally {
      slow.close();
    }
  }, 20_000);
});

describe('E17: request limits over TLS (HTTP/1.1 on the front, HTTP/2 on node\'s session)', () => {
  let ca: Issued;
  let server: http2.Http2SecureServer;
  let front: Http1Front;
  let port = 0;
  const forwarded: string[] = [];

  beforeAll(async () => {
    ca = await createCa();
    const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
    front = http1Front(forwarded, 600);
    server = http2.createSecureServer({ key: cert.keyPem, cert: cert.chainPem, allowHTTP1: true, maxHeaderListPairs: HTTP2_LIMIT_SETTINGS.maxHeaderListPairs, settings: HTTP2_LIMIT_SETTINGS.settings });
    // As the listeners do: h2 connections stay with node's session, any other goes to the front.
    const sessionListeners = server.listeners('secureConnection') as ((socket: tls.TLSSocket) => void)[];
    server.removeAllListeners('secureConnection');
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      if (socket.alpnProtocol === 'h2') for (const listener of sessionListeners) listener.call(server, socket);
      else front.serve(socket);
    });
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      const status = checkRequestHead(headers[':method']!, headers[':path']!, rawHeaders);
      if (status !== HEAD_OK) {
        stream.respond({ ':status': status });
        stream.end();
        return;
      }
      forwarded.push(headers[':path']!);
      stream.respond({ ':status': 200 });
      stream.end(`fields=${rawHeaders.length / 2 - 4}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    front?.stop();
    server?.close();
  });

  const tlsH1 = () => tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: ca.certPem, ALPNProtocols: ['http/1.1'] });

  it.each([
    { name: 'HTTP/1.1 over TLS: 17 KiB header', request: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, status: 431 },
    { name: 'HTTP/1.1 over TLS: 17 KiB URI', request: `GET /${'u'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, status: 414 },
    { name: 'HTTP/1.1 over TLS: 150 fields', request: `GET / HTTP/1.1\r\nHost: x\r\n${headerFields(149)}\r\n`, status: 431 },
    { name: 'HTTP/1.1 over TLS: CL+TE', request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', status: 400 },
  ])('$name → $status and closed', async ({ request, status }) => {
    const before = forwarded.length;
    const answer = await exchange(port, [request], 0, tlsH1);
    expect(answer.status).toBe(status);
    expect(answer.closed).toBe(true);
    expect(forwarded.length).toBe(before);
  });

  it('HTTP/1.1 over TLS: slow headers → 408', async () => {
    const answer = await exchange(port, ['GET / HTTP/1.1\r\n', 'Host: x\r\n'], 100, tlsH1);
    expect(answer.status).toBe(408);
    expect(answer.closed).toBe(true);
  });

  async function h2Request(headers: http2.OutgoingHttpHeaders): Promise<number> {
    const session = http2.connect(`https://localhost:${port}`, { ca: ca.certPem, maxHeaderListPairs: 1000 });
    try {
      const stream = session.request({ ':path': '/h2', ...headers });
      const [response] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
      stream.resume();
      return Number(response[':status']);
    } finally {
      session.close();
    }
  }

  it('HTTP/2: 100 fields are served, 101 and 150 fields get 431 (not a stream reset)', async () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-field-${i}`, `v${i}`]));
    expect(await h2Request(many(100))).toBe(200);
    expect(await h2Request(many(101))).toBe(431);
    expect(await h2Request(many(150))).toBe(431);
  });

  it('HTTP/2: a 17 KiB header gets 431', async () => {
    expect(await h2Request({ 'x-big': 'a'.repeat(17 * 1024) })).toBe(431);
  });
});
