/**
 * Exchange: the state of one client request as it passes through the request pipeline —
 * who asked, over which connection, which backend answered, what was sent back. Later
 * pipeline stages (forwarded headers, compression, access log, metrics) read and extend it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientCertInfo } from '../headers/client-cert.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import { connectionClientCert } from '../tls/connection-client-cert.ts';
import type { Backend } from '../upstream/backend.ts';

/** FrontRequest is a client request over HTTP/1.x or HTTP/2. */
export type FrontRequest = IncomingMessage | Http2ServerRequest;
/** FrontResponse is the response to a FrontRequest. */
export type FrontResponse = ServerResponse | Http2ServerResponse;

/** Exchange carries one request through the pipeline. */
export class Exchange {
  readonly config: ListenerConfig;
  readonly req: FrontRequest;
  readonly res: FrontResponse;
  /** performance.now() when the request reached the pipeline. */
  readonly startedAt: number;
  /** The client's TCP connection (for HTTP/2 the session's socket). */
  readonly socket: Socket;
  /** The TLS connection for HTTPS listeners. */
  readonly tlsSocket: TLSSocket | undefined;
  readonly clientIp: string;
  readonly clientPort: number;
  /** True for HTTP/2 requests. */
  readonly http2: boolean;
  backend: Backend | undefined = undefined;
  /** performance.now() when the request was handed to the backend's pool. */
  upstreamStartedAt = 0;
  /** ms from handing the request to the backend until its response head arrived. */
  upstreamDurationMs: number | undefined = undefined;
  /** The status sent to the client (0 until the head is written). */
  status = 0;
  /** Response body bytes sent to the client. */
  bytesSent = 0;

  constructor(config: ListenerConfig, req: FrontRequest, res: FrontResponse, startedAt: number) {
    this.config = config;
    this.req = req;
    this.res = res;
    this.startedAt = startedAt;
    this.http2 = req.httpVersionMajor === 2;
    const socket = (this.http2 ? (req as Http2ServerRequest).stream.session?.socket : req.socket) as Socket;
    this.socket = socket;
    this.tlsSocket = config.tls ? (socket as TLSSocket) : undefined;
    this.clientIp = socket?.remoteAddress ?? '';
    this.clientPort = socket?.remotePort ?? 0;
  }

  /** clientCert is the connection's client certificate (mutual TLS), undefined on HTTP or without one. */
  get clientCert(): ClientCertInfo | undefined {
    return this.tlsSocket ? connectionClientCert(this.tlsSocket) : undefined;
  }

  /** host is the authority the client asked for (Host, or :authority on HTTP/2). */
  get host(): string {
    const h = this.req.headers;
    return (this.http2 ? h[':authority'] ?? h.host : h.host) as string | undefined ?? '';
  }
}
