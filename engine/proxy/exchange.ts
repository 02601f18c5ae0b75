/**
 * Exchange: one client request on its way through the engine. It is at once the pipeline's
 * per-request state, the peer and facts sink of ForwardedHeaders, the input of the scheduler
 * and sticky sessions, and the upstream connection's exchange — one object per request; no
 * header objects, and closures only where back-pressure or compression needs a listener.
 *
 * Stages: `start` (E17 head limits → forwarded header list and request facts → backend choice,
 * 503 without one → request head and body framing → the backend's pool); the upstream
 * callbacks relay the response (hop-by-hop fields already dropped, E10 compression, sticky
 * cookie), 504 when no head came within requestTimeout (E8), 502 on connection errors (E9);
 * `finish` (the client response closed) releases everything and reports to metrics and the
 * access log (E18).
 */
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable, Transform, Writable } from 'node:stream';
import { createCompressor, decideCompression, responseFacts, rewriteHeaders } from '../compression/index.ts';
import type { ClientCertInfo } from '../headers/client-cert.ts';
import type { RequestPeer } from '../headers/forwarded-headers.ts';
import { TRANSFER_CODING_CHUNKED } from '../headers/field-lists.ts';
import { markRefused, refusedStatus } from '../limits/refused-connections.ts';
import { HEAD_OK, checkRequestHead } from '../limits/request-limits.ts';
import { REQUEST_OK, validateRequest, type RequestLine } from '../limits/request-validation.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import { completeAccessLogRecord, createAccessLogRecord } from '../observability/access-log.ts';
import { backendErrorReason } from '../observability/metrics.ts';
import type { Backend } from '../upstream/backend.ts';
import type { PickInput, ServerGroupRuntime } from '../upstream/server-group-runtime.ts';
import type { UpstreamError, UpstreamExchange, UpstreamLink } from '../upstream/upstream-exchange.ts';
import { connectionFacts, type ConnectionFacts } from './connection-facts.ts';
import { respondWithError } from './error-responses.ts';
import type { Http1Response } from '../http1/http1-response.ts';
import type { H3Response } from '../quic/h3-response.ts';
import { endResponse, writeHead, type FrontRequest, type FrontResponse, type ListenerServices } from './front-types.ts';
import { RequestFactFields } from './request-fact-fields.ts';
import { originForm, requestHead } from './request-target.ts';

/** statusForUpstreamError maps a failed backend exchange to the client's status: 504 on the request timeout (E8), else 502 (E9). */
export function statusForUpstreamError(err: { code?: string }): number {
  return err.code === 'RESPONSE_TIMEOUT' ? 504 : 502;
}

/**
 * BODY_HOLD_BYTES is how much of a request body the engine reads before choosing a backend
 * (SPEC 2.1): whole bodies up to it are validated before anything is forwarded.
 */
export const BODY_HOLD_BYTES = 64 * 1024;

/** Methods whose request may be sent again when a reused connection was closed under it (RFC 9110 §9.2.2). */
function idempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'PUT' || method === 'DELETE' || method === 'TRACE';
}

/** Exchange carries one request through the pipeline. */
export class Exchange extends RequestFactFields implements UpstreamExchange, PickInput, RequestPeer, RequestLine {
  readonly config: ListenerConfig;
  readonly services: ListenerServices;
  /** Where the answer goes: the HTTP/1.x response, or the HTTP/2 stream. */
  readonly res: FrontResponse;
  /** The request body: the HTTP/1.x request's body stream (undefined without a body), or the HTTP/2 stream. */
  readonly body: Readable | undefined;
  /** The HTTP/1.x client socket (marked when a refusal closes it), undefined for HTTP/2. */
  private readonly http1Socket: Socket | undefined;
  readonly method: string;
  /** The request target as received. */
  readonly url: string;
  /** The client's fields as received, flat (HTTP/2 pseudo-fields included). */
  readonly rawHeaders: string[];
  /** performance.now() when the request reached the pipeline. */
  readonly startedAt: number;
  /** A stream of a multiplexed connection (HTTP/2 or HTTP/3): `:status` heads, no Connection field. */
  readonly http2: boolean;
  /** An HTTP/3 request (a QUIC listener's): always secure, logged as `HTTP/3`. */
  readonly h3: boolean;
  /** True when the request carries no body (HTTP/2: END_STREAM on the headers; HTTP/1.x: no body framing). */
  private readonly endAfterHeaders: boolean;
  readonly facts: ConnectionFacts;
  /** HTTP/1.x version numbers (RequestLine); HTTP/2 leaves them at 1.1. */
  versionMajor = 1;
  versionMinor = 1;
  // RequestPeer.
  readonly websocket = false;
  backend: Backend | undefined = undefined;
  group: ServerGroupRuntime | undefined = undefined;
  // UpstreamExchange.
  upstreamHead = '';
  upstreamBody: Readable | null = null;
  upstreamBodyHeld: readonly Buffer[] | null = null;
  upstreamBodyEnded = false;
  upstreamChunked = false;
  readonly upstreamHttp10: boolean;
  upstreamHeadRequest = false;
  upstreamRetryable = false;
  upstreamDeadline = 0;
  readonly upstreamBodyTimeoutMs: number;
  upstream: UpstreamLink | undefined = undefined;
  /** ms from forwarding the request until its response head arrived; -1 until then. */
  upstreamDurationMs = -1;
  /** The status sent to the client (0 until a head is written). */
  status = 0;
  /** Response body bytes sent to the client. */
  bytesSent = 0;
  private compressor: Transform | undefined = undefined;
  private clientIpValue: string | undefined = undefined;
  private closed = false;
  /** Stops holding the body (holdBody) when the client goes away first. */
  private releaseHeldBody: (() => void) | undefined = undefined;

  /** fromHttp1 builds the exchange of an HTTP/1.x request. */
  static fromHttp1(config: ListenerConfig, services: ListenerServices, req: FrontRequest, res: Http1Response, startedAt: number): Exchange {
    const socket = req.socket;
    const ex = new Exchange(config, services, res, req.body, req.method, req.url, req.rawHeaders, false, req.httpVersionMinor === 0, req.body === undefined, socket, socket, startedAt);
    ex.versionMajor = req.httpVersionMajor;
    ex.versionMinor = req.httpVersionMinor;
    return ex;
  }

  /** fromHttp2 builds the exchange of an HTTP/2 stream. */
  static fromHttp2(config: ListenerConfig, services: ListenerServices, stream: ServerHttp2Stream, method: string, path: string, rawHeaders: string[], startedAt: number): Exchange {
    // Facts come from the session (captured when it was set up), never from its socket, which
    // is unbound once the session is destroyed.
    return new Exchange(config, services, stream, stream, method, path, rawHeaders, true, false, stream.endAfterHeaders, stream.session ?? stream, undefined, startedAt);
  }

  /**
   * fromHttp3 builds the exchange of an HTTP/3 request: `body` is undefined when the request
   * ended with its head; facts were attached to `connection` when the QUIC connection came.
   */
  static fromHttp3(config: ListenerConfig, services: ListenerServices, res: H3Response, body: Readable | undefined, method: string, path: string, rawHeaders: string[], connection: object, startedAt: number): Exchange {
    return new Exchange(config, services, res, body, method, path, rawHeaders, true, false, body === undefined, connection, undefined, startedAt, true);
  }

  private constructor(
    config: ListenerConfig,
    services: ListenerServices,
    res: FrontResponse,
    body: Readable | undefined,
    method: string,
    url: string,
    rawHeaders: string[],
    http2: boolean,
    http10: boolean,
    endAfterHeaders: boolean,
    owner: object,
    socket: Socket | undefined,
    startedAt: number,
    h3 = false,
  ) {
    super();
    this.h3 = h3;
    this.config = config;
    this.services = services;
    this.res = res;
    this.body = body;
    this.http1Socket = http2 ? undefined : socket;
    this.method = method;
    this.url = url;
    this.rawHeaders = rawHeaders;
    this.startedAt = startedAt;
    this.http2 = http2;
    this.upstreamHttp10 = http10;
    this.endAfterHeaders = endAfterHeaders;
    this.upstreamBodyTimeoutMs = config.requestTimeoutMs;
    this.facts = connectionFacts(owner, socket, config.tls !== undefined);
    this.facts.inFlight++;
  }

  /** secure tells whether the listener is HTTPS (RequestLine). */
  get secure(): boolean {
    return this.h3 || this.config.tls !== undefined;
  }

  /** ip is the connection's peer address (RequestPeer). */
  get ip(): string {
    return this.facts.ip;
  }

  /** port is the connection's peer port (RequestPeer). */
  get port(): number {
    return this.facts.port;
  }

  /** clientCert is the connection's client certificate (RequestPeer). */
  get clientCert(): ClientCertInfo | undefined {
    return this.facts.clientCert;
  }

  /** clientIp is the client address of SPEC 1.2.1 (Retrieve Client IP applied), computed on first use. */
  get clientIp(): string {
    return (this.clientIpValue ??= this.config.forwarded.clientIp(this.facts.ip, this.rawHeaders));
  }

  /**
   * start runs the request side of the pipeline: E17's head limits and SPEC 2.1's validation
   * (before any backend is chosen), the forwarded header list and the body framing; a request
   * with a body first holds it (holdBody), one without goes to a backend at once.
   */
  start(): void {
    const method = this.method;
    const url = this.url;
    const raw = this.rawHeaders;
    const limited = checkRequestHead(method, url, raw);
    if (limited !== HEAD_OK) {
      this.refuse(limited);
      return;
    }
    const headers = this.config.forwarded.build(raw, this, this);
    const invalid = validateRequest(this, this.host, this.transferCoding, this.expect);
    if (invalid !== REQUEST_OK) {
      this.refuse(invalid);
      return;
    }
    // The front decided the body's framing from the same fields (http1/request-head-parser.ts).
    const hasBody = !this.endAfterHeaders && this.body !== undefined;
    const chunked = hasBody && (this.http2 ? this.contentLength === undefined : this.transferCoding === TRANSFER_CODING_CHUNKED);
    this.upstreamChunked = chunked;
    this.upstreamHeadRequest = method === 'HEAD';
    this.upstreamRetryable = !hasBody && idempotent(method);
    this.upstreamHead = requestHead(method, this.http2 ? url : originForm(url), this.upstreamHttp10, headers, chunked);
    if (hasBody) {
      this.upstreamBody = this.body;
      this.holdBody();
      return;
    }
    this.forward(this.startedAt);
  }

  /**
   * holdBody reads the request body into the exchange up to BODY_HOLD_BYTES before a backend
   * is chosen (SPEC 2.1): a body that ends within it reaches the backend whole or not at all,
   * so a framing error, a truncated body or a stalled upload never becomes a backend request.
   * Longer bodies go on streaming after their first BODY_HOLD_BYTES. Node's HTTP/2 stream
   * window is 64 KiB too, so holding adds no memory an HTTP/2 client could not already fill.
   * A body that is not complete (or not past the bound) within requestTimeout is 408.
   */
  private holdBody(): void {
    const body = this.body!;
    const held: Buffer[] = [];
    let bytes = 0;
    const release = (): void => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      this.releaseHeldBody = undefined;
    };
    const onData = (chunk: Buffer): void => {
      held.push(chunk);
      bytes += chunk.length;
      if (bytes < BODY_HOLD_BYTES) return;
      // Paused before the listener goes, so no chunk is emitted with nobody listening; the
      // backend connection resumes the stream once it sends.
      body.pause();
      release();
      this.upstreamBodyHeld = held;
      this.forward(performance.now());
    };
    const onEnd = (): void => {
      release();
      this.upstreamBodyHeld = held;
      this.upstreamBodyEnded = true;
      this.forward(performance.now());
    };
    const onError = (): void => {
      // A framing error (HTTP/1: the front has answered 400 and closes the connection) or a
      // client that went away: nothing was forwarded, nothing more to do.
      release();
      if (this.status === 0) this.status = 400;
    };
    const timer = setTimeout(() => {
      release();
      body.pause();
      this.refuse(408);
    }, this.config.requestTimeoutMs);
    this.releaseHeldBody = release;
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  }

  /** forward chooses the backend (503 without one) and hands the request to its pool; `sentAt` is when its last held byte came. */
  private forward(sentAt: number): void {
    if (this.closed) return;
    const group = this.config.serverGroup;
    const backend = group.pick(this);
    if (backend === undefined) {
      respondWithError(this, 503);
      return;
    }
    this.group = group;
    this.backend = backend;
    backend.activeRequests++;
    this.upstreamDeadline = sentAt + this.config.requestTimeoutMs;
    backend.pool.dispatch(this);
  }

  /**
   * refuse answers a request the engine will not forward. On HTTP/1.x the answer closes the
   * connection, which is marked so that nothing it carries later is served (SPEC 2.1).
   */
  private refuse(status: number): void {
    if (this.http1Socket !== undefined) markRefused(this.http1Socket, status);
    respondWithError(this, status, true);
  }

  onUpstreamHead(status: number, headers: string[], connectionTokens: readonly string[] | undefined): void {
    const res = this.res;
    this.upstreamDurationMs = performance.now() - this.startedAt;
    if (this.closed || res.destroyed) return;
    if (connectionTokens !== undefined) removeListedFields(headers, connectionTokens);
    const backend = this.backend!;
    this.group!.sticky?.learn(headers, backend);
    let out = headers;
    let compress: 'br' | 'gzip' | undefined;
    let length = -1;
    if (this.config.compressionEnabled) {
      const facts = responseFacts(headers);
      const decision = decideCompression(true, this.method, status, this.acceptEncoding, facts);
      if (decision.vary) out = rewriteHeaders(headers, decision) as string[];
      compress = decision.encoding;
      length = facts.contentLength;
    }
    if (backend.insertCookie !== undefined) out.push('Set-Cookie', backend.insertCookie);
    const quic = this.config.listener.tls?.quic;
    if (quic !== undefined && quic.upgradeEnabled && quic.quicListenerId !== undefined) {
      const altSvc = this.services.altSvc?.(quic.quicListenerId);
      if (altSvc !== undefined) out.push('Alt-Svc', altSvc);
    }
    try {
      writeHead(res, this.http2, status, out);
    } catch {
      // A head that may not be sent (a field name or value with forbidden characters).
      this.upstream?.abort();
      respondWithError(this, 502);
      return;
    }
    this.status = status;
    if (compress !== undefined) {
      const compressor = createCompressor(compress, length);
      this.compressor = compressor;
      compressor.on('data', (chunk: Buffer) => {
        this.bytesSent += chunk.length;
      });
      compressor.on('error', () => res.destroy());
      // Http1Response has the part of a writable stream pipe() uses (http1/http1-response.ts).
      compressor.pipe(res as Writable);
    }
  }

  onUpstreamData(chunk: Buffer, last: boolean): boolean {
    const compressor = this.compressor;
    if (compressor !== undefined) return this.relayBody(compressor, chunk, last);
    this.bytesSent += chunk.length;
    return this.relayBody(this.res, chunk, last);
  }

  /**
   * relayBody writes response body bytes to the client's response or to the compressor in
   * front of it, and says whether the backend may go on; when the writer is full the backend
   * resumes once it drains. The body's last bytes end the writer in the same write (HTTP/2:
   * DATA with END_STREAM).
   */
  private relayBody(out: BodyOut, chunk: Buffer, last: boolean): boolean {
    if (last) {
      out.end(chunk);
      return true;
    }
    if (out.write(chunk)) return true;
    out.once('drain', () => this.upstream?.resume());
    return false;
  }

  onUpstreamEnd(): void {
    const compressor = this.compressor;
    if (compressor !== undefined) {
      if (!compressor.writableEnded) compressor.end();
    } else if (!this.res.writableEnded) endResponse(this.res);
  }

  onUpstreamError(err: UpstreamError): void {
    if (err.code === 'REQUEST_BODY') {
      // The client's body failed past the hold (a framing error the front has answered 400,
      // or a client that left): the backend request is cut, nobody to answer.
      if (this.status === 0) this.status = 400;
      return;
    }
    // A client that stopped reading is the client's doing, not the backend's.
    if (err.code !== 'CLIENT_STALLED') this.group?.metrics?.backendError(backendErrorReason(err));
    if (this.closed) return;
    this.compressor?.destroy();
    respondWithError(this, statusForUpstreamError(err));
  }

  /** finish runs once the client response has closed (completed or not): release and report. */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseHeldBody?.();
    // Cut by a parse error in its body: the HTTP/1.x front answered for it.
    if (this.status === 0 && this.http1Socket !== undefined) this.status = refusedStatus(this.http1Socket);
    // The client went away before the response was complete: the backend exchange is dropped.
    this.upstream?.abort();
    const facts = this.facts;
    facts.inFlight--;
    // A stream that closed before its response was complete: Rapid Reset counts these.
    if (this.http2 && (this.res as ServerHttp2Stream | H3Response).aborted) facts.guard?.streamCancelled();
    const backend = this.backend;
    if (backend !== undefined) backend.activeRequests--;
    const compressor = this.compressor;
    if (compressor !== undefined && !compressor.writableFinished) compressor.destroy();
    const services = this.services;
    if (services.metrics === undefined && services.accessLog === undefined) return;
    const durationMs = performance.now() - this.startedAt;
    services.metrics?.requestFinished(this.status, durationMs / 1000);
    const log = services.accessLog;
    if (log === undefined) return;
    const record = createAccessLogRecord(
      performance.timeOrigin + this.startedAt,
      this.config.listener.id,
      this.clientIp,
      this.method,
      this.host ?? hostOf(this.rawHeaders),
      this.url,
      this.h3 ? 'HTTP/3' : this.http2 ? 'HTTP/2.0' : this.upstreamHttp10 ? 'HTTP/1.0' : 'HTTP/1.1',
      this.facts.tlsFacts,
    );
    completeAccessLogRecord(
      record,
      this.status,
      this.bytesSent,
      durationMs,
      backend?.label,
      this.upstreamDurationMs >= 0 ? this.upstreamDurationMs : undefined,
    );
    log(record);
  }
}

/** BodyOut is where response body bytes go: the client's response (HTTP/1.x or an HTTP/2 stream) or the compressor. */
interface BodyOut {
  write(chunk: Buffer): boolean;
  end(chunk: Buffer): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

/** removeListedFields drops, in place, the response fields a Connection field named (E12). */
function removeListedFields(headers: string[], tokens: readonly string[]): void {
  let w = 0;
  for (let r = 0; r + 1 < headers.length; r += 2) {
    if (tokens.includes(headers[r]!.toLowerCase())) continue;
    headers[w++] = headers[r]!;
    headers[w++] = headers[r + 1]!;
  }
  headers.length = w;
}

/** hostOf finds Host (or :authority) in a raw header list, for requests refused before the header pass. */
function hostOf(raw: readonly string[]): string {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name === ':authority' || (name.length === 4 && name.toLowerCase() === 'host')) return raw[i + 1]!;
  }
  return '';
}
