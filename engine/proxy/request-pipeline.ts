/**
 * The per-request entry point of a listener: one Exchange per request, started at once and
 * finished when the client response closes. The stages live on Exchange (proxy/exchange.ts);
 * WebSocket upgrades take proxy/websocket-upgrade.ts instead.
 */
import { performance } from 'node:perf_hooks';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import { respondWithError } from './error-responses.ts';
import { Exchange } from './exchange.ts';
import type { FrontRequest, FrontResponse, ListenerServices } from './front-types.ts';

export type { FrontRequest, FrontResponse, ListenerServices } from './front-types.ts';
export { statusForUpstreamError } from './exchange.ts';

/** handleRequest runs one client request through the pipeline; it never throws. */
export function handleRequest(config: ListenerConfig, req: FrontRequest, res: FrontResponse, services: ListenerServices): void {
  const ex = new Exchange(config, services, req, res, performance.now());
  res.once('close', () => ex.finish());
  try {
    ex.start();
  } catch {
    // Nothing in start is expected to throw; if something does, the client still gets an answer.
    ex.upstream?.abort();
    respondWithError(ex, 500);
  }
}
