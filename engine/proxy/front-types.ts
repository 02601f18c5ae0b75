/**
 * The client side of an exchange: an HTTP/1.x request and response of the engine's own front
 * (http1/), or an HTTP/2 stream (served with node's core API, not its request/response compatibility
 * layer, which costs a pair of objects and a dozen listeners per stream); and the
 * per-listener services that see every finished request.
 */
import type { ServerHttp2Stream } from 'node:http2';
import type { Http1Request } from '../http1/http1-request.ts';
import type { Http1Response } from '../http1/http1-response.ts';
import type { H3Response } from '../quic/h3-response.ts';
import type { ListenerMetrics } from '../observability/metrics.ts';
import type { AccessLogRecord } from '../types.ts';

/** FrontRequest is a client request over HTTP/1.x. */
export type FrontRequest = Http1Request;
/**
 * FrontResponse is where the answer goes: an HTTP/1.x response, an HTTP/2 stream, or an HTTP/3
 * request stream's response (quic/h3-response.ts, which offers what the pipeline uses of an
 * HTTP/2 stream: `respond`, a writable body, `close`).
 */
export type FrontResponse = Http1Response | ServerHttp2Stream | H3Response;

/** ListenerServices are what one listener reports finished requests to; fixed per listener runtime. */
export interface ListenerServices {
  /** The engine's access-log sink (E18), undefined when none is configured. */
  readonly accessLog: ((record: AccessLogRecord) => void) | undefined;
  /** The listener's metrics (E18), undefined without a metrics registry. */
  readonly metrics: ListenerMetrics | undefined;
  /**
   * The Alt-Svc value advertising a QUIC listener (SPEC 1.3), undefined while it is not
   * Running; read per response, so the field follows the QUIC listener's status live.
   */
  readonly altSvc?: ((quicListenerId: string) => string | undefined) | undefined;
}

const STATUS_TEXT: string[] = [];
for (let s = 100; s < 600; s++) STATUS_TEXT[s] = String(s);

/**
 * writeHead sends a response head: `headers` is a flat [name, value, …] list, which an HTTP/2
 * stream (or an HTTP/3 response) takes with the `:status` pseudo-field added (names lower-cased).
 */
export function writeHead(res: FrontResponse, http2: boolean, status: number, headers: string[]): void {
  if (http2) {
    headers.push(':status', STATUS_TEXT[status] ?? String(status));
    (res as ServerHttp2Stream).respond(headers);
  } else {
    (res as Http1Response).writeHead(status, headers);
  }
}

/** ResponseEnd is what every FrontResponse offers to end its body (their `end` overloads differ). */
interface ResponseEnd {
  end(chunk?: Buffer): unknown;
}

/** endResponse ends a response's body, with its last bytes if given. */
export function endResponse(res: FrontResponse, chunk?: Buffer): void {
  (res as ResponseEnd).end(chunk);
}
