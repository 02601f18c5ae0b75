/**
 * Responses the engine makes itself (E8, E9, E17): a short text body per status, built once
 * when the module loads and never changed.
 */
import { STATUS_CODES } from 'node:http';
import { endResponse, writeHead, type FrontResponse } from './front-types.ts';

const BODIES: ReadonlyMap<number, Buffer> = new Map(
  Object.entries(STATUS_CODES).map(([code, text]) => [Number(code), Buffer.from(`${code} ${text ?? ''}\n`)]),
);
const FALLBACK = Buffer.from('error\n');

/** Answered is the exchange an own response is written for; it records what was sent for the access log. */
export interface Answered {
  readonly res: FrontResponse;
  readonly http2: boolean;
  status: number;
  bytesSent: number;
}

/**
 * respondWithError sends the engine's own response, or resets the response if it has already
 * started. `close` (E17's refusals) also closes an HTTP/1.x connection after the answer;
 * HTTP/2 has no Connection field, there only the stream ends.
 */
export function respondWithError(ex: Answered, status: number, close = false): void {
  const res = ex.res;
  if (res.headersSent || res.destroyed || res.writableEnded) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const body = BODIES.get(status) ?? FALLBACK;
  ex.status = status;
  ex.bytesSent = body.length;
  const headers = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(body.length)];
  if (close && !ex.http2) headers.push('connection', 'close');
  try {
    writeHead(res, ex.http2, status, headers);
  } catch {
    res.destroy();
    return;
  }
  endResponse(res, body);
}
