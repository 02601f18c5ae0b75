/**
 * The contract between the request pipeline (proxy/) and the upstream connections
 * (upstream/): what a request to a backend consists of, and the callbacks through which its
 * response comes back. The pipeline's Exchange implements it, so a request travels as one
 * object and no per-request closures are needed.
 */
import type { Readable } from 'node:stream';

/** UpstreamErrorCode names why an exchange with a backend failed. */
export type UpstreamErrorCode =
  | 'CONNECT_TIMEOUT'
  | 'RESPONSE_TIMEOUT'
  | 'BODY_TIMEOUT'
  | 'BAD_RESPONSE'
  | 'CLOSED'
  | 'POOL_CLOSED'
  | 'REQUEST_BODY'
  | 'CLIENT_STALLED'
  | 'SOCKET';

/** UpstreamError is a failed exchange; `code` is one of UpstreamErrorCode or a socket error code (ECONNREFUSED, …). */
export class UpstreamError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UpstreamError';
    this.code = code;
  }
}

/** UpstreamLink is what the pipeline may do with the connection carrying its exchange. */
export interface UpstreamLink {
  /** resume continues reading the response after the client side drained. */
  resume(): void;
  /** abort drops the exchange (the client went away): the connection is closed, no callback follows. */
  abort(): void;
}

/** UpstreamExchange is one request to a backend and the receiver of its response. */
export interface UpstreamExchange {
  /** The complete request head (request line, fields, empty line), latin1. */
  readonly upstreamHead: string;
  /** The request body to stream after the head, or null when the request has none. */
  readonly upstreamBody: Readable | null;
  /** The body's first bytes, already read from the client (sent right after the head), or null. */
  readonly upstreamBodyHeld: readonly Buffer[] | null;
  /** True when the held bytes are the whole body: nothing more is read from upstreamBody. */
  readonly upstreamBodyEnded: boolean;
  /** True when the body is sent with chunked framing (its length is unknown). */
  readonly upstreamChunked: boolean;
  /** True for an HTTP/1.0 request: a connection of its own, closed after the response. */
  readonly upstreamHttp10: boolean;
  /** True for HEAD: the response has no body whatever its fields say. */
  readonly upstreamHeadRequest: boolean;
  /**
   * True when the request may be sent again on a fresh connection if a reused keep-alive
   * connection turns out to have been closed by the backend before answering (idempotent
   * method, no body).
   */
  readonly upstreamRetryable: boolean;
  /** performance.now() by which the response head must have arrived (E8). */
  upstreamDeadline: number;
  /** Longest silence allowed while the response body streams, ms. */
  readonly upstreamBodyTimeoutMs: number;
  /** The connection carrying the request, set by it while it does. */
  upstream: UpstreamLink | undefined;
  /** The response head: status and end-to-end fields; `connectionTokens` lists fields to drop too. */
  onUpstreamHead(status: number, headers: string[], connectionTokens: readonly string[] | undefined): void;
  /**
   * A body chunk; `last` says it completes the body (onUpstreamEnd still follows). false asks
   * the connection to stop reading until `upstream.resume()`.
   */
  onUpstreamData(chunk: Buffer, last: boolean): boolean;
  /** The response is complete. */
  onUpstreamEnd(): void;
  /** The exchange failed (before or after the head). Called at most once, and never after onUpstreamEnd. */
  onUpstreamError(err: UpstreamError): void;
}
