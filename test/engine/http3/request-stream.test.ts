/**
 * The request stream as a server reads it: frame order, the request head rules of RFC 9114
 * §4.2–4.3, Content-Length against the DATA total, truncation, the 431-like refusals (a HEADERS
 * frame claiming a huge length is refused at its length), and the same events however the
 * stream is split.
 */
import { describe, expect, it } from 'vitest';
import {
  H3_FRAME_ERROR,
  H3_FRAME_UNEXPECTED,
  H3_MESSAGE_ERROR,
  H3_REQUEST_INCOMPLETE,
  QPACK_DECOMPRESSION_FAILED,
  type H3Failure,
} from '../../../engine/http3/error-codes.ts';
import { serializeDataFrame, serializeHeadersFrame } from '../../../engine/http3/frames.ts';
import { FieldSectionDecoder } from '../../../engine/http3/qpack-decoder.ts';
import type { H3RequestHead } from '../../../engine/http3/request-head.ts';
import { RequestStream } from '../../../engine/http3/request-stream.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const BASE = [':method', 'POST', ':scheme', 'https', ':authority', 'example.com', ':path', '/upload'];

interface Run {
  events: string[];
  head: H3RequestHead | undefined;
  failure: H3Failure | undefined;
}

function run(bytes: Buffer, split = bytes.length, options = { maxFieldSectionSize: 4096, maxFieldCount: 20, maxHeadersFrame: 4096 }): Run {
  const result: Run = { events: [], head: undefined, failure: undefined };
  const stream = new RequestStream(
    {
      request: (head) => {
        result.head = head;
        result.events.push(`request ${head.method} ${head.path}`);
      },
      data: (chunk) => result.events.push(`data ${chunk.toString('latin1')}`),
      trailers: (t) => result.events.push(`trailers ${t.fields.join(',')}`),
      end: () => result.events.push('end'),
      refused: (reason) => result.events.push(`refused ${reason}`),
    },
    { decoder: new FieldSectionDecoder(options), maxHeadersFrame: options.maxHeadersFrame },
  );
  for (let at = 0; at < bytes.length && result.failure === undefined; at += split) {
    result.failure = stream.push(bytes.subarray(at, Math.min(at + split, bytes.length)));
  }
  result.failure ??= stream.end();
  return result;
}

/** joinData merges consecutive data events, so runs split differently compare equal. */
function joined(events: string[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (e.startsWith('data ') && last?.startsWith('data ')) out[out.length - 1] = last + e.slice(5);
    else out.push(e);
  }
  return out;
}

const headers = (...extra: string[]) => serializeHeadersFrame([...BASE, ...extra]);

describe('RequestStream', () => {
  const whole = Buffer.concat([
    headers('content-length', '11', 'cookie', 'a=1', 'user-agent', 'test', 'cookie', 'b=2', 'authorization', 'secret'),
    serializeDataFrame(Buffer.from('hello ')),
    hex('21 03 000000'), // reserved frame type: ignored
    serializeDataFrame(Buffer.from('world')),
    serializeHeadersFrame(['x-checksum', 'abc']),
    hex('21 00'),
  ]);

  it('reports head, body pieces, trailers and end, the same at every split', () => {
    const reference = run(whole);
    expect(reference.failure).toBeUndefined();
    expect(joined(reference.events)).toEqual(['request POST /upload', 'data hello world', 'trailers x-checksum,abc', 'end']);
    expect(reference.head).toEqual({
      method: 'POST',
      scheme: 'https',
      authority: 'example.com',
      path: '/upload',
      headers: ['content-length', '11', 'cookie', 'a=1; b=2', 'user-agent', 'test', 'authorization', 'secret'],
      neverIndexed: [1, 3],
      contentLength: 11,
    });
    for (let split = 1; split < whole.length; split++) {
      const r = run(whole, split);
      expect(r.failure).toBeUndefined();
      expect(joined(r.events)).toEqual(joined(reference.events));
      expect(r.head).toEqual(reference.head);
    }
  });

  it('accepts a GET without a body, CONNECT with only :authority, and Host in place of :authority', () => {
    expect(run(serializeHeadersFrame([':method', 'GET', ':scheme', 'https', ':authority', 'a.example', ':path', '/'])).events).toEqual(['request GET /', 'end']);
    const connect = run(serializeHeadersFrame([':method', 'CONNECT', ':authority', 'db.internal:5432']));
    expect(connect.failure).toBeUndefined();
    expect(connect.head).toMatchObject({ method: 'CONNECT', scheme: undefined, path: undefined, authority: 'db.internal:5432' });
    const host = run(serializeHeadersFrame([':method', 'GET', ':scheme', 'https', ':path', '/', 'host', 'b.example']));
    expect(host.head?.authority).toBe('b.example');
    expect(run(serializeHeadersFrame([...BASE, 'host', 'EXAMPLE.com', 'te', 'trailers'])).failure).toBeUndefined();
  });

  it.each([
    ['DATA before HEADERS', Buffer.concat([serializeDataFrame(Buffer.from('x')), headers()])],
    ['DATA after trailers', Buffer.concat([headers(), serializeHeadersFrame(['x', 'y']), serializeDataFrame(Buffer.from('x'))])],
    ['HEADERS after trailers', Buffer.concat([headers(), serializeHeadersFrame(['x', 'y']), serializeHeadersFrame(['x', 'y'])])],
    ['SETTINGS', Buffer.concat([headers(), hex('04 00')])],
    ['GOAWAY', Buffer.concat([headers(), hex('07 01 00')])],
    ['MAX_PUSH_ID', Buffer.concat([headers(), hex('0d 01 00')])],
    ['CANCEL_PUSH', Buffer.concat([headers(), hex('03 01 00')])],
    ['PUSH_PROMISE', Buffer.concat([headers(), hex('05 01 00')])],
    ['HTTP/2 PRIORITY', hex('02 00')],
    ['HTTP/2 PING', Buffer.concat([headers(), hex('06 00')])],
    ['HTTP/2 WINDOW_UPDATE', Buffer.concat([headers(), hex('08 00')])],
    ['HTTP/2 CONTINUATION', Buffer.concat([headers(), hex('09 00')])],
  ])('closes the connection with H3_FRAME_UNEXPECTED on %s', (_what, bytes) => {
    for (const split of [1, bytes.length]) expect(run(bytes, split).failure).toMatchObject({ scope: 'connection', code: H3_FRAME_UNEXPECTED });
  });

  it.each([
    ['no :method', [':scheme', 'https', ':authority', 'a', ':path', '/']],
    ['no :scheme', [':method', 'GET', ':authority', 'a', ':path', '/']],
    ['no :path', [':method', 'GET', ':scheme', 'https', ':authority', 'a']],
    ['an empty :path', [':method', 'GET', ':scheme', 'https', ':authority', 'a', ':path', '']],
    ['neither :authority nor host', [':method', 'GET', ':scheme', 'https', ':path', '/']],
    [':authority and host that differ', [...BASE, 'host', 'other.example']],
    ['userinfo in :authority', [':method', 'GET', ':scheme', 'https', ':authority', 'u@a.example', ':path', '/']],
    ['two host fields', [...BASE, 'host', 'example.com', 'host', 'example.com']],
    ['a duplicate :method', [...BASE, ':method', 'GET']],
    ['a duplicate :path', [':path', '/', ...BASE]],
    ['a pseudo-field after a regular field', [':method', 'GET', 'accept', '*/*', ':scheme', 'https', ':authority', 'a', ':path', '/']],
    ['an unknown pseudo-field', [...BASE, ':foo', 'x']],
    [':status in a request', [':status', '200', ...BASE]],
    [':protocol (no extended CONNECT)', [':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'https', ':authority', 'a', ':path', '/']],
    ['CONNECT with :path', [':method', 'CONNECT', ':authority', 'a:443', ':path', '/']],
    ['CONNECT without :authority', [':method', 'CONNECT']],
    ['a method that is not a token', [':method', 'GE(T', ':scheme', 'https', ':authority', 'a', ':path', '/']],
    ['a scheme that is not a scheme', [':method', 'GET', ':scheme', '1http', ':authority', 'a', ':path', '/']],
    ['connection', [...BASE, 'connection', 'close']],
    ['keep-alive', [...BASE, 'keep-alive', 'timeout=5']],
    ['proxy-connection', [...BASE, 'proxy-connection', 'keep-alive']],
    ['transfer-encoding', [...BASE, 'transfer-encoding', 'chunked']],
    ['upgrade', [...BASE, 'upgrade', 'websocket']],
    ['te other than trailers', [...BASE, 'te', 'gzip']],
    ['a content-length that is not a number', [...BASE, 'content-length', '1x']],
    ['two content-length fields', [...BASE, 'content-length', '1', 'content-length', '1']],
  ])('resets the stream with H3_MESSAGE_ERROR on %s', (_what, fields) => {
    expect(run(serializeHeadersFrame(fields)).failure).toMatchObject({ scope: 'stream', code: H3_MESSAGE_ERROR });
  });

  it('resets the stream with H3_MESSAGE_ERROR on malformed field bytes and bad trailers', () => {
    // Literal with literal name "X-A" (upper case) — the encoder would lower-case it, so by hand.
    expect(run(hex('01 08 0000 23 582d41 01 31')).failure).toMatchObject({ scope: 'stream', code: H3_MESSAGE_ERROR });
    expect(run(Buffer.concat([headers(), serializeHeadersFrame([':path', '/'])])).failure).toMatchObject({ scope: 'stream', code: H3_MESSAGE_ERROR });
    expect(run(Buffer.concat([headers(), serializeHeadersFrame(['transfer-encoding', 'chunked'])])).failure).toMatchObject({ scope: 'stream', code: H3_MESSAGE_ERROR });
  });

  it('checks content-length against the DATA total', () => {
    const over = run(Buffer.concat([headers('content-length', '3'), serializeDataFrame(Buffer.from('ab')), serializeDataFrame(Buffer.from('cd'))]));
    expect(over.failure).toMatchObject({ scope: 'stream', code: H3_MESSAGE_ERROR });
    expect(over.events).toEqual(['request POST /upload', 'data ab']); // the overrunning frame's bytes are never passed on
    const under = run(Buffer.concat([headers('content-length', '3'), serializeDataFrame(Buffer.from('ab'))]));
    expect(under.failure).toMatchObject({ scope: 'stream', code: H3_MESSAGE_ERROR });
    expect(under.events).not.toContain('end');
    expect(run(Buffer.concat([headers('content-length', '0')])).events).toEqual(['request POST /upload', 'end']);
  });

  it('fails the connection with QPACK_DECOMPRESSION_FAILED on a dynamic table reference', () => {
    expect(run(hex('01 03 0000 80')).failure).toMatchObject({ scope: 'connection', code: QPACK_DECOMPRESSION_FAILED });
    expect(run(hex('01 02 0100')).failure).toMatchObject({ scope: 'connection', code: QPACK_DECOMPRESSION_FAILED });
  });

  it('treats a stream ending inside a frame as H3_FRAME_ERROR and one without HEADERS as H3_REQUEST_INCOMPLETE', () => {
    const bytes = Buffer.concat([headers(), serializeDataFrame(Buffer.from('abc'))]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = run(bytes.subarray(0, cut));
      const boundary = cut === bytes.length - 5;
      if (boundary) expect(r.failure).toBeUndefined();
      else expect(r.failure).toMatchObject({ scope: 'connection', code: H3_FRAME_ERROR });
    }
    expect(run(Buffer.alloc(0)).failure).toMatchObject({ scope: 'stream', code: H3_REQUEST_INCOMPLETE });
    expect(run(hex('21 00')).failure).toMatchObject({ scope: 'stream', code: H3_REQUEST_INCOMPLETE });
  });

  it('refuses a HEADERS frame claiming a huge length as soon as the length is read', () => {
    const r = run(hex('01 c0000000ffffffff 0000'), 1);
    expect(r.failure).toBeUndefined();
    expect(r.events).toEqual([`refused HEADERS frame of ${0xffffffff} bytes is over 4096`]);
  });

  it('refuses a section over the size or field count limits, and reads nothing after', () => {
    const big = run(Buffer.concat([headers('x-big', 'v'.repeat(5000)), serializeDataFrame(Buffer.from('x'))]), 7, { maxFieldSectionSize: 4096, maxFieldCount: 20, maxHeadersFrame: 16384 });
    expect(big.failure).toBeUndefined();
    expect(big.events).toEqual(['refused field section larger than 4096 bytes']);
    const fields = Array.from({ length: 21 }, (_, i) => [`x-f${i}`, 'v']).flat();
    const many = run(Buffer.concat([headers(...fields), hex('02 00')]));
    expect(many.failure).toBeUndefined();
    expect(many.events).toEqual(['refused more than 20 fields']);
  });
});
