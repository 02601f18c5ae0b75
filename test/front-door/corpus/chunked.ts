/**
 * Chunked-body rows: framing errors — bad sizes (not hex, signs, spaces, over 2^64), bad chunk
 * extensions, missing CRLF, bare LF / CR, data longer than its size, bad trailers (400, and
 * nothing reaches the backend when the body ends within 64 KiB; a longer body reaches it cut);
 * bodies the client abandons (connection closed, no answer) or leaves unfinished past
 * requestTimeout (408); and well-formed chunked bodies, which the backend receives re-framed
 * by the proxy without extensions or trailers.
 */
import { MARKER, chunkedPost, normalised, post, rechunked, refuse, rows } from './build.ts';
import type { CorpusRow } from './types.ts';

/** 70 KiB: past the 64 KiB a proxy reads before it chooses a backend. */
const BIG = 70 * 1024;
const bigData = 'd'.repeat(BIG);
const bigChunk = `${BIG.toString(16)}\r\n${bigData}\r\n`;

const framing: CorpusRow[] = [
  ...rows('chunked-framing', refuse(400), [
    ['chunk size not hex (zz)', chunkedPost('zz\r\nhello\r\n0\r\n\r\n')],
    ['chunk size g', chunkedPost('g\r\nhello\r\n0\r\n\r\n')],
    ['negative chunk size', chunkedPost('-5\r\nhello\r\n0\r\n\r\n')],
    ['chunk size with a plus sign', chunkedPost('+5\r\nhello\r\n0\r\n\r\n')],
    ['chunk size 0x5', chunkedPost('0x5\r\nhello\r\n0\r\n\r\n')],
    ['chunk size with a leading space', chunkedPost(' 5\r\nhello\r\n0\r\n\r\n')],
    ['chunk size with a trailing space', chunkedPost('5 \r\nhello\r\n0\r\n\r\n')],
    ['chunk size with a trailing tab', chunkedPost('5\t\r\nhello\r\n0\r\n\r\n')],
    ['chunk size with a space inside', chunkedPost('1 0\r\nhellohello\r\n0\r\n\r\n')],
    ['empty chunk size line', chunkedPost('\r\nhello\r\n0\r\n\r\n')],
    ['chunk size 2^64', chunkedPost('10000000000000000\r\nhello\r\n0\r\n\r\n')],
    ['chunk size of 32 f digits', chunkedPost(`${'f'.repeat(32)}\r\nhello\r\n0\r\n\r\n`)],
    ['chunk extension without a size', chunkedPost(';a=b\r\nhello\r\n0\r\n\r\n')],
    ['empty chunk extension', chunkedPost('5;\r\nhello\r\n0\r\n\r\n')],
    ['chunk extension with an unterminated quote', chunkedPost('5;a="x\r\nhello\r\n0\r\n\r\n')],
    ['chunk extension name with a space', chunkedPost('5;a b\r\nhello\r\n0\r\n\r\n')],
    ['chunk extension value with a space', chunkedPost('5;a=b c\r\nhello\r\n0\r\n\r\n')],
    ['chunk extension with a control character', chunkedPost('5;a=\x01\r\nhello\r\n0\r\n\r\n')],
    ['chunk extension with NUL in a quoted value', chunkedPost('5;a="x\x00"\r\nhello\r\n0\r\n\r\n')],
    ['chunk data longer than its size', chunkedPost('3\r\nhello\r\n0\r\n\r\n')],
    ['chunk data shorter than its size', chunkedPost('7\r\nhello\r\n0\r\n\r\n')],
    ['no CRLF after chunk data', chunkedPost('5\r\nhello0\r\n\r\n')],
    ['bare LF after the chunk size', chunkedPost('5\nhello\r\n0\r\n\r\n')],
    ['bare LF after chunk data', chunkedPost('5\r\nhello\n0\r\n\r\n')],
    ['bare LF after the last chunk', chunkedPost('5\r\nhello\r\n0\n\n')],
    ['bare CR after the chunk size', chunkedPost('5\rhello\r\n0\r\n\r\n')],
    ['bare CR after chunk data', chunkedPost('5\r\nhello\r0\r\n\r\n')],
    ['missing final CRLF, then a request', chunkedPost(`5\r\nhello\r\n0\r\n${MARKER}`)],
    ['trailer field name with a space', chunkedPost('5\r\nhello\r\n0\r\nBad Field: x\r\n\r\n')],
    ['trailer with obs-fold', chunkedPost('5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n')],
    ['trailer value with a control character', chunkedPost('5\r\nhello\r\n0\r\nX-T: a\x01b\r\n\r\n')],
    ['trailer that names Content-Length', chunkedPost('5\r\nhello\r\n0\r\nContent-Length: 100\r\n\r\n')],
    ['trailer that names Transfer-Encoding', chunkedPost('5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n')],
  ]),
  ...rows('chunked-framing', refuse(400, 'cut'), [
    ['70 KiB of chunk data, then a size that is not hex', chunkedPost(`${bigChunk}zz\r\nhello\r\n0\r\n\r\n`)],
    ['70 KiB of chunk data, then data longer than its size', chunkedPost(`${bigChunk}3\r\nhello\r\n0\r\n\r\n`)],
    ['70 KiB of chunk data, then a bare LF', chunkedPost(`${bigChunk}5\nhello\r\n0\r\n\r\n`)],
  ]),
];

// The client half-closes: the front's parser reports the early end and the client, still
// reading, gets 400 with Connection: close.
const short = rows('body-short', refuse(400), [
  ['Content-Length 10, 5 bytes, client closes', post(['Content-Length: 10'], 'hello')],
  ['Content-Length 5, no body, client closes', post(['Content-Length: 5'], '')],
  ['chunked, cut inside a chunk, client closes', chunkedPost('5\r\nhel')],
  ['chunked, cut inside a size line, client closes', chunkedPost('5')],
  ['chunked, no last chunk, client closes', chunkedPost('5\r\nhello\r\n')],
  ['chunked, no final CRLF, client closes', chunkedPost('5\r\nhello\r\n0\r\n')],
], { end: 'half-close' });

const timeout = rows('body-timeout', refuse(408), [
  ['Content-Length 10, 5 bytes, client waits', post(['Content-Length: 10'], 'hello')],
  ['chunked, no last chunk, client waits', chunkedPost('5\r\nhello\r\n')],
  ['chunked, no final CRLF, client waits', chunkedPost('5\r\nhello\r\n0\r\n')],
  // A size the parser accepts (below 2^64) that the client never fills is a stalled body.
  ['chunk size 2^53 + 1, 5 bytes sent', chunkedPost('20000000000001\r\nhello\r\n0\r\n\r\n')],
], { slow: true });

const wellFormed: CorpusRow[] = [
  ...(
    [
      ['several chunks', '2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n', 'hello'],
      ['upper-case hex size', 'A\r\nhellohello\r\n0\r\n\r\n', 'hellohello'],
      ['chunk sizes with leading zeros', '005\r\nhello\r\n0000\r\n\r\n', 'hello'],
      ['chunk extension', '5;a=b\r\nhello\r\n0\r\n\r\n', 'hello'],
      ['chunk extension with a quoted value', '5;a="x y"\r\nhello\r\n0\r\n\r\n', 'hello'],
      ['chunk extension name only', '5;a\r\nhello\r\n0\r\n\r\n', 'hello'],
      ['two chunk extensions', '5;a=1;b=2\r\nhello\r\n0\r\n\r\n', 'hello'],
      // Extensions the parser tolerates though RFC 9112 has no such form: re-framing drops them.
      ['chunk extension without a name', '5;=v\r\nhello\r\n0\r\n\r\n', 'hello'],
      ['chunk extension with an empty value', '5;a=\r\nhello\r\n0\r\n\r\n', 'hello'],
      ['last chunk with an extension', '5\r\nhello\r\n0;end=1\r\n\r\n', 'hello'],
      ['trailer field', '5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n', 'hello'],
      ['empty chunked body', '0\r\n\r\n', ''],
      ['70 KiB chunked body', `${bigChunk}0\r\n\r\n`, bigData],
    ] as const
  ).map(([name, framing, body]): CorpusRow => ({ name, class: 'chunked-ok', raw: chunkedPost(framing), expect: normalised(rechunked(body)) })),
];

/** CHUNKED_ROWS are the chunked-framing, short-body, body-timeout and well-formed chunked rows. */
export const CHUNKED_ROWS: CorpusRow[] = [...framing, ...short, ...timeout, ...wellFormed];
