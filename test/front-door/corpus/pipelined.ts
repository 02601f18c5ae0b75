/**
 * Pipelined rows: a refused request of each class with the marker request (`Host: internal`,
 * `X-Forwarded-For: 6.6.6.6`) right behind it in the same write, or sent once the refusal has
 * arrived. SPEC 2.1: every refusal ends the connection and nothing more is read from it, so the
 * marker is neither answered nor forwarded — a proxy that resynchronises on the bytes after a
 * request it could not frame forwards whatever the client smuggled there. One control shows the
 * marker does reach the backend behind a well-formed request, so its absence elsewhere means
 * something.
 */
import { HOST, MARKER, get, post, refuse, req } from './build.ts';
import { wsUpgrade } from './upgrades.ts';
import type { Check, CorpusRow } from './types.ts';

const H = [`Host: ${HOST}`];

/** Refused requests, one or more per class, with the status each must get. */
const REFUSED: [string, string, number][] = [
  ['lower-case method', `get / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`, 400],
  ['bare LF line ends', `GET / HTTP/1.1\nHost: ${HOST}\n\n`, 400],
  ['HTTP/0.9 request', 'GET /\r\n\r\n', 400],
  ['HTTP/2.0 version', req('GET', '/', H, '', 'HTTP/2.0'), 505],
  ['CONNECT', `CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\n\r\n`, 405],
  ['target with a fragment', req('GET', '/p#f', H), 400],
  ['GET *', req('GET', '*', H), 400],
  ['absolute-form for another host', req('GET', 'http://internal/', H), 400],
  ['no Host', req('GET', '/', []), 400],
  ['two Host fields', req('GET', '/', [`Host: ${HOST}`, 'Host: internal']), 400],
  ['field name with a space', get('X Field: v'), 400],
  ['field value with NUL', get('X-Value: a\x00b'), 400],
  ['obs-fold', get('X-A: one', ' folded'), 400],
  ['101 fields', req('GET', '/', [...H, ...Array.from({ length: 100 }, (_, i) => `X-F-${i}: ${i}`)]), 431],
  ['a 17 KiB target', req('GET', `/${'u'.repeat(17 * 1024)}`, H), 414],
  ['Content-Length list', post(['Content-Length: 5, 5'], 'hello'), 400],
  ['two Content-Length fields', post(['Content-Length: 5', 'Content-Length: 5'], 'hello'), 400],
  ['CL.TE with an empty chunked body', post(['Content-Length: 6', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), 400],
  ['Transfer-Encoding in HTTP/1.0', req('POST', '/', [...H, 'Transfer-Encoding: chunked'], '0\r\n\r\n', 'HTTP/1.0'), 400],
  ['Transfer-Encoding gzip', post(['Transfer-Encoding: gzip'], 'hello'), 501],
  ['Transfer-Encoding chunked;q=1', post(['Transfer-Encoding: chunked;q=1'], '0\r\n\r\n'), 400],
  ['chunk size not hex', post(['Transfer-Encoding: chunked'], 'zz\r\nhello\r\n0\r\n\r\n'), 400],
  ['chunk data longer than its size', post(['Transfer-Encoding: chunked'], '3\r\nhello\r\n0\r\n\r\n'), 400],
  ['Expect: foo', get('Expect: foo'), 417],
  ['WebSocket upgrade without a key', wsUpgrade('/ws/ok', []), 400],
  ['WebSocket upgrade with a body', wsUpgrade('/ws/ok', undefined, ['Content-Length: 5'], 'hello'), 400],
];

const together: CorpusRow[] = REFUSED.map(([name, raw, status]) => ({ name: `marker behind: ${name}`, class: 'pipelined', raw: raw + MARKER, expect: refuse(status) }));

const afterAnswer: CorpusRow[] = REFUSED.filter((_, i) => i % 4 === 0).map(([name, raw, status]) => ({
  name: `marker after the answer to: ${name}`,
  class: 'pipelined',
  raw,
  then: MARKER,
  expect: refuse(status),
}));

/** The smuggled request hidden inside a body that only one framing reading would see. */
const smuggled: CorpusRow[] = [
  {
    name: 'a WebSocket upgrade pipelined behind a refused request',
    class: 'pipelined',
    raw: req('GET', '/', [`Host: ${HOST}`, 'Host: internal']) + wsUpgrade('/ws/ok'),
    expect: refuse(400),
  },
  {
    name: 'CL.TE: the marker inside the Content-Length body after a last chunk',
    class: 'pipelined',
    raw: post([`Content-Length: ${5 + MARKER.length}`, 'Transfer-Encoding: chunked'], `0\r\n\r\n${MARKER}`),
    expect: refuse(400),
  },
  {
    name: 'TE.CL: the marker inside a chunk after a short Content-Length',
    class: 'pipelined',
    raw: post(['Transfer-Encoding: chunked', 'Content-Length: 3'], `${MARKER.length.toString(16)}\r\n${MARKER}\r\n0\r\n\r\n`),
    expect: refuse(400),
  },
  {
    name: 'TE.TE: the marker after a chunked body, Transfer-Encoding obfuscated with a second field',
    class: 'pipelined',
    raw: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: x'], `0\r\n\r\n${MARKER}`),
    // chunked first: the parser refuses the head (see te-syntax).
    expect: refuse(400),
  },
];

const twoRequests: Check = (r) => {
  if (r.length !== 2) return `backend recorded ${r.length} requests, expected the request and the marker`;
  return r[1]!.requestLine === 'GET /marker HTTP/1.1' ? undefined : `second request was ${r[1]!.requestLine}`;
};

const control: CorpusRow = {
  name: 'marker behind a well-formed request (it must arrive)',
  class: 'control',
  raw: get() + MARKER,
  expect: { kind: 'forward', status: 200, check: twoRequests },
  markerIsPayload: true,
};

/** PIPELINED_ROWS are the marker rows. */
export const PIPELINED_ROWS: CorpusRow[] = [...together, ...afterAnswer, ...smuggled, control];
