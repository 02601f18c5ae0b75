/**
 * Server settings and the `clientError` answer for SPEC E17, as node 24 behaves (verified with
 * raw sockets in test/engine/limits/request-limits.test.ts):
 *
 * - A head over `maxHeaderSize` → clientError HPE_HEADER_OVERFLOW (URI and headers alike).
 * - Headers not complete within `headersTimeout` → clientError ERR_HTTP_REQUEST_TIMEOUT; node
 *   only looks every `connectionsCheckingInterval` (default 30 s!), so that is set to 1 s.
 *   Node's own default handler would answer 408; with a clientError listener the answer is
 *   ours to write (clientErrorResponse does).
 * - CL+TE → HPE_INVALID_TRANSFER_ENCODING; two Content-Length fields (equal or not) →
 *   HPE_UNEXPECTED_CONTENT_LENGTH; obs-fold → HPE_INVALID_HEADER_TOKEN; bare LF →
 *   HPE_INVALID_VERSION / HPE_CR_EXPECTED; bare CR → HPE_LF_EXPECTED; all answered 400.
 * - More than `maxHeadersCount` fields are silently dropped, hence the count in checkRequestHead.
 * - An HTTP/1.1 request without Host is left to the engine's request validation (400 and the
 *   connection marked refused): node's own `requireHostHeader` answer would let a request
 *   pipelined behind it through.
 *
 * The same settings apply to `http.Server` and to an `http2` secure server with allowHTTP1
 * (for its HTTP/1.1 connections): pass `httpLimitOptions()` to the constructor and call
 * `applyHttpLimits(server)`, which also sets what node only reads as properties.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { isRefused, markRefused } from './refused-connections.ts';
import { MAX_HEADER_FIELDS, PARSER_MAX_HEADER_SIZE } from './request-limits.ts';

/** HEADERS_TIMEOUT_MS is E17's "headers complete within 10 s". */
export const HEADERS_TIMEOUT_MS = 10_000;
/** CONNECTIONS_CHECKING_INTERVAL_MS is how often node checks header/request timeouts. */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;
/** REQUEST_BODY_TIMEOUT_MS bounds receiving one whole request (head and body) from the client. */
export const REQUEST_BODY_TIMEOUT_MS = 300_000;

/** HttpLimitSettings are the E17-relevant settings of a front server. */
export interface HttpLimitSettings {
  maxHeaderSize: number;
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
  maxHeadersCount: number;
  insecureHTTPParser: false;
  requireHostHeader: false;
  joinDuplicateHeaders: false;
}

/**
 * httpLimitOptions returns the server options for E17. `headersTimeoutMs` exists for tests that
 * cannot wait 10 s; production uses the default.
 */
export function httpLimitOptions(headersTimeoutMs = HEADERS_TIMEOUT_MS, checkingIntervalMs = CONNECTIONS_CHECKING_INTERVAL_MS): HttpLimitSettings {
  return {
    maxHeaderSize: PARSER_MAX_HEADER_SIZE,
    headersTimeout: headersTimeoutMs,
    // Node requires requestTimeout >= headersTimeout (or 0).
    requestTimeout: Math.max(REQUEST_BODY_TIMEOUT_MS, headersTimeoutMs),
    connectionsCheckingInterval: Math.min(checkingIntervalMs, headersTimeoutMs),
    // One more than allowed, so that "too many" is visible in rawHeaders.
    maxHeadersCount: MAX_HEADER_FIELDS + 1,
    insecureHTTPParser: false,
    requireHostHeader: false,
    joinDuplicateHeaders: false,
  };
}

/** LimitedServer is the part of http.Server / Http2SecureServer the limits set as properties. */
export interface LimitedServer {
  headersTimeout?: number;
  requestTimeout?: number;
  maxHeadersCount?: number | null;
}

/**
 * applyHttpLimits sets the limits node reads from server properties (maxHeadersCount in
 * particular is not taken from the http2 constructor options).
 */
export function applyHttpLimits(server: LimitedServer, settings: HttpLimitSettings = httpLimitOptions()): void {
  server.headersTimeout = settings.headersTimeout;
  server.requestTimeout = settings.requestTimeout;
  server.maxHeadersCount = settings.maxHeadersCount;
}

/** MAX_CONCURRENT_STREAMS is how many streams one HTTP/2 connection may have open at once (E17). */
export const MAX_CONCURRENT_STREAMS = 128;

/**
 * REFUSAL_LINGER_MS is how long a socket that was answered with a refusal and half-closed may
 * stay open for the client to read the answer; then it is destroyed, so a client that keeps
 * its side open cannot hold the socket.
 */
export const REFUSAL_LINGER_MS = 1_000;

/** VERSION_SCAN_MAX_BYTES bounds the request line searched for an HTTP version above 1 (longer lines count as malformed: 400). */
const VERSION_SCAN_MAX_BYTES = 256;

/** METHOD_SCAN_MAX_BYTES bounds the method token looked for at the start of a chunk (longer ones are no method). */
const METHOD_SCAN_MAX_BYTES = 32;

/** HTTP2_LIMIT_SETTINGS: E17 for HTTP/2 — MAX_CONCURRENT_STREAMS streams; header list bounds loose enough to answer 431 ourselves. */
export const HTTP2_LIMIT_SETTINGS = {
  /** Beyond this node resets the stream (ENHANCE_YOUR_CALM) instead of letting us answer 431. */
  maxHeaderListPairs: 2 * MAX_HEADER_FIELDS + 8,
  settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, maxHeaderListSize: PARSER_MAX_HEADER_SIZE },
} as const;

/**
 * Precomputed minimal answers for every 4xx and 5xx status node names: status line,
 * Connection: close, a short text body. Written on raw sockets — a clientError, a CONNECT, a
 * WebSocket upgrade the engine answers itself — where no ServerResponse exists.
 */
const RESPONSES: ReadonlyMap<number, Buffer> = new Map(
  Object.keys(STATUS_CODES)
    .map(Number)
    .filter((status) => status >= 400)
    .map((status) => {
      const body = `${status} ${STATUS_CODES[status]}\n`;
      return [
        status,
        Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, 'latin1'),
      ];
    }),
);

/** errorResponseBytes returns the raw HTTP/1.1 answer that closes the connection, for any 4xx or 5xx status (500 for another). */
export function errorResponseBytes(status: number): Buffer {
  return RESPONSES.get(status) ?? RESPONSES.get(500)!;
}

/** ClientErrorLike is what node passes to 'clientError'. */
export interface ClientErrorLike extends Error {
  code?: string;
  bytesParsed?: number;
  rawPacket?: Buffer;
}

/**
 * clientErrorStatus maps a clientError to the status E17 answers, or undefined when there is
 * no one to answer (the peer reset or closed the connection).
 */
export function clientErrorStatus(err: ClientErrorLike): number | undefined {
  const code = err.code ?? '';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') return undefined;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return overflowIsRequestLine(err) ? 414 : 431;
  if (code === 'HPE_INVALID_VERSION' && versionAboveOne(err)) return 505;
  return 400;
}

/** NEWER_VERSION matches a request line whose version's major number is 2–9 (llhttp reads 2.0 itself and refuses 3.0 and up). */
const NEWER_VERSION = /^[!-~]+ [!-~]+ HTTP\/[2-9]\.[0-9]\r?$/;

/**
 * versionAboveOne tells whether an HPE_INVALID_VERSION came from a request line naming an
 * HTTP version above 1 (SPEC 2.1: 505), not from a malformed line (bare LF and friends: 400).
 */
function versionAboveOne(err: ClientErrorLike): boolean {
  const packet = err.rawPacket;
  if (packet === undefined || packet.length === 0) return false;
  const at = Math.min(err.bytesParsed ?? 0, packet.length);
  const start = at === 0 ? 0 : packet.lastIndexOf(10, at - 1) + 1;
  let end = packet.indexOf(10, start);
  if (end === -1) end = packet.length;
  if (end - start > VERSION_SCAN_MAX_BYTES) return false;
  return NEWER_VERSION.test(packet.toString('latin1', start, end));
}

/**
 * overflowIsRequestLine tells whether an overflow happened inside the request line. Node stops
 * at the end of the span that crossed the limit, in the chunk it was parsing (`rawPacket`,
 * `bytesParsed`): a URI span ends right before ` HTTP/`, a header span before CR. When the
 * limit is crossed at the end of a chunk instead, the request line is the culprit only if it
 * began in this chunk and has not ended before that point. Anything else counts as headers —
 * including a URI over 64 KiB whose limit falls at the end of a later read (then 431, not 414).
 */
function overflowIsRequestLine(err: ClientErrorLike): boolean {
  const packet = err.rawPacket;
  if (packet === undefined || packet.length === 0) return false;
  const end = Math.min(err.bytesParsed ?? packet.length, packet.length);
  if (packet.indexOf(' HTTP/', end, 'latin1') === end) return true;
  if (end < packet.length) return false;
  let start = packet.lastIndexOf('\r\n\r\n', end);
  start = start === -1 ? 0 : start + 4;
  if (start === 0 && !startsWithMethod(packet)) return false;
  const lf = packet.indexOf(10, start);
  return lf === -1 || lf >= end;
}

/** startsWithMethod tells whether a chunk starts like a request line (`TOKEN SP`). */
function startsWithMethod(packet: Buffer): boolean {
  for (let i = 0; i < packet.length && i < METHOD_SCAN_MAX_BYTES; i++) {
    const c = packet[i]!;
    if (c === 32) return i > 0;
    if (c < 65 || c > 90) return false;
  }
  return false;
}

/** InFlightResponse is the part of node's in-flight ServerResponse answerClientError looks at. */
interface InFlightResponse {
  headersSent: boolean;
  writableFinished: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * answerClientError writes E17's answer for a clientError to the raw socket and closes it. When
 * a response to an earlier request on the connection is still being written (pipelining), the
 * answer follows it instead of cutting it off. Use as the server's 'clientError' listener.
 */
export function answerClientError(err: ClientErrorLike, socket: Duplex): void {
  // The engine refused a request on this connection already (e.g. a 501 before its malformed
  // body); that answer carries Connection: close and node ends the socket after it.
  if (isRefused(socket)) return;
  const status = clientErrorStatus(err);
  if (status === undefined || !socket.writable) {
    socket.destroy();
    return;
  }
  markRefused(socket, status);
  const inFlight = (socket as { _httpMessage?: InFlightResponse | null })._httpMessage;
  if (inFlight && inFlight.headersSent && !inFlight.writableFinished) {
    inFlight.once('finish', () => (socket.writable ? endWith(socket, status) : socket.destroy()));
    inFlight.once('close', () => {
      if (!inFlight.writableFinished) socket.destroy();
    });
    return;
  }
  endWith(socket, status);
}

/**
 * answerConnect refuses a CONNECT request (SPEC 2.1: 405, never a tunnel) on the raw socket node
 * hands to the server's 'connect' event, and closes it. Use as the server's 'connect' listener.
 */
export function answerConnect(_req: unknown, socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  markRefused(socket, 405);
  endWith(socket, 405);
}

function endWith(socket: Duplex, status: number): void {
  socket.end(errorResponseBytes(status));
  // end() flushes then half-closes; a client that keeps its side open must not hold the socket.
  const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
