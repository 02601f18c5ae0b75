/**
 * SPEC 2.1 as pure functions: validateRequest row by row (versions, CONNECT, targets, Host,
 * absolute-form authority, transfer codings), the Transfer-Encoding reader, the Host grammar,
 * and the header pass dropping field names with `_` unless the listener forwards them. The
 * same rules on the wire, through real listeners, are test/front-door/http1-corpus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  readTransferCoding,
  TRANSFER_CODING_CHUNKED,
  TRANSFER_CODING_MALFORMED,
  TRANSFER_CODING_NONE,
  TRANSFER_CODING_UNKNOWN,
} from '../../engine/headers/field-lists.ts';
import { ForwardedHeaders, type RequestFacts } from '../../engine/headers/index.ts';
import { isValidHost, REQUEST_OK, validateRequest, type RequestLine } from '../../engine/limits/request-validation.ts';
import { forwardedConfig } from '../engine/support/snapshots.ts';
import { pairs } from '../engine/support/header-pairs.ts';

const h1 = (method: string, url: string, major = 1, minor = 1): RequestLine => ({ method, url, http2: false, secure: false, versionMajor: major, versionMinor: minor });
const h2 = (method: string, url: string): RequestLine => ({ method, url, http2: true, secure: true, versionMajor: 1, versionMinor: 1 });

describe('validateRequest (SPEC 2.1)', () => {
  const rows: { name: string; line: RequestLine; host: string | undefined; te?: number; expect?: string; status: number }[] = [
    { name: 'a plain GET', line: h1('GET', '/a?b=c'), host: 'example.com', status: REQUEST_OK },
    { name: 'HTTP/1.0 without Host', line: h1('GET', '/', 1, 0), host: undefined, status: REQUEST_OK },
    { name: 'HTTP/1.1 without Host', line: h1('GET', '/'), host: undefined, status: 400 },
    { name: 'HTTP/0.9 (no version)', line: h1('GET', '/', 0, 9), host: 'a', status: 400 },
    { name: 'HTTP/2.0 in an HTTP/1 request line', line: h1('GET', '/', 2, 0), host: 'a', status: 505 },
    { name: 'HTTP/3.0 in an HTTP/1 request line', line: h1('GET', '/', 3, 0), host: 'a', status: 505 },
    { name: 'CONNECT over HTTP/1.1', line: h1('CONNECT', 'a:443'), host: 'a:443', status: 405 },
    { name: 'CONNECT over HTTP/2', line: h2('CONNECT', ''), host: 'a:443', status: 405 },
    { name: 'a fragment', line: h1('GET', '/a#b'), host: 'a', status: 400 },
    { name: '* with GET', line: h1('GET', '*'), host: 'a', status: 400 },
    { name: '* with OPTIONS', line: h1('OPTIONS', '*'), host: 'a', status: REQUEST_OK },
    { name: 'absolute-form naming Host', line: h1('GET', 'http://Example.com/x'), host: 'example.com', status: REQUEST_OK },
    { name: 'absolute-form https on an HTTPS listener', line: { ...h1('GET', 'https://a:8443?q'), secure: true }, host: 'a:8443', status: REQUEST_OK },
    { name: 'absolute-form https on an HTTP listener', line: h1('GET', 'https://a/x'), host: 'a', status: 400 },
    { name: 'absolute-form http on an HTTPS listener', line: { ...h1('GET', 'http://a/x'), secure: true }, host: 'a', status: 400 },
    { name: 'a double quote in the target', line: h1('GET', '/a"b'), host: 'a', status: 400 },
    { name: 'a backslash in the target', line: h1('GET', '/a\\b'), host: 'a', status: 400 },
    { name: 'angle brackets in the target', line: h1('GET', '/<a>'), host: 'a', status: 400 },
    { name: 'a backtick in the target', line: h1('GET', '/a`b'), host: 'a', status: 400 },
    { name: 'a bad percent escape', line: h1('GET', '/a%zz'), host: 'a', status: 400 },
    { name: 'a truncated percent escape', line: h1('GET', '/a%4'), host: 'a', status: 400 },
    { name: 'a non-ASCII character in an HTTP/2 :path', line: h2('GET', '/é'), host: 'a', status: 400 },
    { name: 'braces, bar and caret in a query', line: h1('GET', '/q?f={a|1}^'), host: 'a', status: REQUEST_OK },
    { name: 'Expect: 100-continue', line: h1('POST', '/'), host: 'a', expect: '100-Continue ', status: REQUEST_OK },
    { name: 'Expect: 100-continue with more', line: h1('POST', '/'), host: 'a', expect: '100-continue, foo', status: 417 },
    { name: 'another expectation', line: h1('POST', '/'), host: 'a', expect: 'foo', status: 417 },
    { name: 'absolute-form naming another host', line: h1('GET', 'http://internal/x'), host: 'example.com', status: 400 },
    { name: 'absolute-form with userinfo', line: h1('GET', 'http://u@a/x'), host: 'a', status: 400 },
    { name: 'absolute-form with another scheme', line: h1('GET', 'ftp://a/x'), host: 'a', status: 400 },
    { name: 'a target without a slash', line: h1('GET', 'a/b'), host: 'a', status: 400 },
    { name: 'HTTP/2 :path with a space', line: h2('GET', '/a b'), host: 'a', status: 400 },
    { name: 'HTTP/2 :path with a control character', line: h2('GET', '/a\u0001'), host: 'a', status: 400 },
    { name: 'HTTP/2 without :authority or Host', line: h2('GET', '/'), host: undefined, status: 400 },
    { name: 'an empty Host', line: h1('GET', '/'), host: '', status: 400 },
    { name: 'a Host with a space', line: h1('GET', '/'), host: 'a b', status: 400 },
    { name: 'a Host with a slash', line: h1('GET', '/'), host: 'a/b', status: 400 },
    { name: 'chunked', line: h1('POST', '/'), host: 'a', te: TRANSFER_CODING_CHUNKED, status: REQUEST_OK },
    { name: 'chunked in HTTP/1.0', line: h1('POST', '/', 1, 0), host: 'a', te: TRANSFER_CODING_CHUNKED, status: 400 },
    { name: 'an unknown coding in HTTP/1.0', line: h1('POST', '/', 1, 0), host: 'a', te: TRANSFER_CODING_UNKNOWN, status: 400 },
    { name: 'an unknown coding', line: h1('POST', '/'), host: 'a', te: TRANSFER_CODING_UNKNOWN, status: 501 },
    { name: 'a malformed coding list', line: h1('POST', '/'), host: 'a', te: TRANSFER_CODING_MALFORMED, status: 400 },
  ];
  it.each(rows)('$name → $status', ({ line, host, te, expect: expectation, status }) => {
    expect(validateRequest(line, host, te ?? TRANSFER_CODING_NONE, expectation)).toBe(status);
  });
});

describe('readTransferCoding', () => {
  const rows: [string, number][] = [
    ['chunked', TRANSFER_CODING_CHUNKED],
    ['CHUNKED', TRANSFER_CODING_CHUNKED],
    [' chunked\t', TRANSFER_CODING_CHUNKED],
    ['gzip', TRANSFER_CODING_UNKNOWN],
    ['identity', TRANSFER_CODING_UNKNOWN],
    ['xchunked', TRANSFER_CODING_UNKNOWN],
    ['gzip, chunked', TRANSFER_CODING_UNKNOWN],
    ['chunked, gzip', TRANSFER_CODING_UNKNOWN],
    ['gzip;q=1', TRANSFER_CODING_UNKNOWN],
    ['chunked;q=1', TRANSFER_CODING_MALFORMED],
    ['chunked, chunked', TRANSFER_CODING_MALFORMED],
    [', chunked', TRANSFER_CODING_MALFORMED],
    ['chunked,', TRANSFER_CODING_MALFORMED],
    ['', TRANSFER_CODING_MALFORMED],
  ];
  it.each(rows)('%j → %i', (value, expected) => {
    expect(readTransferCoding(value, TRANSFER_CODING_NONE)).toBe(expected);
  });

  it('a second field is malformed, unless either field names an unknown coding', () => {
    expect(readTransferCoding('chunked', TRANSFER_CODING_CHUNKED)).toBe(TRANSFER_CODING_MALFORMED);
    expect(readTransferCoding('gzip', TRANSFER_CODING_CHUNKED)).toBe(TRANSFER_CODING_UNKNOWN);
    expect(readTransferCoding('chunked', TRANSFER_CODING_UNKNOWN)).toBe(TRANSFER_CODING_UNKNOWN);
  });
});

describe('isValidHost', () => {
  it.each(['example.com', 'EXAMPLE.com:443', '127.0.0.1', '127.0.0.1:8080', '[::1]', '[::1]:8443', '[2001:db8::1]', 'xn--bcher-kva.example', 'a_b.example', 'a%41.example'])(
    '%j is a host',
    (value) => expect(isValidHost(value)).toBe(true),
  );
  it.each(['', ':80', 'a b', 'a/b', 'u@a', 'a:', 'a:123456', 'a:8x', '[::1', '[]', '[::1]x', '[zz::1]', 'a%4', 'a%zz', 'é.example', 'a\u0000'])(
    '%j is not a host',
    (value) => expect(isValidHost(value)).toBe(false),
  );
});

describe('field names with `_` (SPEC 2.1, underscoreHeadersEnabled)', () => {
  const listener = { loadBalancerId: 'alb-abcdefghijklmnopqrst', port: 8443, protocol: 'HTTPS' } as const;
  const raw = ['Host', 'a', 'X_Forwarded_For', '6.6.6.6', 'Content_Length', '5', 'Transfer_Encoding', 'chunked', 'X-Real', 'kept'];
  const facts = (): RequestFacts => ({ host: undefined, contentLength: undefined, transferCoding: TRANSFER_CODING_NONE, acceptEncoding: undefined, cookie: undefined, expect: undefined });

  it('are dropped by default, and never count as framing', () => {
    const f = facts();
    const out = pairs(new ForwardedHeaders(forwardedConfig(), listener).build(raw, { ip: '127.0.0.1', port: 1 }, f));
    expect(out.map(([n]) => n)).toEqual(['Host', 'X-Real', 'X-Forwarded-For']);
    expect(out.find(([n]) => n === 'X-Forwarded-For')![1]).toBe('127.0.0.1');
    expect(f.contentLength).toBeUndefined();
    expect(f.transferCoding).toBe(TRANSFER_CODING_NONE);
  });

  it('are forwarded as sent when the listener enables them', () => {
    const out = pairs(new ForwardedHeaders(forwardedConfig(), { ...listener, underscoreHeadersEnabled: true }).build(raw, { ip: '127.0.0.1', port: 1 }));
    expect(out.map(([n]) => n)).toEqual(['Host', 'X_Forwarded_For', 'Content_Length', 'Transfer_Encoding', 'X-Real', 'X-Forwarded-For']);
  });
});
