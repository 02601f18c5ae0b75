/**
 * Request-line rows: shapes that are not `METHOD SP target SP HTTP/1.x` (400), HTTP/0.9 (400),
 * HTTP/2.0 and 3.0 in an HTTP/1 line (505), the HTTP/2 preface (400) and CONNECT (405).
 * A proxy that guesses at a broken request line and forwards its own reading is where request
 * smuggling starts, so each of these must be answered by the proxy alone.
 */
import { HOST, MARKER, forward, get, normalised, refuse, req, requestLine as lineIs, rows } from './build.ts';
import type { CorpusRow } from './types.ts';

const H = `Host: ${HOST}\r\n`;

// The front's parser reads runs of spaces between the request-line parts as one; the backend gets
// the line the engine writes, with single spaces, so nothing ambiguous is forwarded.
const spaces = rows('request-line', normalised(lineIs(/^GET \/ HTTP\/1\.1$/)), [
  ['two spaces after the method', `GET  / HTTP/1.1\r\n${H}\r\n`],
  ['two spaces before the version', `GET /  HTTP/1.1\r\n${H}\r\n`],
  // RFC 9112 §2.2: empty lines before a request line are skipped, not a malformed request.
  ['empty lines before the request line', `\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`],
]);

const requestLine = rows('request-line', refuse(400), [
  ['tab between method and target', `GET\t/ HTTP/1.1\r\n${H}\r\n`],
  ['tab between target and version', `GET /\tHTTP/1.1\r\n${H}\r\n`],
  ['leading space before the method', ` GET / HTTP/1.1\r\n${H}\r\n`],
  ['trailing space after the version', `GET / HTTP/1.1 \r\n${H}\r\n`],
  ['a fourth word after the version', `GET / HTTP/1.1 extra\r\n${H}\r\n`],
  ['lower-case http/1.1', `GET / http/1.1\r\n${H}\r\n`],
  ['mixed-case Http/1.1', `GET / Http/1.1\r\n${H}\r\n`],
  ['lower-case method get', `get / HTTP/1.1\r\n${H}\r\n`],
  ['mixed-case method Post', `Post / HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`],
  ['unknown method FOO', `FOO / HTTP/1.1\r\n${H}\r\n`],
  ['unknown method GETT', `GETT / HTTP/1.1\r\n${H}\r\n`],
  ['method with a non-token character', `GE(T / HTTP/1.1\r\n${H}\r\n`],
  ['method with NUL', `G\x00ET / HTTP/1.1\r\n${H}\r\n`],
  ['version HTTP/1.2', `GET / HTTP/1.2\r\n${H}\r\n`],
  ['version HTTP/1.9', `GET / HTTP/1.9\r\n${H}\r\n`],
  ['version HTTP/1.10', `GET / HTTP/1.10\r\n${H}\r\n`],
  ['version HTTP/01.1', `GET / HTTP/01.1\r\n${H}\r\n`],
  ['version HTTP/1', `GET / HTTP/1\r\n${H}\r\n`],
  ['version HTTP/1.1.1', `GET / HTTP/1.1.1\r\n${H}\r\n`],
  ['version HTTPS/1.1', `GET / HTTPS/1.1\r\n${H}\r\n`],
  ['version with a space HTTP/ 1.1', `GET / HTTP/ 1.1\r\n${H}\r\n`],
  ['request line ended by bare LF', `GET / HTTP/1.1\n${H}\r\n`],
  ['whole head with bare LF line ends', `GET / HTTP/1.1\nHost: ${HOST}\n\n`],
  ['request line ended by bare CR', `GET / HTTP/1.1\r${H}\r\n`],
  ['CR inside the request line', `GET /\r HTTP/1.1\r\n${H}\r\n`],
  ['request line ended by LF CR', `GET / HTTP/1.1\n\r${H}\r\n`],
]);

const http09 = rows('http-0.9', refuse(400), [
  ['GET / with no version', `GET /\r\n\r\n`],
  ['GET /index.html with no version', `GET /index.html\r\n${H}\r\n`],
  ['version HTTP/0.9', `GET / HTTP/0.9\r\n${H}\r\n`],
  ['POST with no version', `POST /\r\n${H}Content-Length: 0\r\n\r\n`],
]);

const version23 = rows('version-2-3', refuse(505), [
  ['GET with HTTP/2.0', req('GET', '/', [`Host: ${HOST}`], '', 'HTTP/2.0')],
  ['GET with HTTP/3.0', req('GET', '/', [`Host: ${HOST}`], '', 'HTTP/3.0')],
  ['HEAD with HTTP/2.0', req('HEAD', '/', [`Host: ${HOST}`], '', 'HTTP/2.0')],
  ['POST with a body and HTTP/2.0', req('POST', '/', [`Host: ${HOST}`, 'Content-Length: 5'], 'hello', 'HTTP/2.0')],
  ['POST with a body and HTTP/3.0', req('POST', '/', [`Host: ${HOST}`, 'Content-Length: 5'], 'hello', 'HTTP/3.0')],
]);

/** SETTINGS frame, empty, stream 0: what an HTTP/2 client sends right after the preface. */
const SETTINGS = '\x00\x00\x00\x04\x00\x00\x00\x00\x00';

const preface = rows('h2-preface', refuse(400), [
  ['HTTP/2 preface alone', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['HTTP/2 preface with a SETTINGS frame', `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n${SETTINGS}`],
  ['HTTP/2 preface followed by an HTTP/1 request', `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n${MARKER}`],
]);

const connect = rows('connect', refuse(405), [
  ['CONNECT host:443', `CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\n\r\n`],
  ['CONNECT to a loopback SSH port', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n'],
  ['CONNECT with an origin-form target', `CONNECT / HTTP/1.1\r\n${H}\r\n`],
  ['CONNECT over HTTP/1.0', `CONNECT ${HOST}:443 HTTP/1.0\r\n\r\n`],
  ['CONNECT followed by tunnel bytes', `CONNECT internal:80 HTTP/1.1\r\nHost: internal:80\r\n\r\n${MARKER}`],
]);

/** Known methods: each must pass (a proxy that refuses them all would pass the rows above). */
const methods: CorpusRow[] = [
  { name: 'GET', class: 'control', raw: get(), expect: forward() },
  { name: 'HEAD', class: 'control', raw: req('HEAD', '/'), expect: forward() },
  { name: 'POST with Content-Length', class: 'control', raw: req('POST', '/', [`Host: ${HOST}`, 'Content-Length: 5'], 'hello'), expect: forward() },
  { name: 'PUT with Content-Length', class: 'control', raw: req('PUT', '/', [`Host: ${HOST}`, 'Content-Length: 5'], 'hello'), expect: forward() },
  { name: 'DELETE', class: 'control', raw: req('DELETE', '/'), expect: forward() },
  { name: 'PATCH with Content-Length', class: 'control', raw: req('PATCH', '/', [`Host: ${HOST}`, 'Content-Length: 2'], '{}'), expect: forward() },
  { name: 'OPTIONS /', class: 'control', raw: req('OPTIONS', '/'), expect: forward() },
];

/** REQUEST_LINE_ROWS are the request-line, HTTP/0.9, version, preface and CONNECT rows. */
export const REQUEST_LINE_ROWS: CorpusRow[] = [...spaces, ...requestLine, ...http09, ...version23, ...preface, ...connect, ...methods];
