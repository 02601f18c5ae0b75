/**
 * The client side of an exchange: requests and responses of the listener's HTTP/1.x or HTTP/2
 * server, and the per-listener services that see every finished request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { ListenerMetrics } from '../observability/metrics.ts';
import type { AccessLogRecord } from '../types.ts';

/** FrontRequest is a client request over HTTP/1.x or HTTP/2. */
export type FrontRequest = IncomingMessage | Http2ServerRequest;
/** FrontResponse is the response to a FrontRequest. */
export type FrontResponse = ServerResponse | Http2ServerResponse;

/** ListenerServices are what one listener reports finished requests to; fixed per listener runtime. */
export interface ListenerServices {
  /** The engine's access-log sink (E18), undefined when none is configured. */
  readonly accessLog: ((record: AccessLogRecord) => void) | undefined;
  /** The listener's metrics (E18), undefined without a metrics registry. */
  readonly metrics: ListenerMetrics | undefined;
}
