/**
 * E10 through a real engine: compression only when the response has Content-Length > 1024 and
 * no Content-Encoding; Brotli for any type when the client accepts br (preferred over gzip);
 * gzip only for the listed types; a gzip-only client asking for another type gets it
 * uncompressed; `Vary: Accept-Encoding` added; compressionEnabled off → never. The client
 * decompresses and compares bytes; the compressed response carries no Content-Length.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshotParts } from '../support/snapshots.ts';
import type { Recorded } from '../support/raw-backend.ts';
import { RawClient, type RawResponse } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';

/** text returns `n` bytes of compressible text. */
function text(n: number): string {
  const unit = 'The quick brown fox jumps over the lazy dog. ';
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

/** respond serves /r?type=…&len=…&ce=…&chunked=1 as asked. */
function respond(req: Recorded): string {
  const url = new URL(`http://x${req.requestLine.split(' ')[1]}`);
  const len = Number(url.searchParams.get('len') ?? '2000');
  const type = url.searchParams.get('type');
  const ce = url.searchParams.get('ce');
  const body = text(len);
  const fields = [type ? `Content-Type: ${type}` : '', ce ? `Content-Encoding: ${ce}` : '', 'ETag: "v1"'].filter(Boolean);
  if (url.searchParams.get('chunked') === '1') {
    return `HTTP/1.1 200 OK\r\n${fields.join('\r\n')}\r\nTransfer-Encoding: chunked\r\n\r\n${len.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  }
  return `HTTP/1.1 200 OK\r\n${fields.join('\r\n')}\r\nContent-Length: ${len}\r\n\r\n${req.requestLine.startsWith('HEAD') ? '' : body}`;
}

let fx: ProxyFixture;
let onPort = 0;
let offPort = 0;

beforeAll(async () => {
  fx = new ProxyFixture();
  const backend = await fx.backend(respond);
  await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
  onPort = fx.port('lsn-1');
  const off = new ProxyFixture();
  fx.onClose(() => off.close());
  await off.apply(buildSnapshotParts({ backends: [backend.port], listener: { compressionEnabled: false } }));
  offPort = off.port('lsn-1');
});
afterAll(async () => fx?.close());

async function fetchRaw(port: number, path: string, acceptEncoding: string | undefined, method = 'GET'): Promise<RawResponse> {
  const client = await RawClient.connect(port);
  client.send(`${method} ${path} HTTP/1.1\r\nHost: a\r\n${acceptEncoding !== undefined ? `Accept-Encoding: ${acceptEncoding}\r\n` : ''}Connection: close\r\n\r\n`);
  const r = await client.response(5000, method === 'HEAD');
  client.close();
  return r;
}

function decoded(r: RawResponse): string {
  const ce = r.header('content-encoding');
  if (ce === 'br') return zlib.brotliDecompressSync(r.body).toString();
  if (ce === 'gzip') return zlib.gunzipSync(r.body).toString();
  return r.body.toString();
}

const GZIP_TYPES = ['text/xml', 'text/plain', 'text/css', 'application/javascript', 'application/x-javascript', 'application/rss+xml', 'application/atom+xml', 'application/xml', 'application/json'];

describe('E10: responses compressed by a running listener', () => {
  it.each([
    { why: 'br for any type', q: 'type=image/png&len=5000', ae: 'gzip, br', encoding: 'br', vary: true },
    { why: 'br preferred over gzip', q: 'type=text/plain&len=5000', ae: 'gzip;q=1, br;q=0.2', encoding: 'br', vary: true },
    { why: 'gzip-only client, text/html: uncompressed', q: 'type=text/html&len=5000', ae: 'gzip', encoding: undefined, vary: true },
    { why: 'gzip-only client, no type: uncompressed', q: 'len=5000', ae: 'gzip', encoding: undefined, vary: true },
    { why: 'exactly 1024 bytes: uncompressed', q: 'type=text/plain&len=1024', ae: 'br', encoding: undefined, vary: false },
    { why: '1025 bytes: compressed', q: 'type=text/plain&len=1025', ae: 'br', encoding: 'br', vary: true },
    { why: 'no Content-Length (chunked): uncompressed', q: 'type=text/plain&len=5000&chunked=1', ae: 'br, gzip', encoding: undefined, vary: false },
    { why: 'client accepts nothing: uncompressed', q: 'type=text/plain&len=5000', ae: undefined, encoding: undefined, vary: true },
    ...GZIP_TYPES.map((t) => ({ why: `gzip for ${t}`, q: `type=${encodeURIComponent(t)}&len=3000`, ae: 'gzip', encoding: 'gzip' as const, vary: true })),
  ])('$why', async ({ q, ae, encoding, vary }) => {
    const len = Number(new URLSearchParams(q).get('len'));
    const r = await fetchRaw(onPort, `/r?${q}`, ae);
    expect(r.status).toBe(200);
    expect(r.header('content-encoding')).toBe(encoding);
    expect(r.header('vary')).toBe(vary ? 'Accept-Encoding' : undefined);
    if (encoding !== undefined) {
      expect(r.header('content-length')).toBeUndefined();
      expect(r.header('transfer-encoding')).toBe('chunked');
      expect(r.header('etag')).toBe('W/"v1"');
      expect(r.body.length).toBeLessThan(len);
    }
    expect(decoded(r)).toBe(text(len));
  });

  it('an already encoded response passes untouched', async () => {
    const r = await fetchRaw(onPort, '/r?type=text/plain&len=5000&ce=gzip', 'br, gzip');
    expect(r.header('content-encoding')).toBe('gzip');
    expect(r.header('content-length')).toBe('5000');
    expect(r.body.toString()).toBe(text(5000));
  });

  it('compressionEnabled off: never compressed, no Vary', async () => {
    const r = await fetchRaw(offPort, '/r?type=text/plain&len=5000', 'br, gzip');
    expect(r.header('content-encoding')).toBeUndefined();
    expect(r.header('vary')).toBeUndefined();
    expect(r.header('content-length')).toBe('5000');
  });

  it('HEAD is answered with the original fields', async () => {
    const r = await fetchRaw(onPort, '/r?type=text/plain&len=5000', 'br', 'HEAD');
    expect(r.header('content-encoding')).toBeUndefined();
    expect(r.header('content-length')).toBe('5000');
  });

  it('a large body is compressed as a stream', async () => {
    const r = await fetchRaw(onPort, '/r?type=application/json&len=400000', 'gzip');
    expect(r.header('content-encoding')).toBe('gzip');
    expect(decoded(r)).toBe(text(400_000));
  });
});
