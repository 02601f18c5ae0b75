/**
 * WebSocket upgrades (E13, SPEC 2.1): an HTTP/1.1 `Upgrade: websocket` request on an HTTP or
 * HTTPS listener passes the same E17 head limits, the same request validation and the same
 * backend choice as any request, plus the upgrade's own rules (a Sec-WebSocket-Key of 16 bytes
 * in base64, no body); then its socket is joined to a connection to the chosen backend
 * (engine/websocket/relay.ts) — TLS when the server group speaks HTTPS — with the listener's
 * idleTimeout on the relayed bytes and its requestTimeout on the backend's answer. The relay
 * tunnels only after a matching 101. The finished relay is one access-log record.
 */
import type { Http1Request } from '../http1/http1-request.ts';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { TRANSFER_CODING_NONE } from '../headers/field-lists.ts';
import { isRefused, markRefused } from '../limits/refused-connections.ts';
import { HEAD_OK, checkRequestHead } from '../limits/request-limits.ts';
import { errorResponseBytes, REFUSAL_LINGER_MS } from '../limits/server-limits.ts';
import { REQUEST_OK, validateRequest } from '../limits/request-validation.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import { completeAccessLogRecord, createAccessLogRecord } from '../observability/access-log.ts';
import type { Backend } from '../upstream/backend.ts';
import type { PickInput } from '../upstream/server-group-runtime.ts';
import { relayWebSocket } from '../websocket/relay.ts';
import { connectionFacts, type ConnectionFacts } from './connection-facts.ts';
import type { ListenerServices } from './front-types.ts';
import { RequestFactFields } from './request-fact-fields.ts';
import { originForm } from './request-target.ts';

/** UpgradeRequest is the upgrade's request facts and scheduling input. */
class UpgradeRequest extends RequestFactFields implements PickInput {
  private readonly config: ListenerConfig;
  private readonly facts: ConnectionFacts;
  private readonly rawHeaders: readonly string[];

  constructor(config: ListenerConfig, facts: ConnectionFacts, rawHeaders: readonly string[]) {
    super();
    this.config = config;
    this.facts = facts;
    this.rawHeaders = rawHeaders;
  }

  get clientIp(): string {
    return this.config.forwarded.clientIp(this.facts.ip, this.rawHeaders);
  }
}

/** handleUpgrade relays one WebSocket upgrade; it never throws. */
export function handleUpgrade(config: ListenerConfig, req: Http1Request, client: Duplex, head: Buffer, services: ListenerServices): void {
  const startedAt = performance.now();
  const socket = client as Socket;
  if (isRefused(socket)) {
    // Pipelined behind a request the engine refused: nothing more is served here. The socket
    // left the HTTP/1 front with the upgrade, so it is ended here, after the refusal's bytes.
    client.on('error', () => {});
    client.end();
    setTimeout(() => client.destroy(), REFUSAL_LINGER_MS).unref();
    return;
  }
  // The front's idle timer no longer applies; the relay keeps its own.
  socket.setTimeout(0);
  client.on('error', () => {});
  const facts = connectionFacts(socket, socket, config.tls !== undefined);
  const request = new UpgradeRequest(config, facts, req.rawHeaders);
  const report = (status: number, bytesSent: number, backend?: Backend, upstreamMs?: number): void => {
    const durationMs = performance.now() - startedAt;
    services.metrics?.requestFinished(status, durationMs / 1000);
    if (services.accessLog === undefined) return;
    const record = createAccessLogRecord(
      performance.timeOrigin + startedAt,
      config.listener.id,
      request.clientIp,
      req.method,
      request.host ?? '',
      req.url,
      'HTTP/1.1',
      facts.tlsFacts,
    );
    services.accessLog(completeAccessLogRecord(record, status, bytesSent, durationMs, backend?.label, upstreamMs));
  };
  const answer = (status: number): void => {
    markRefused(socket, status);
    const bytes = errorResponseBytes(status);
    client.end(bytes);
    setTimeout(() => client.destroy(), REFUSAL_LINGER_MS).unref();
    report(status, bytes.length);
  };

  const refused = checkRequestHead(req.method, req.url, req.rawHeaders);
  if (refused !== HEAD_OK) return answer(refused);
  const headers = config.forwarded.build(req.rawHeaders, { ip: facts.ip, port: facts.port, clientCert: facts.clientCert, websocket: true }, request);
  const line = { method: req.method, url: req.url, http2: false, secure: config.tls !== undefined, versionMajor: req.httpVersionMajor, versionMinor: req.httpVersionMinor };
  const invalid = validateRequest(line, request.host, request.transferCoding, request.expect);
  if (invalid !== REQUEST_OK) return answer(invalid);
  const key = webSocketKey(req.rawHeaders);
  // An upgrade is an HTTP/1.1 GET without a body (RFC 6455 §4.1), with one well-formed key.
  if (key === undefined || req.httpVersionMinor !== 1 || request.transferCoding !== TRANSFER_CODING_NONE || (request.contentLength !== undefined && request.contentLength !== '0')) {
    return answer(400);
  }
  const backend = config.serverGroup.pick(request);
  if (backend === undefined) return answer(503);
  backend.activeRequests++;
  const pool = backend.pool;
  void relayWebSocket(
    client,
    head,
    originForm(req.url),
    headers,
    { address: pool.address, port: pool.port, tls: pool.protocol === 'HTTPS', ...(pool.servername !== undefined ? { servername: pool.servername } : {}) },
    { idleTimeoutMs: config.idleTimeoutMs, responseTimeoutMs: config.requestTimeoutMs },
    key,
  ).then((result) => {
    backend.activeRequests--;
    if (result.status === 502) config.serverGroup.metrics?.backendError(result.reason === 'refused' ? 'connect_refused' : 'other');
    report(result.status, result.bytesToClient, backend, result.upstreamMs);
  });
}

/**
 * webSocketKey returns the request's Sec-WebSocket-Key when there is exactly one and it is 16
 * bytes in base64 (24 characters ending in `==`, RFC 6455 §4.1), else undefined.
 */
function webSocketKey(raw: readonly string[]): string | undefined {
  let key: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 17 || name.toLowerCase() !== 'sec-websocket-key') continue;
    if (key !== undefined) return undefined;
    key = raw[i + 1]!.trim();
  }
  if (key === undefined || key.length !== 24 || !key.endsWith('==')) return undefined;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    const base64 = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!base64) return undefined;
  }
  return key;
}
