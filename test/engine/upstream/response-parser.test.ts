/**
 * The upstream response parser (E6's own HTTP/1.x client): framing by Content-Length, chunked
 * and connection close; 1xx skipped; HEAD/204/304 bodiless; keep-alive decisions; hop-by-hop
 * fields dropped; every strictness rule that keeps a reused connection in step (502 cases).
 * Each case is also fed one byte at a time, so incremental parsing is covered.
 */
import { describe, expect, it } from 'vitest';
import { ResponseParser, type ResponseSink } from '../../../engine/upstream/response-parser.ts';

interface Outcome {
  ok: boolean;
  error: string;
  status: number;
  headers: string[];
  body: string;
  complete: boolean;
  keepAlive: boolean;
  hint: number;
  trailing: boolean;
  tokens: string[] | undefined;
  lastFlags: boolean[];
}

function parse(raw: string, options: { head?: boolean; split?: 'whole' | 'bytes'; closeAfter?: boolean } = {}): Outcome {
  const chunks: Buffer[] = [];
  const lastFlags: boolean[] = [];
  let complete = false;
  const sink: ResponseSink = {
    onResponseHead: () => {},
    onResponseBody: (c, last) => {
      chunks.push(Buffer.from(c));
      lastFlags.push(last);
      return true;
    },
    onResponseComplete: () => {
      complete = true;
    },
  };
  const parser = new ResponseParser(sink);
  parser.expect(options.head ?? false);
  const bytes = Buffer.from(raw, 'latin1');
  let ok = true;
  if (options.split === 'bytes') {
    for (let i = 0; i < bytes.length && ok; i++) ok = parser.execute(bytes.subarray(i, i + 1));
  } else ok = parser.execute(bytes);
  if (ok && options.closeAfter) ok = parser.finish();
  return {
    ok,
    error: parser.error,
    status: parser.status,
    headers: parser.headers,
    body: Buffer.concat(chunks).toString('latin1'),
    complete,
    keepAlive: parser.keepAlive,
    hint: parser.keepAliveHintMs,
    trailing: parser.trailingData,
    tokens: parser.connectionTokens,
    lastFlags,
  };
}

describe.each(['whole', 'bytes'] as const)('response parser (%s)', (split) => {
  it('Content-Length body; hop-by-hop fields dropped; the last piece is flagged', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nContent-Length: 5\r\n\r\nhello', { split });
    expect(r).toMatchObject({ ok: true, status: 200, body: 'hello', complete: true, keepAlive: true, hint: 5000, tokens: ['x-hop'] });
    expect(r.headers).toEqual(['Content-Type', 'text/plain', 'X-Hop', '1', 'Content-Length', '5']);
    expect(r.lastFlags.at(-1)).toBe(true);
  });

  it('chunked body with extensions and trailers', () => {
    const r = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n', { split });
    expect(r).toMatchObject({ ok: true, body: 'hello0123456789', complete: true, keepAlive: true });
    expect(r.headers).toEqual([]);
  });

  it('no length: body until the connection closes, not reusable', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstream of bytes', { split, closeAfter: true });
    expect(r).toMatchObject({ ok: true, body: 'stream of bytes', complete: true, keepAlive: false });
  });

  it.each([
    ['a HEAD response', 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', true],
    ['204', 'HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n', false],
    ['304', 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', false],
  ])('%s has no body', (_name, raw, head) => {
    expect(parse(raw, { split, head })).toMatchObject({ ok: true, body: '', complete: true, keepAlive: true });
  });

  it('1xx answers are skipped', () => {
    const r = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok', { split });
    expect(r).toMatchObject({ ok: true, status: 201, body: 'ok' });
  });

  it.each([
    ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx', false],
    ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx', true],
    ['HTTP/1.1 with close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx', false],
  ])('keep-alive: %s → %s', (_name, raw, keepAlive) => {
    expect(parse(raw, { split }).keepAlive).toBe(keepAlive);
  });

  it('bytes after a complete response mark the connection unusable', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA', { split }).trailing).toBe(true);
  });

  it.each([
    ['malformed status line', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n'],
    ['a line without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\nContent-Length: 0\r\n\r\n'],
    ['a bare LF', 'HTTP/1.1 200 OK\r\nX-A: a\nb\r\nContent-Length: 0\r\n\r\n'],
    ['a NUL', 'HTTP/1.1 200 OK\r\nX-A: a\0\r\nContent-Length: 0\r\n\r\n'],
    ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['differing Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx'],
    ['a Content-Length list', 'HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data without CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxY'],
  ])('%s is an error', (_name, raw) => {
    expect(parse(raw, { split }).ok).toBe(false);
  });

  it('equal repeated Content-Length fields are accepted once', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok', { split });
    expect(r).toMatchObject({ ok: true, body: 'ok' });
    expect(r.headers).toEqual(['Content-Length', '2']);
  });
});

describe('response parser limits', () => {
  it('a head over 64 KiB is an error', () => {
    const r = parse(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(65 * 1024)}\r\n\r\n`);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/too large/);
  });

  it('a body cut short by the connection closing is an error', () => {
    const sink: ResponseSink = { onResponseHead: () => {}, onResponseBody: () => true, onResponseComplete: () => {} };
    const parser = new ResponseParser(sink);
    parser.expect(false);
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'))).toBe(true);
    expect(parser.finish()).toBe(false);
  });
});
