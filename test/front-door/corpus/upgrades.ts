/**
 * Expectation and upgrade rows: `Expect` other than 100-continue (417); h2c and every other
 * non-WebSocket upgrade, forwarded without Upgrade, HTTP2-Settings and the Connection tokens
 * naming them; WebSocket upgrades without a valid key or with a body (400); and WebSocket
 * upgrades the backend answers — only a correct 101 opens a tunnel: after any other answer not
 * one byte the client sent after the upgrade request may reach the backend, since a proxy that
 * keeps relaying after a refused upgrade lets a client talk to the backend unchecked.
 */
import { HOST, MARKER, all, bodyIs, forward, get, has, lacks, normalised, post, refuse, req, requestLine, rows, withoutUpgrade } from './build.ts';
import type { CorpusRow } from './types.ts';

/** WS_KEY is RFC 6455's sample key (16 bytes in base64). */
export const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** wsUpgrade is a WebSocket upgrade request for `path` with the given key lines and extras. */
export function wsUpgrade(path: string, keyLines: string[] = [`Sec-WebSocket-Key: ${WS_KEY}`], extra: string[] = [], body = ''): string {
  return req('GET', path, [`Host: ${HOST}`, 'Upgrade: websocket', 'Connection: Upgrade', ...keyLines, 'Sec-WebSocket-Version: 13', ...extra], body);
}

/**
 * WS_ANSWERS are the backend's answers the WebSocket rows ask for by path (`/ws/<answer>`):
 * the recording backend reads the path and answers accordingly.
 */
export const WS_ANSWERS = ['ok', '200', '426', 'no-accept', 'wrong-accept', 'no-upgrade'] as const;
/** WsAnswer is one of WS_ANSWERS. */
export type WsAnswer = (typeof WS_ANSWERS)[number];

const expect = rows('expect', refuse(417), [
  ['Expect: something', get('Expect: something')],
  ['Expect: 200-ok', get('Expect: 200-ok')],
  ['Expect: 100-continued', post(['Expect: 100-continued', 'Content-Length: 5'], 'hello')],
  ['Expect: 100-continue, foo', post(['Expect: 100-continue, foo', 'Content-Length: 5'], 'hello')],
  ['Expect: 100-continue with a parameter', post(['Expect: 100-continue;x=1', 'Content-Length: 5'], 'hello')],
  ['Expect: foo on a POST with a body', post(['Expect: foo', 'Content-Length: 5'], 'hello')],
]).concat([
  { name: 'Expect: 100-continue with a body', class: 'expect', raw: post(['Expect: 100-continue', 'Content-Length: 5'], 'hello'), expect: forward(bodyIs('hello')) },
  { name: 'Expect: 100-Continue in another case', class: 'expect', raw: post(['Expect: 100-Continue', 'Content-Length: 5'], 'hello'), expect: forward(bodyIs('hello')) },
  { name: 'Expect: 100-continue on HTTP/1.0', class: 'expect', raw: req('POST', '/', [`Host: ${HOST}`, 'Expect: 100-continue', 'Content-Length: 5'], 'hello', 'HTTP/1.0'), expect: forward(bodyIs('hello')) },
]);

const SETTINGS = 'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA';

const upgradeOther: CorpusRow[] = [
  ...rows('upgrade-other', normalised(withoutUpgrade), [
    ['h2c upgrade with HTTP2-Settings', get('Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', SETTINGS)],
    ['h2c upgrade without Connection', get('Upgrade: h2c', SETTINGS)],
    ['h2c upgrade in upper case', get('Connection: UPGRADE, HTTP2-SETTINGS', 'Upgrade: H2C', SETTINGS)],
    ['Upgrade to foo/1', get('Connection: Upgrade', 'Upgrade: foo/1')],
    ['Upgrade to TLS/1.0', get('Connection: Upgrade', 'Upgrade: TLS/1.0')],
    ['Upgrade to HTTP/2.0', get('Connection: Upgrade', 'Upgrade: HTTP/2.0')],
    ['WebSocket upgrade on a POST', post(['Connection: Upgrade', 'Upgrade: websocket', `Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Version: 13', 'Content-Length: 0'], '')],
  ]),
  {
    name: 'h2c upgrade on a POST with a body',
    class: 'upgrade-other',
    raw: post(['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', SETTINGS, 'Content-Length: 5'], 'hello'),
    expect: normalised(withoutUpgrade, bodyIs('hello')),
  },
  {
    name: 'h2c upgrade whose Connection names another field',
    class: 'upgrade-other',
    raw: get('Connection: Upgrade, HTTP2-Settings, X-Hop', 'Upgrade: h2c', SETTINGS, 'X-Hop: 1', 'X-Keep: 1'),
    expect: normalised(withoutUpgrade, lacks('X-Hop'), has('X-Keep', '1')),
  },
  {
    name: 'WebSocket upgrade on HTTP/1.0',
    class: 'upgrade-other',
    raw: req('GET', '/', [`Host: ${HOST}`, 'Connection: Upgrade', 'Upgrade: websocket', `Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Version: 13'], '', 'HTTP/1.0'),
    expect: normalised(withoutUpgrade, requestLine(/ HTTP\/1\.0$/)),
  },
];

const wsInvalid = rows('websocket-invalid', refuse(400), [
  ['WebSocket upgrade without a key', wsUpgrade('/ws/ok', [])],
  ['WebSocket upgrade with an empty key', wsUpgrade('/ws/ok', ['Sec-WebSocket-Key:'])],
  ['WebSocket key of 15 bytes', wsUpgrade('/ws/ok', [`Sec-WebSocket-Key: ${Buffer.alloc(15, 1).toString('base64')}`])],
  ['WebSocket key of 17 bytes', wsUpgrade('/ws/ok', [`Sec-WebSocket-Key: ${Buffer.alloc(17, 1).toString('base64')}`])],
  ['WebSocket key that is not base64', wsUpgrade('/ws/ok', ['Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!=='])],
  ['WebSocket key without its padding', wsUpgrade('/ws/ok', ['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ'])],
  ['WebSocket key with trailing bytes', wsUpgrade('/ws/ok', [`Sec-WebSocket-Key: ${WS_KEY}x`])],
  ['two WebSocket keys', wsUpgrade('/ws/ok', [`Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=='])],
  ['WebSocket upgrade with a Content-Length body', wsUpgrade('/ws/ok', undefined, ['Content-Length: 5'], 'hello')],
  ['WebSocket upgrade with a chunked body', wsUpgrade('/ws/ok', undefined, ['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n')],
  ['WebSocket upgrade with a body carrying a request', wsUpgrade('/ws/ok', undefined, [`Content-Length: ${MARKER.length}`], MARKER)],
]);

// The upgrade path answers every refusal of SPEC 2.1 itself, with the same statuses.
const wsRefusedOther: CorpusRow[] = [
  ...rows('expect', refuse(417), [['WebSocket upgrade with Expect: foo', wsUpgrade('/ws/ok', undefined, ['Expect: foo'])]]),
  ...rows('te-coding', refuse(501), [['WebSocket upgrade with Transfer-Encoding: gzip', wsUpgrade('/ws/ok', undefined, ['Transfer-Encoding: gzip'])]]),
  ...rows('absolute-form', refuse(400), [['WebSocket upgrade to an absolute-form target naming another host', req('GET', 'http://internal/ws/ok', [`Host: ${HOST}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Version: 13'])]]),
];

/** wsAnswered: a valid upgrade to `/ws/<answer>`, the marker sent with it (early) or after the answer (late). */
function wsAnswered(answer: WsAnswer, cls: CorpusRow['class'], expectation: CorpusRow['expect'], label: string): CorpusRow[] {
  const isTunnel = answer === 'ok';
  return [
    { name: `${label}; a request sent with the upgrade`, class: cls, raw: wsUpgrade(`/ws/${answer}`) + MARKER, expect: expectation, markerIsPayload: isTunnel },
    { name: `${label}; a request sent after the answer`, class: cls, raw: wsUpgrade(`/ws/${answer}`), then: MARKER, expect: expectation, markerIsPayload: isTunnel },
  ];
}

const wsAnswers: CorpusRow[] = [
  ...wsAnswered('ok', 'websocket-101', { kind: 'tunnel' }, 'backend answers a correct 101'),
  ...wsAnswered('200', 'websocket-other-status', { kind: 'upgrade-refused', status: 200 }, 'backend answers 200'),
  ...wsAnswered('426', 'websocket-other-status', { kind: 'upgrade-refused', status: 426 }, 'backend answers 426'),
  ...wsAnswered('no-accept', 'websocket-bad-101', { kind: 'upgrade-refused', status: 502 }, 'backend answers 101 without Sec-WebSocket-Accept'),
  ...wsAnswered('wrong-accept', 'websocket-bad-101', { kind: 'upgrade-refused', status: 502 }, 'backend answers 101 with a wrong Sec-WebSocket-Accept'),
  ...wsAnswered('no-upgrade', 'websocket-bad-101', { kind: 'upgrade-refused', status: 502 }, 'backend answers 101 without Upgrade'),
];

/** UPGRADE_ROWS are the Expect, non-WebSocket upgrade and WebSocket rows. */
export const UPGRADE_ROWS: CorpusRow[] = [...expect, ...upgradeOther, ...wsInvalid, ...wsRefusedOther, ...wsAnswers];

/** wsUpgradeReached: the backend received the client's WebSocket upgrade, Upgrade and key intact. */
export const wsUpgradeReached = all(has('Upgrade', 'websocket'), has('Sec-WebSocket-Key', WS_KEY));
