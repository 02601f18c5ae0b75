/**
 * Server-side settings of SPEC E17 shared by the HTTP/1.x front (http1/) and the HTTP/2 server:
 * the head and body deadlines and how often they are checked, the HTTP/2 limits, and the
 * engine's minimal raw answers — a status line, `Connection: close` and a short text body —
 * for refusals written straight to a socket (a malformed head or body, a WebSocket upgrade the
 * engine answers itself), where no response object exists.
 */
import { STATUS_CODES } from 'node:http';
import { MAX_HEADER_FIELDS, PARSER_MAX_HEADER_SIZE } from './request-limits.ts';

/** HEADERS_TIMEOUT_MS is E17's "headers complete within 10 s". */
export const HEADERS_TIMEOUT_MS = 10_000;
/** CONNECTIONS_CHECKING_INTERVAL_MS is how often the HTTP/1.x front checks head and body deadlines (http1/http1-front.ts). */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;
/** REQUEST_BODY_TIMEOUT_MS bounds receiving one whole request (head and body) from the client. */
export const REQUEST_BODY_TIMEOUT_MS = 300_000;

/** MAX_CONCURRENT_STREAMS is how many streams one HTTP/2 connection may have open at once (E17). */
export const MAX_CONCURRENT_STREAMS = 128;

/**
 * REFUSAL_LINGER_MS is how long a socket that was answered with a refusal and half-closed may
 * stay open for the client to read the answer; then it is destroyed, so a client that keeps
 * its side open cannot hold the socket.
 */
export const REFUSAL_LINGER_MS = 1_000;

/** HTTP2_LIMIT_SETTINGS: E17 for HTTP/2 — MAX_CONCURRENT_STREAMS streams; header list bounds loose enough to answer 431 ourselves. */
export const HTTP2_LIMIT_SETTINGS = {
  /** Beyond this node resets the stream (ENHANCE_YOUR_CALM) instead of letting us answer 431. */
  maxHeaderListPairs: 2 * MAX_HEADER_FIELDS + 8,
  settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, maxHeaderListSize: PARSER_MAX_HEADER_SIZE },
} as const;

/**
 * Precomputed minimal answers for every 4xx and 5xx status node names: status line,
 * Connection: close, a short text body. Written on raw sockets — a malformed head or body, a
 * WebSocket upgrade the engine answers itself — where no response object exists.
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
