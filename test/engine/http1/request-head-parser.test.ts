/**
 * The HTTP/1.x head parser on its own: every split of a head parses the same, a head dripped
 * one byte at a time parses, the body framing it decides, the fields the connection acts on,
 * and the statuses of what it refuses (the front-door corpus covers the refusals end to end).
 */
import { describe, expect, it } from 'vitest';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, BODY_UNFRAMED, HEAD_FAILED, HEAD_INCOMPLETE, RequestHeadParser } from '../../../engine/http1/request-head-parser.ts';

/** parse feeds `raw` in pieces of `split` bytes (all at once when 0) and returns the parser and the offset after the head in the last piece. */
function parse(raw: string, split = 0): { parser: RequestHeadParser; result: number } {
  const parser = new RequestHeadParser();
  const bytes = Buffer.from(raw, 'latin1');
  if (split === 0) return { parser, result: parser.execute(bytes, 0) };
  let result = HEAD_INCOMPLETE;
  for (let at = 0; at < bytes.length && result === HEAD_INCOMPLETE; at += split) {
    result = parser.execute(bytes.subarray(at, Math.min(at + split, bytes.length)), 0);
  }
  return { parser, result };
}

const HEAD = 'POST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\nConnection: keep-alive, Upgrade\r\nUpgrade: h2c\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n';

describe('RequestHeadParser', () => {
  it.each([0, 1, 2, 3, 7, 64])('parses a head split every %i bytes the same way', (split) => {
    const { parser, result } = parse(`${HEAD}hello`, split);
    expect(result).not.toBe(HEAD_FAILED);
    expect(result).not.toBe(HEAD_INCOMPLETE);
    expect(parser.method).toBe('POST');
    expect(parser.url).toBe('/upload?x=1');
    expect([parser.versionMajor, parser.versionMinor]).toEqual([1, 1]);
    expect(parser.rawHeaders).toEqual(['Host', 'example.com', 'X-Empty', '', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'h2c', 'Expect', '100-continue', 'Content-Length', '5']);
    expect(parser.connection).toBe('keep-alive, Upgrade');
    expect(parser.upgrade).toBe('h2c');
    expect(parser.expect).toBe('100-continue');
    expect(parser.bodyFraming).toBe(BODY_LENGTH);
    expect(parser.contentLength).toBe(5);
  });

  it('returns the offset right after the head, so the body and the next request stay with the connection', () => {
    const { result } = parse(`${HEAD}hello`);
    expect(result).toBe(Buffer.byteLength(HEAD));
  });

  it('parses a 60 KiB head dripped one byte at a time', () => {
    const raw = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(60 * 1024)}\r\n\r\n`;
    const { parser, result } = parse(raw, 1);
    expect(result).toBe(1);
    expect(parser.rawHeaders[3]!.length).toBe(60 * 1024);
  });

  it('trims whitespace around values and keeps the name as sent', () => {
    const { parser } = parse('GET / HTTP/1.0\r\nx-MiXeD:  \t v a l \t \r\n\r\n');
    expect(parser.rawHeaders).toEqual(['x-MiXeD', 'v a l']);
    expect(parser.versionMinor).toBe(0);
  });

  it('skips empty lines before the request line (a client that ended its last body with an extra CRLF), but not a bare LF', () => {
    const { parser, result } = parse('\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n', 1);
    expect(result).toBeGreaterThan(0);
    expect(parser.url).toBe('/after');
    expect(parse('\nGET / HTTP/1.1\r\n\r\n').result).toBe(HEAD_FAILED);
  });

  it('reads runs of spaces between the request-line parts as one', () => {
    const { parser, result } = parse('GET   /a   HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(result).toBeGreaterThan(0);
    expect([parser.method, parser.url]).toEqual(['GET', '/a']);
  });

  it('passes versions 1.2 and 2.0 to the pipeline (which answers 400 and 505) but refuses HTTP/0.x and the HTTP/2 preface', () => {
    expect(parse('GET / HTTP/1.2\r\n\r\n').parser.versionMinor).toBe(2);
    expect(parse('GET / HTTP/2.0\r\n\r\n').parser.versionMajor).toBe(2);
    expect(parse('GET / HTTP/0.9\r\n\r\n').parser.errorStatus).toBe(400);
    expect(parse('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n').parser.errorStatus).toBe(400);
  });

  it.each([
    ['no body fields', 'GET / HTTP/1.1\r\n\r\n', BODY_NONE],
    ['Content-Length 0', 'POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n', BODY_NONE],
    ['Content-Length 007', 'POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n', BODY_LENGTH],
    ['chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n', BODY_CHUNKED],
    ['gzip (the pipeline answers 501)', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', BODY_UNFRAMED],
    ['gzip, chunked (501)', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', BODY_UNFRAMED],
    ['chunked;q=1 (400)', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked;q=1\r\n\r\n', BODY_UNFRAMED],
    ['chunked in HTTP/1.0 (400)', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', BODY_UNFRAMED],
  ])('framing: %s', (_name, raw, framing) => {
    const { parser, result } = parse(raw);
    expect(result).toBe(Buffer.byteLength(raw));
    expect(parser.bodyFraming).toBe(framing);
  });

  it.each([
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['two Content-Length fields', 'POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n', 400],
    ['a Content-Length list', 'POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n', 400],
    ['a 16-digit Content-Length', `POST / HTTP/1.1\r\nContent-Length: ${'9'.repeat(16)}\r\n\r\n`, 400],
    ['a coding after chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 400],
    ['a coding after chunked, in a second field', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n', 400],
    ['a lower-case method', 'get / HTTP/1.1\r\n\r\n', 400],
    ['an unknown method', 'FETCH / HTTP/1.1\r\n\r\n', 400],
    ['a tab in the request line', 'GET\t/ HTTP/1.1\r\n\r\n', 400],
    ['a non-ASCII byte in the target', 'GET /caf\xe9 HTTP/1.1\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n', 400],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['DEL in a value', 'GET / HTTP/1.1\r\nX-A: a\x7fb\r\n\r\n', 400],
    ['a bare LF', 'GET / HTTP/1.1\nHost: x\r\n\r\n', 400],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n', 400],
    ['a request line past the parser bound', `GET /${'u'.repeat(70 * 1024)}`, 414],
    ['a field past the parser bound', `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(70 * 1024)}`, 431],
  ])('refuses %s with %i, at once', (_name, raw, status) => {
    for (const split of [0, 5]) {
      const { parser, result } = parse(raw, split);
      expect(result).toBe(HEAD_FAILED);
      expect(parser.errorStatus).toBe(status);
    }
  });

  it('judges a bare CR before the line ends', () => {
    const { result } = parse('GET /\rX', 0);
    expect(result).toBe(HEAD_FAILED);
  });

  it('keeps 101 fields and counts the rest, so the pipeline answers 431', () => {
    const fields = Array.from({ length: 150 }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
    const { parser, result } = parse(`GET / HTTP/1.1\r\n${fields}\r\n`);
    expect(result).toBeGreaterThan(0);
    expect(parser.rawHeaders.length).toBe(2 * 101);
  });

  it('starts over cleanly after reset', () => {
    const parser = new RequestHeadParser();
    const two = Buffer.from('POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nxGET /b HTTP/1.1\r\n\r\n');
    const first = parser.execute(two, 0);
    expect(parser.url).toBe('/a');
    parser.reset();
    expect(parser.execute(two, first + 1)).toBe(two.length);
    expect([parser.method, parser.url, parser.bodyFraming, parser.rawHeaders.length]).toEqual(['GET', '/b', BODY_NONE, 0]);
  });
});
