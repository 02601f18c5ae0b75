/**
 * The request head sent to the backend: the client's headers in their order and case (E12)
 * minus hop-by-hop ones, as the flat name/value list undici writes verbatim. Headers the
 * engine adds (forwarded headers, 1.2.1) are appended after filtering, so a client's
 * Connection header can never remove them.
 */
import type { Http2ServerRequest } from 'node:http2';
import type { Exchange } from './exchange.ts';
import { connectionTokens, HOP_BY_HOP } from './hop-by-hop.ts';

/** buildUpstreamHeaders returns the flat [name, value, …] list for the backend request. */
export function buildUpstreamHeaders(ex: Exchange): string[] {
  const req = ex.req;
  const raw = req.rawHeaders;
  const tokens = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let cookie: string | undefined;
  let sawHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.charCodeAt(0) === 58 /* ':' HTTP/2 pseudo-header */) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'te' && value.trim().toLowerCase() === 'trailers') out.push(name, value);
      continue;
    }
    if (tokens !== undefined && tokens.has(lower)) continue;
    // The engine's HTTP server has already answered `Expect: 100-continue`; the backend gets the body.
    if (lower === 'expect') continue;
    if (ex.http2) {
      // HTTP/2 may split Cookie into several fields; HTTP/1.1 wants one (RFC 9113 §8.2.3).
      if (lower === 'cookie') {
        cookie = cookie === undefined ? value : `${cookie}; ${value}`;
        continue;
      }
      if (lower === 'host') sawHost = true;
    }
    out.push(name, value);
  }
  if (ex.http2) {
    if (!sawHost) {
      const authority = (req as Http2ServerRequest).headers[':authority'];
      if (authority) out.push('host', authority);
    }
    if (cookie !== undefined) out.push('cookie', cookie);
  }
  return out;
}

/** requestHasBody tells whether the client sends a body, so that a bodiless request is sent without one. */
export function requestHasBody(ex: Exchange): boolean {
  if (ex.http2) return !(ex.req as Http2ServerRequest).stream.endAfterHeaders;
  const h = ex.req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const length = h['content-length'];
  return length !== undefined && length !== '0';
}
