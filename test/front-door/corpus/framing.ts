/**
 * Message-framing rows: Content-Length that is not one decimal number, two of them, or beside
 * Transfer-Encoding (400); Transfer-Encoding in HTTP/1.0 (400); any coding but chunked (501);
 * chunked with parameters, empty list elements or twice (400). These are the classic
 * CL.TE / TE.CL / TE.TE desync inputs: if the proxy and the backend could frame the body
 * differently, the refusal must come from the proxy.
 */
import { HOST, MARKER, bodyIs, forward, has, normalised, post, rechunked, refuse, req, rows } from './build.ts';
import type { CorpusRow } from './types.ts';

/** A chunked body carrying `hello` — the framing is valid, so only the fields are at fault. */
const CHUNKED_HELLO = '5\r\nhello\r\n0\r\n\r\n';

const contentLength = rows('content-length', refuse(400), [
  ['Content-Length with a plus sign', post(['Content-Length: +5'], 'hello')],
  ['Content-Length with a minus sign', post(['Content-Length: -5'], 'hello')],
  ['Content-Length as a list of equal values', post(['Content-Length: 5, 5'], 'hello')],
  ['Content-Length as a list without space', post(['Content-Length: 5,5'], 'hello')],
  ['Content-Length as a list of differing values', post(['Content-Length: 5, 6'], 'hello!')],
  ['Content-Length with a space inside', post(['Content-Length: 1 0'], 'helloworld')],
  ['Content-Length in hex 0x5', post(['Content-Length: 0x5'], 'hello')],
  ['Content-Length in hex digits 5a', post(['Content-Length: 5a'], 'hello')],
  ['Content-Length with a decimal point', post(['Content-Length: 5.0'], 'hello')],
  ['Content-Length empty', post(['Content-Length:'], 'hello')],
  ['Content-Length in words', post(['Content-Length: five'], 'hello')],
  ['Content-Length over 2^64', post(['Content-Length: 99999999999999999999999'], 'hello')],
  ['two equal Content-Length fields', post(['Content-Length: 5', 'Content-Length: 5'], 'hello')],
  ['two differing Content-Length fields', post(['Content-Length: 5', 'Content-Length: 6'], 'hello!')],
  ['Content-Length and content-length', post(['Content-Length: 5', 'content-length: 5'], 'hello')],
  ['Content-Length then Transfer-Encoding chunked (CL.TE)', post(['Content-Length: 6', 'Transfer-Encoding: chunked'], `0\r\n\r\nG`)],
  ['Transfer-Encoding chunked then Content-Length (TE.CL)', post(['Transfer-Encoding: chunked', 'Content-Length: 4'], `5c\r\n${MARKER.padEnd(92, 'x')}\r\n0\r\n\r\n`)],
  ['Content-Length 0 with Transfer-Encoding chunked', post(['Content-Length: 0', 'Transfer-Encoding: chunked'], CHUNKED_HELLO)],
  ['Content-Length with Transfer-Encoding gzip', post(['Content-Length: 5', 'Transfer-Encoding: gzip'], 'hello')],
  ['Content-Length with an obfuscated Transfer-Encoding', post(['Content-Length: 5', 'Transfer-Encoding: xchunked'], 'hello')],
]);

const teHttp10 = rows('te-http10', refuse(400), [
  ['HTTP/1.0 with Transfer-Encoding chunked', req('POST', '/', [`Host: ${HOST}`, 'Transfer-Encoding: chunked'], CHUNKED_HELLO, 'HTTP/1.0')],
  ['HTTP/1.0 with Transfer-Encoding chunked, no Host', req('POST', '/', ['Transfer-Encoding: chunked'], CHUNKED_HELLO, 'HTTP/1.0')],
  ['HTTP/1.0 with Transfer-Encoding identity', req('POST', '/', [`Host: ${HOST}`, 'Transfer-Encoding: identity', 'Content-Length: 5'], 'hello', 'HTTP/1.0')],
  ['HTTP/1.0 with Transfer-Encoding gzip', req('POST', '/', [`Host: ${HOST}`, 'Transfer-Encoding: gzip'], 'hello', 'HTTP/1.0')],
  ['HTTP/1.0 GET with Transfer-Encoding chunked', req('GET', '/', [`Host: ${HOST}`, 'Transfer-Encoding: chunked'], '0\r\n\r\n', 'HTTP/1.0')],
]);

const te = (value: string, body = CHUNKED_HELLO): string => post([`Transfer-Encoding: ${value}`], body);

const teCoding = rows('te-coding', refuse(501), [
  ['Transfer-Encoding gzip', te('gzip', 'hello')],
  ['Transfer-Encoding deflate', te('deflate', 'hello')],
  ['Transfer-Encoding compress', te('compress', 'hello')],
  ['Transfer-Encoding identity', te('identity', 'hello')],
  ['Transfer-Encoding xchunked', te('xchunked')],
  ['Transfer-Encoding chunkedx', te('chunkedx')],
  ['Transfer-Encoding x-chunked', te('x-chunked')],
  ['Transfer-Encoding chunk', te('chunk')],
  ['Transfer-Encoding gzip, chunked', te('gzip, chunked')],
  ['Transfer-Encoding identity, chunked', te('identity, chunked')],
  ['Transfer-Encoding fields gzip and chunked', post(['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], CHUNKED_HELLO)],
]);

const teSyntax = rows('te-syntax', refuse(400), [
  ['Transfer-Encoding chunked;q=1', te('chunked;q=1')],
  ['Transfer-Encoding chunked; q=1', te('chunked; q=1')],
  ['Transfer-Encoding chunked;foo="bar"', te('chunked;foo="bar"')],
  ['Transfer-Encoding with a trailing empty element', te('chunked,')],
  ['Transfer-Encoding with a leading empty element', te(', chunked')],
  ['Transfer-Encoding with two empty elements', te('chunked, ,')],
  ['Transfer-Encoding chunked, chunked', te('chunked, chunked')],
  ['Transfer-Encoding chunked,chunked', te('chunked,chunked')],
  ['two Transfer-Encoding chunked fields', post(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], CHUNKED_HELLO)],
  ['Transfer-Encoding chunked and transfer-encoding CHUNKED', post(['Transfer-Encoding: chunked', 'transfer-encoding: CHUNKED'], CHUNKED_HELLO)],
  ['Transfer-Encoding empty', te('', 'hello')],
  // chunked before another coding: the front's parser refuses the head itself, before the engine
  // can tell an unknown coding (501) from a malformed list.
  ['Transfer-Encoding chunked, gzip', te('chunked, gzip')],
  ['Transfer-Encoding fields chunked and gzip', post(['Transfer-Encoding: chunked', 'Transfer-Encoding: gzip'], CHUNKED_HELLO)],
]);

const chunkedForms: CorpusRow[] = rows('chunked-ok', normalised(rechunked('hello')), [
  ['Transfer-Encoding chunked', te('chunked')],
  ['Transfer-Encoding CHUNKED', te('CHUNKED')],
  ['Transfer-Encoding Chunked', te('Chunked')],
  ['Transfer-Encoding with leading spaces', post(['Transfer-Encoding:    chunked'], CHUNKED_HELLO)],
  ['Transfer-Encoding with trailing spaces', post(['Transfer-Encoding: chunked   '], CHUNKED_HELLO)],
  ['Transfer-Encoding with a leading tab', post(['Transfer-Encoding:\tchunked'], CHUNKED_HELLO)],
  ['transfer-encoding in lower case', post(['transfer-encoding: chunked'], CHUNKED_HELLO)],
]);

const lengthControls: CorpusRow[] = [
  { name: 'Content-Length 5', class: 'control', raw: post(['Content-Length: 5'], 'hello'), expect: forward(has('Content-Length', '5'), bodyIs('hello')) },
  { name: 'Content-Length 0', class: 'control', raw: post(['Content-Length: 0'], ''), expect: forward(bodyIs('')) },
  { name: 'Content-Length with leading zeros', class: 'control', raw: post(['Content-Length: 005'], 'hello'), expect: forward(bodyIs('hello')) },
  { name: 'Content-Length with surrounding spaces', class: 'control', raw: post(['Content-Length:   5  '], 'hello'), expect: forward(bodyIs('hello')) },
  { name: 'GET with a Content-Length body', class: 'control', raw: req('GET', '/', [`Host: ${HOST}`, 'Content-Length: 5'], 'hello'), expect: forward(bodyIs('hello')) },
  {
    name: 'POST whose body is the marker request',
    class: 'control',
    raw: post([`Content-Length: ${MARKER.length}`], MARKER),
    expect: forward(bodyIs(MARKER)),
    markerIsPayload: true,
  },
];

/** FRAMING_ROWS are the Content-Length and Transfer-Encoding rows. */
export const FRAMING_ROWS: CorpusRow[] = [...contentLength, ...teHttp10, ...teCoding, ...teSyntax, ...chunkedForms, ...lengthControls];
