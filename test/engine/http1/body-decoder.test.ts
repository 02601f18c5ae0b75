/**
 * The request body decoder on its own: Content-Length and chunked bodies split at every offset
 * decode to the same bytes and end at the same place; extensions and trailers are dropped; the
 * framing errors of SPEC 2.1 fail; a size the client never fills waits (the deadline is the
 * connection's).
 */
import { describe, expect, it } from 'vitest';
import { BODY_FAILED, BODY_INCOMPLETE, BodyDecoder } from '../../../engine/http1/body-decoder.ts';

/** decode feeds `raw` in pieces of `split` bytes; returns the body, the outcome, and where the body ended in the stream. */
function decode(raw: string, length: number, split = 0): { body: string; result: number; endsAt: number } {
  const pieces: Buffer[] = [];
  const decoder = new BodyDecoder({ onBodyData: (chunk) => pieces.push(Buffer.from(chunk)) }, length);
  const bytes = Buffer.from(raw, 'latin1');
  const step = split === 0 ? bytes.length : split;
  let result = BODY_INCOMPLETE;
  let endsAt = -1;
  for (let at = 0; at < bytes.length && result === BODY_INCOMPLETE; at += step) {
    result = decoder.execute(bytes.subarray(at, Math.min(at + step, bytes.length)), 0);
    if (result >= 0) endsAt = at + result;
  }
  return { body: Buffer.concat(pieces).toString('latin1'), result, endsAt };
}

const CHUNKED = '2\r\nhe\r\n3;a=1;b="x y"\r\nllo\r\n0;last\r\nX-Trailer: t\r\n\r\n';

describe('BodyDecoder', () => {
  it.each([0, 1, 2, 5, 13])('decodes a chunked body split every %i bytes, extensions and trailers dropped, and stops at its end', (split) => {
    const { body, result, endsAt } = decode(`${CHUNKED}GET / HTTP/1.1\r\n`, -1, split);
    expect(result).not.toBe(BODY_FAILED);
    expect(body).toBe('hello');
    expect(endsAt).toBe(CHUNKED.length);
  });

  it.each([0, 1, 3])('decodes a Content-Length body split every %i bytes and stops at its end', (split) => {
    const { body, endsAt } = decode('hello world, and the next request', 11, split);
    expect(body).toBe('hello world');
    expect(endsAt).toBe(11);
  });

  it('a body of length 0 is done before any byte', () => {
    const decoder = new BodyDecoder({ onBodyData: () => {} }, 0);
    expect(decoder.done).toBe(true);
  });

  it.each([
    ['5;=v\r\nhello\r\n0\r\n\r\n', 'an extension without a name'],
    ['5;a=\r\nhello\r\n0\r\n\r\n', 'an extension with an empty value'],
    ['005\r\nhello\r\n0000\r\n\r\n', 'sizes with leading zeros'],
    [`${'0'.repeat(20)}5\r\nhello\r\n0\r\n\r\n`, 'twenty leading zeros'],
    ['5;a="q\\"uoted"\r\nhello\r\n0\r\n\r\n', 'a quoted-pair in a quoted extension value'],
  ])('accepts %j (%s)', (raw) => {
    expect(decode(raw, -1).body).toBe('hello');
  });

  it.each([
    ['zz\r\nhello\r\n0\r\n\r\n', 'a size that is not hex'],
    ['+5\r\nhello\r\n0\r\n\r\n', 'a signed size'],
    [' 5\r\nhello\r\n0\r\n\r\n', 'a space before the size'],
    ['5 \r\nhello\r\n0\r\n\r\n', 'a space after the size'],
    ['\r\nhello\r\n0\r\n\r\n', 'an empty size line'],
    ['10000000000000000\r\nhello\r\n0\r\n\r\n', 'a size of 2^64'],
    ['5;\r\nhello\r\n0\r\n\r\n', 'an empty extension'],
    ['5;a b\r\nhello\r\n0\r\n\r\n', 'a space in an extension name'],
    ['5;a="x\r\nhello\r\n0\r\n\r\n', 'an unterminated quote'],
    ['5;a=\x01\r\nhello\r\n0\r\n\r\n', 'a control character in an extension'],
    ['3\r\nhello\r\n0\r\n\r\n', 'data longer than its size'],
    ['5\r\nhello0\r\n\r\n', 'no CRLF after the data'],
    ['5\nhello\r\n0\r\n\r\n', 'a bare LF after the size'],
    ['5\rhello\r\n0\r\n\r\n', 'a bare CR after the size'],
    ['5\r\nhello\r\n0\n\n', 'a bare LF after the last chunk'],
    ['5\r\nhello\r\n0\r\nBad Field: x\r\n\r\n', 'a trailer name with a space'],
    ['5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n', 'a folded trailer'],
    ['5\r\nhello\r\n0\r\nX-T: a\x01b\r\n\r\n', 'a control character in a trailer'],
    ['5\r\nhello\r\n0\r\nContent-Length: 100\r\n\r\n', 'a trailer naming Content-Length'],
    ['5\r\nhello\r\n0\r\ntransfer-encoding: chunked\r\n\r\n', 'a trailer naming Transfer-Encoding'],
    [`${'f'.repeat(5000)}\r\n`, 'a size line over 4 KiB'],
  ])('fails on %j (%s), however it is split', (raw) => {
    for (const split of [0, 1, 4]) expect(decode(raw, -1, split).result).toBe(BODY_FAILED);
  });

  it('takes a size below 2^64 that no client will fill and waits for its data', () => {
    const { body, result } = decode('20000000000001\r\nhello', -1);
    expect(result).toBe(BODY_INCOMPLETE);
    expect(body).toBe('hello');
  });

  it('hands data on as views of the bytes read, without copies', () => {
    const seen: Buffer[] = [];
    const decoder = new BodyDecoder({ onBodyData: (chunk) => seen.push(chunk) }, 5);
    const bytes = Buffer.from('hello');
    decoder.execute(bytes, 0);
    expect(seen[0]!.buffer).toBe(bytes.buffer);
  });
});
