/**
 * Relays the backend's response to the client: status, end-to-end headers (hop-by-hop ones
 * removed, E12), then the body as a stream with back-pressure. The place where response
 * transformations (compression, E10) slot in.
 */
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Dispatcher } from 'undici';
import { respondWithError } from './error-responses.ts';
import type { Exchange } from './exchange.ts';
import { connectionTokens, HOP_BY_HOP } from './hop-by-hop.ts';

/** responseHeaderList turns undici's response headers into the flat list writeHead takes, minus hop-by-hop ones. */
export function responseHeaderList(headers: Dispatcher.ResponseData['headers']): string[] {
  const tokens = connectionTokens(headers.connection);
  const out: string[] = [];
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || (tokens !== undefined && tokens.has(name))) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  return out;
}

/** relayResponse writes the backend's response to the client and ends when both sides are done. */
export function relayResponse(ex: Exchange, upstream: Dispatcher.ResponseData): void {
  const res = ex.res;
  if (res.destroyed) {
    upstream.body.destroy();
    return;
  }
  try {
    // Both HTTP/1 and HTTP/2 compatibility responses take the flat [name, value, …] form.
    (res as ServerResponse).writeHead(upstream.statusCode, responseHeaderList(upstream.headers));
  } catch {
    // A response head Node refuses to send (a header value with forbidden characters).
    upstream.body.destroy();
    respondWithError(ex, 502);
    return;
  }
  ex.status = upstream.statusCode;
  upstream.body.on('data', (chunk: Buffer) => {
    ex.bytesSent += chunk.length;
  });
  pipeline(upstream.body, res, (err) => {
    // A backend that stops mid-body, or a client that goes away: the response cannot be
    // completed, so the client's stream (or HTTP/1 connection) is reset rather than ended cleanly.
    if (err && !res.destroyed) res.destroy();
  });
}
