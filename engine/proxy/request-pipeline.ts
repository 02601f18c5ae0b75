/**
 * The per-request pipeline of a listener: choose a backend from the listener's default
 * server group, build the upstream request head, send it over the backend's keep-alive pool,
 * relay the response, and report the finished exchange. Each stage is one function, so
 * later features slot in at a named place: forwarded headers in `buildUpstreamHeaders`,
 * compression in `relayResponse`, limits before `chooseBackend`, metrics in `finish`.
 */
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import type { AccessLogRecord } from '../types.ts';
import { respondWithError } from './error-responses.ts';
import { Exchange, type FrontRequest, type FrontResponse } from './exchange.ts';
import { relayResponse } from './response-relay.ts';
import { buildUpstreamHeaders, requestHasBody } from './upstream-headers.ts';

/** PipelineHooks are the engine-wide consumers of finished exchanges. */
export interface PipelineHooks {
  accessLog?: ((record: AccessLogRecord) => void) | undefined;
}

/** handleRequest runs one client request through the pipeline; it never throws. */
export function handleRequest(config: ListenerConfig, req: FrontRequest, res: FrontResponse, hooks: PipelineHooks): void {
  const ex = new Exchange(config, req, res, performance.now());
  res.once('close', () => finish(ex, hooks));
  const backend = config.serverGroup.pick(ex);
  if (!backend) {
    respondWithError(ex, 503);
    return;
  }
  ex.backend = backend;
  backend.activeRequests++;
  forward(ex).catch(() => respondWithError(ex, 502));
}

async function forward(ex: Exchange): Promise<void> {
  const backend = ex.backend!;
  const req = ex.req;
  let upstream: Dispatcher.ResponseData;
  ex.upstreamStartedAt = performance.now();
  try {
    upstream = await backend.pool.dispatcher.request({
      method: req.method as Dispatcher.HttpMethod,
      path: requestPath(req.url),
      headers: buildUpstreamHeaders(ex),
      body: requestHasBody(ex) ? req : null,
      headersTimeout: ex.config.requestTimeoutMs,
      bodyTimeout: ex.config.requestTimeoutMs,
    });
  } catch (err) {
    respondWithError(ex, statusForUpstreamError(err));
    return;
  }
  ex.upstreamDurationMs = performance.now() - ex.upstreamStartedAt;
  relayResponse(ex, upstream);
}

/** statusForUpstreamError maps a failed backend exchange to the client's status: 504 on timeout (E8), else 502 (E9). */
export function statusForUpstreamError(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' ? 504 : 502;
}

/** requestPath reduces an absolute-form request target to origin form for the backend. */
function requestPath(url: string | undefined): string {
  if (!url) return '/';
  if (url.charCodeAt(0) === 47 /* '/' */) return url;
  if (url === '*') return url;
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}

function finish(ex: Exchange, hooks: PipelineHooks): void {
  if (ex.backend) ex.backend.activeRequests--;
  const log = hooks.accessLog;
  if (!log) return;
  const req = ex.req;
  const record: AccessLogRecord = {
    time: new Date().toISOString(),
    listenerId: ex.config.listener.id,
    clientIp: ex.clientIp,
    method: req.method ?? '',
    host: ex.host,
    path: req.url ?? '',
    status: ex.res.headersSent ? ex.status : 0,
    bytesSent: ex.bytesSent,
    requestDurationMs: Math.round((performance.now() - ex.startedAt) * 1000) / 1000,
    protocol: `HTTP/${req.httpVersion}`,
  };
  if (ex.upstreamDurationMs !== undefined) record.upstreamDurationMs = Math.round(ex.upstreamDurationMs * 1000) / 1000;
  if (ex.backend) record.backend = ex.backend.label;
  if (ex.tlsSocket) {
    const version = ex.tlsSocket.getProtocol();
    const cipher = ex.tlsSocket.getCipher();
    if (version) record.tlsVersion = version;
    if (cipher) record.tlsCipher = cipher.name;
  }
  log(record);
}
