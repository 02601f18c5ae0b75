/**
 * How long a client may take to send a request to the API. Node's HTTP server only enforces
 * these when asked: fastify leaves requestTimeout at 0 (none) and node checks headersTimeout
 * only every 30 s, so a client sending half a request head held its connection (and a slot of
 * the process's file descriptors) for as long as it liked. These bounds cut it off.
 */
import type { ServerOptions } from 'node:http';

/** ApiTimeouts are the request deadlines of the API, in milliseconds. */
export interface ApiTimeouts {
  /** From the connection's first byte (or the previous response) to the end of the request head. */
  readonly headersMs: number;
  /** From the connection's first byte to the end of the whole request, body included. */
  readonly requestMs: number;
  /** How often node looks for connections past either deadline: the cut comes at most this late. */
  readonly checkIntervalMs: number;
}

/**
 * API_TIMEOUTS are the defaults: a request head (a few hundred bytes) in 10 s, a whole request
 * (at most 1 MiB, so at least ~35 KB/s) in 30 s, checked every second. A real client, even
 * over a slow link, sends its head in one packet; only a stalled or hostile one takes longer.
 */
export const API_TIMEOUTS: ApiTimeouts = { headersMs: 10_000, requestMs: 30_000, checkIntervalMs: 1_000 };

/** serverTimeoutOptions are the fastify options that make node's server enforce `t`. */
export function serverTimeoutOptions(t: ApiTimeouts): { http: ServerOptions; requestTimeout: number } {
  if (!(t.headersMs > 0 && t.requestMs >= t.headersMs && t.checkIntervalMs > 0)) {
    throw new Error('API timeouts: need 0 < headersMs <= requestMs and checkIntervalMs > 0');
  }
  return {
    // fastify passes `http` to http.createServer, the only place connectionsCheckingInterval is read.
    http: { headersTimeout: t.headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval: t.checkIntervalMs },
    // fastify then sets server.requestTimeout from its own option (default 0 = none).
    requestTimeout: t.requestMs,
  };
}
