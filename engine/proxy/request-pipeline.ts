/**
 * The per-request entry points of a listener: one Exchange per HTTP/1.x request or HTTP/2
 * stream, started at once and finished when the client side closes. The stages live on
 * Exchange (proxy/exchange.ts); WebSocket upgrades take proxy/websocket-upgrade.ts instead.
 */
import type { Http1Response } from '../http1/http1-response.ts';
import type { Readable } from 'node:stream';
import type { H3Response } from '../quic/h3-response.ts';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import { isRefused } from '../limits/refused-connections.ts';
import { respondWithError } from './error-responses.ts';
import { Exchange } from './exchange.ts';
import type { FrontRequest, FrontResponse, ListenerServices } from './front-types.ts';

export type { FrontRequest, FrontResponse, ListenerServices } from './front-types.ts';
export { statusForUpstreamError } from './exchange.ts';

const kExchange = Symbol('gatehouse.exchange');

type Tagged = FrontResponse & { [kExchange]?: Exchange };

/** onClientClose finishes the exchange of a response or stream that closed (one shared listener, no closure per request). */
function onClientClose(this: Tagged): void {
  this[kExchange]?.finish();
}

/** ignore swallows stream errors (a reset from the client); 'close' follows and finishes the exchange. */
function ignore(): void {}

/** run starts an exchange; it never throws. */
function run(ex: Exchange): void {
  try {
    ex.start();
  } catch {
    // Nothing in start is expected to throw; if something does, the client still gets an answer.
    ex.upstream?.abort();
    respondWithError(ex, 500);
  }
}

/** handleRequest runs one HTTP/1.x request through the pipeline. */
export function handleRequest(config: ListenerConfig, req: FrontRequest, res: Http1Response, services: ListenerServices): void {
  // Pipelined behind a request the engine refused: that answer closes the connection, and
  // nothing the connection carries after it is served (SPEC 2.1).
  if (isRefused(req.socket)) return;
  const ex = Exchange.fromHttp1(config, services, req, res, performance.now());
  (res as Tagged)[kExchange] = ex;
  res.on('close', onClientClose);
  run(ex);
}

/**
 * handleStream runs one HTTP/2 stream through the pipeline. `Expect: 100-continue` is answered
 * with a 100 before the body is forwarded, any other expectation with 417 (as on HTTP/1.x).
 */
export function handleStream(config: ListenerConfig, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[], services: ListenerServices): void {
  stream.on('error', ignore);
  const ex = Exchange.fromHttp2(config, services, stream, headers[':method'] ?? '', headers[':path'] ?? '', rawHeaders, performance.now());
  (stream as Tagged)[kExchange] = ex;
  stream.on('close', onClientClose);
  const expect = headers.expect;
  if (expect !== undefined) {
    if (expect.toLowerCase() !== '100-continue') {
      respondWithError(ex, 417);
      return;
    }
    stream.additionalHeaders({ ':status': 100 });
  }
  run(ex);
}

/**
 * handleH3Request runs one HTTP/3 request (quic/h3-connection.ts has checked its framing and
 * field section) through the same pipeline: `rawHeaders` carries the pseudo-fields as HTTP/2's
 * do; `body` is undefined when the request ended with its head. `Expect` as on HTTP/2.
 * Returns the exchange, whose `finish` runs when the response closes.
 */
export function handleH3Request(config: ListenerConfig, res: H3Response, body: Readable | undefined, method: string, path: string, rawHeaders: string[], expect: string | undefined, connection: object, services: ListenerServices): Exchange {
  res.on('error', ignore);
  const ex = Exchange.fromHttp3(config, services, res, body, method, path, rawHeaders, connection, performance.now());
  (res as Tagged)[kExchange] = ex;
  res.on('close', onClientClose);
  if (expect !== undefined) {
    if (expect.toLowerCase() !== '100-continue') {
      respondWithError(ex, 417);
      return ex;
    }
    res.informational(100);
  }
  run(ex);
  return ex;
}
