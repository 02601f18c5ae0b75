/**
 * Responses the engine makes itself (E8, E9): a short text body per status, built once when
 * the module loads and never changed.
 */
import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Exchange } from './exchange.ts';

const BODIES: ReadonlyMap<number, Buffer> = new Map(
  Object.entries(STATUS_CODES).map(([code, text]) => [Number(code), Buffer.from(`${code} ${text ?? ''}\n`)]),
);
const FALLBACK = Buffer.from('error\n');

/** respondWithError sends the engine's own error response, or resets the response if it has already started. */
export function respondWithError(ex: Exchange, status: number): void {
  const res = ex.res;
  if (res.headersSent || res.destroyed || res.writableEnded) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const body = BODIES.get(status) ?? FALLBACK;
  ex.status = status;
  ex.bytesSent = body.length;
  // Both HTTP/1 and HTTP/2 compatibility responses take the flat [name, value, …] form.
  (res as ServerResponse).writeHead(status, ['content-type', 'text/plain; charset=utf-8', 'content-length', String(body.length)]);
  res.end(body);
}
