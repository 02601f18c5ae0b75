/**
 * SPEC E10: compression only above 1024 bytes of Content-Length and without Content-Encoding;
 * Brotli for any type when accepted (preferred over gzip); gzip for the listed types only;
 * `Vary: Accept-Encoding`. The table runs through real sockets: backend → proxy using the
 * module (undici upstream, zlib stream) → client, and the client decompresses to check bytes.
 */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCEPTS_BR,
  ACCEPTS_GZIP,
  acceptedEncodings,
  createCompressor,
  decideCompression,
  responseFacts,
  rewriteHeaders,
} from '../../../engine/compression/index.ts';
import { pairs } from '../support/header-pairs.ts';

describe('Accept-Encoding', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['gzip', ACCEPTS_GZIP],
    ['br', ACCEPTS_BR],
    ['gzip, deflate, br', ACCEPTS_BR | ACCEPTS_GZIP],
    ['GZIP;Q=0.5, BR;q=0.1', ACCEPTS_BR | ACCEPTS_GZIP],
    ['br;q=0, gzip', ACCEPTS_GZIP],
    ['gzip;q=0', 0],
    ['gzip; q=0.000, br ; q=0', 0],
    ['*', ACCEPTS_BR | ACCEPTS_GZIP],
    ['*;q=0', 0],
    ['*, br;q=0', ACCEPTS_GZIP],
    ['identity', 0],
    ['x-gzip', ACCEPTS_GZIP],
    ['deflate', 0],
    ['gzip;q=bogus', 0],
    ['br;level=5;q=0.9', ACCEPTS_BR],
  ])('%s → %s', (header, bits) => {
    expect(acceptedEncodings(header)).toBe(bits);
  });
});

describe('E10: when and how a response is compressed (decision table)', () => {
  const facts = (contentType: string | undefined, contentLength: number, contentEncoding?: string) => ({
    contentType,
    contentLength,
    contentEncoding,
    cacheControl: undefined,
    contentRange: undefined,
  });
  it.each([
    { why: 'br for any type', ae: 'gzip, br', type: 'image/png', len: 5000, expect: 'br' },
    { why: 'br preferred over gzip (even with a higher gzip q)', ae: 'gzip;q=1, br;q=0.2', type: 'text/plain', len: 5000, expect: 'br' },
    { why: 'gzip for text/plain', ae: 'gzip', type: 'text/plain; charset=utf-8', len: 5000, expect: 'gzip' },
    { why: 'gzip-only client, other type: none', ae: 'gzip', type: 'text/html', len: 5000, expect: undefined },
    { why: 'gzip-only client, no type: none', ae: 'gzip', type: undefined, len: 5000, expect: undefined },
    { why: '1024 bytes: none', ae: 'br', type: 'text/plain', len: 1024, expect: undefined },
    { why: '1025 bytes: compressed', ae: 'br', type: 'text/plain', len: 1025, expect: 'br' },
    { why: 'no Content-Length: none', ae: 'br', type: 'text/plain', len: -1, expect: undefined },
    { why: 'already encoded: none', ae: 'br, gzip', type: 'text/plain', len: 5000, ce: 'gzip', expect: undefined },
    { why: 'client accepts nothing', ae: undefined, type: 'text/plain', len: 5000, expect: undefined },
  ])('$why', ({ ae, type, len, ce, expect: encoding }) => {
    expect(decideCompression(true, 'GET', 200, ae, facts(type, len, ce)).encoding).toBe(encoding);
    expect(decideCompression(false, 'GET', 200, ae, facts(type, len, ce)).encoding).toBeUndefined();
  });

  it.each(['text/xml', 'text/plain', 'text/css', 'application/javascript', 'application/x-javascript', 'application/rss+xml', 'application/atom+xml', 'application/xml', 'application/json'])(
    'gzip applies to %s',
    (type) => {
      expect(decideCompression(true, 'GET', 200, 'gzip', facts(type.toUpperCase(), 2000)).encoding).toBe('gzip');
    },
  );

  it.each([
    ['HEAD', 200],
    ['GET', 204],
    ['GET', 304],
    ['GET', 206],
    ['GET', 101],
  ])('%s with status %s is never compressed', (method, status) => {
    const d = decideCompression(true, method, status, 'br, gzip', facts('text/plain', 5000));
    expect(d.encoding).toBeUndefined();
    expect(d.vary).toBe(false);
  });

  it('Cache-Control: no-transform and Content-Range forbid it', () => {
    const base = facts('text/plain', 5000);
    expect(decideCompression(true, 'GET', 200, 'br', { ...base, cacheControl: 'public, No-Transform' }).encoding).toBeUndefined();
    expect(decideCompression(true, 'GET', 200, 'br', { ...base, contentRange: 'bytes 0-4999/9000' }).encoding).toBeUndefined();
  });

  it('responseFacts reads a flat list; a repeated Content-Length counts as absent', () => {
    const f = responseFacts(['content-TYPE', 'text/css', 'Content-Length', '2048', 'Content-Encoding', 'gzip', 'Cache-Control', 'max-age=1']);
    expect(f).toEqual({ contentType: 'text/css', contentLength: 2048, contentEncoding: 'gzip', cacheControl: 'max-age=1', contentRange: undefined });
    expect(responseFacts(['Content-Length', '2048', 'content-length', '2048']).contentLength).toBe(-1);
    expect(responseFacts(['Content-Length', '+2048']).contentLength).toBe(-1);
  });

  it('rewriteHeaders: Content-Length and Accept-Ranges gone, ETag weak, Vary merged, case kept', () => {
    const d = decideCompression(true, 'GET', 200, 'br', facts('text/plain', 5000));
    const out = pairs(rewriteHeaders(['content-type', 'text/plain', 'CONTENT-LENGTH', '5000', 'ETag', '"abc"', 'Accept-Ranges', 'bytes', 'vary', 'Origin'], d));
    expect(out).toEqual([
      ['content-type', 'text/plain'],
      ['ETag', 'W/"abc"'],
      ['vary', 'Origin, Accept-Encoding'],
      ['Content-Encoding', 'br'],
    ]);
    const already = pairs(rewriteHeaders(['Vary', 'accept-encoding', 'Content-Length', '5000'], d));
    expect(already).toEqual([
      ['Vary', 'accept-encoding'],
      ['Content-Encoding', 'br'],
    ]);
  });

  it('an uncompressed answer that could have been compressed still says Vary, and keeps its length', () => {
    const d = decideCompression(true, 'GET', 200, 'gzip', facts('image/png', 5000));
    expect(d).toEqual({ encoding: undefined, vary: true });
    expect(pairs(rewriteHeaders(['Content-Length', '5000'], d))).toEqual([
      ['Content-Length', '5000'],
      ['Vary', 'Accept-Encoding'],
    ]);
    const none = decideCompression(true, 'GET', 200, 'gzip', facts('text/plain', 100));
    const flat = ['Content-Length', '100'];
    expect(rewriteHeaders(flat, none)).toBe(flat);
  });
});

describe('E10: the compression module between a backend and a client over real sockets', () => {
  let backend: http.Server;
  let proxy: http.Server;
  let upstream: Client;
  /** Release gate for the streaming test: the backend holds the second half until it opens. */
  let releaseSecondHalf: () => void = () => {};

  function body(size: number): Buffer {
    const line = 'Gatehouse compresses text like this line, over and over. 0123456789\n';
    return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size));
  }

  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const size = Number(url.searchParams.get('size'));
      const headers: Record<string, string> = { 'Content-Type': url.searchParams.get('type')!, 'Content-Length': String(size) };
      const ce = url.searchParams.get('ce');
      if (ce) headers['Content-Encoding'] = ce;
      res.writeHead(200, headers);
      if (url.searchParams.get('stream') === '1') {
        const random = Buffer.alloc(size);
        for (let i = 0; i < size; i++) random[i] = 33 + ((i * 2654435761) >>> 7) % 90;
        const half = size / 2;
        res.write(random.subarray(0, half));
        const gate = new Promise<void>((resolve) => (releaseSecondHalf = resolve));
        void gate.then(() => res.end(random.subarray(half)));
        return;
      }
      res.end(req.method === 'HEAD' ? undefined : body(size));
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    upstream = new Client(`http://127.0.0.1:${(backend.address() as net.AddressInfo).port}`);

    const relay = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
      const r = await upstream.request({ method: req.method as 'GET', path: req.url! });
      const flat: string[] = [];
      for (const [name, value] of Object.entries(r.headers)) {
        if (name === 'connection' || name === 'keep-alive') continue;
        for (const v of Array.isArray(value) ? value : [value!]) flat.push(name, v);
      }
      const decision = decideCompression(true, req.method!, r.statusCode, req.headers['accept-encoding'], responseFacts(flat));
      res.writeHead(r.statusCode, rewriteHeaders(flat, decision) as string[]);
      if (decision.encoding === undefined) await pipeline(r.body, res);
      else await pipeline(r.body, createCompressor(decision.encoding, Number(r.headers['content-length'])), res);
    };
    proxy = http.createServer((req, res) => {
      relay(req, res).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
  });

  afterAll(async () => {
    releaseSecondHalf();
    await upstream?.close();
    proxy?.closeAllConnections();
    proxy?.close();
    backend?.closeAllConnections();
    backend?.close();
  });

  function get(path: string, acceptEncoding: string | undefined, method = 'GET', onFirstBody?: () => void) {
    return new Promise<{ headers: http.IncomingHttpHeaders; raw: Buffer }>((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding;
      const req = http.request({ host: '127.0.0.1', port: (proxy.address() as net.AddressInfo).port, path, method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (chunks.length === 0) onFirstBody?.();
          chunks.push(c);
        });
        res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  function decode(raw: Buffer, encoding: string | undefined): Buffer {
    if (encoding === 'br') return zlib.brotliDecompressSync(raw);
    if (encoding === 'gzip') return zlib.gunzipSync(raw);
    return raw;
  }

  it.each([
    { type: 'text/plain', size: 5000, ae: 'gzip, deflate, br', expect: 'br' },
    { type: 'application/json', size: 5000, ae: 'gzip', expect: 'gzip' },
    { type: 'text/css', size: 1025, ae: 'gzip', expect: 'gzip' },
    { type: 'text/css', size: 1024, ae: 'gzip, br', expect: undefined },
    { type: 'image/svg+xml', size: 5000, ae: 'br', expect: 'br' },
    { type: 'text/html', size: 5000, ae: 'gzip', expect: undefined },
    { type: 'application/xml', size: 200_000, ae: 'br;q=0, gzip', expect: 'gzip' },
    { type: 'text/plain', size: 5000, ae: undefined, expect: undefined },
  ])('$type, $size bytes, Accept-Encoding "$ae" → $expect', async ({ type, size, ae, expect: encoding }) => {
    const { headers, raw } = await get(`/?type=${encodeURIComponent(type)}&size=${size}`, ae);
    expect(headers['content-encoding']).toBe(encoding);
    expect(decode(raw, encoding).equals(body(size))).toBe(true);
    if (encoding !== undefined) {
      expect(headers['content-length']).toBeUndefined();
      expect(headers['transfer-encoding']).toBe('chunked');
      expect(headers['vary']).toBe('Accept-Encoding');
      expect(raw.length).toBeLessThan(size);
    } else {
      expect(headers['content-length']).toBe(String(size));
    }
  });

  it('an already encoded response passes byte for byte', async () => {
    const { headers, raw } = await get(`/?type=text/plain&size=3000&ce=x-custom`, 'br, gzip');
    expect(headers['content-encoding']).toBe('x-custom');
    expect(raw.equals(body(3000))).toBe(true);
    expect(headers['content-length']).toBe('3000');
  });

  it('HEAD is not compressed and keeps Content-Length', async () => {
    const { headers, raw } = await get(`/?type=text/plain&size=3000`, 'br', 'HEAD');
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['content-length']).toBe('3000');
    expect(raw.length).toBe(0);
  });

  it('streams: compressed bytes reach the client before the backend has sent the whole body', async () => {
    const size = 1 << 20;
    let sawBodyEarly = false;
    let released = false;
    const done = get(`/?type=text/plain&size=${size}&stream=1`, 'gzip', 'GET', () => {
      if (!released) sawBodyEarly = true;
      released = true;
      releaseSecondHalf();
    });
    // Without streaming the client would see nothing until release: release anyway after 5 s, and fail.
    const fallback = setTimeout(() => {
      released = true;
      releaseSecondHalf();
    }, 5000);
    const { headers, raw } = await done;
    clearTimeout(fallback);
    expect(sawBodyEarly).toBe(true);
    expect(headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(raw).length).toBe(size);
  });
});
