/**
 * ConnectionFacts: what the pipeline knows about one client connection — peer address and
 * port, TLS details, requests in flight — computed on its first request and kept with it (the
 * HTTP/1 socket, or the HTTP/2 session), so later requests on the connection read fields
 * instead of asking the socket again.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientCertInfo } from '../headers/client-cert.ts';
import { tlsFacts, type TlsFacts } from '../observability/access-log.ts';
import { connectionClientCert } from '../tls/connection-client-cert.ts';

const kFacts = Symbol('gatehouse.connectionFacts');

/** ConnectionOwner is the object facts are kept on: an HTTP/1 socket or an HTTP/2 session. */
export type ConnectionOwner = object & { [kFacts]?: ConnectionFacts };

/** ConnectionFacts describes one client connection. */
export class ConnectionFacts {
  /** The TCP peer address as reported by the socket. */
  readonly ip: string;
  readonly port: number;
  /** The TLS connection for HTTPS listeners. */
  readonly tlsSocket: TLSSocket | undefined;
  /** Requests on this connection whose response has not finished (the idle timeout spares the connection while > 0). */
  inFlight = 0;
  private cert: ClientCertInfo | null | undefined = undefined;
  private tls: TlsFacts | null | undefined = undefined;

  constructor(socket: Socket, secure: boolean) {
    this.ip = socket.remoteAddress ?? '';
    this.port = socket.remotePort ?? 0;
    this.tlsSocket = secure ? (socket as TLSSocket) : undefined;
  }

  /** clientCert is the connection's client certificate (mutual TLS), undefined on HTTP or without one. */
  get clientCert(): ClientCertInfo | undefined {
    if (this.cert === undefined) this.cert = this.tlsSocket === undefined ? null : connectionClientCert(this.tlsSocket) ?? null;
    return this.cert ?? undefined;
  }

  /** tlsFacts is the connection's TLS version and cipher, undefined on HTTP. */
  get tlsFacts(): TlsFacts | undefined {
    if (this.tls === undefined) this.tls = this.tlsSocket === undefined ? null : tlsFacts(this.tlsSocket) ?? null;
    return this.tls ?? undefined;
  }
}

/** connectionFacts returns the facts kept on `owner`, creating them from `socket` on first use. */
export function connectionFacts(owner: ConnectionOwner, socket: Socket, secure: boolean): ConnectionFacts {
  return (owner[kFacts] ??= new ConnectionFacts(socket, secure));
}

/** requestsInFlight is the number of unfinished requests on a connection (0 when none ever came). */
export function requestsInFlight(owner: ConnectionOwner): number {
  return owner[kFacts]?.inFlight ?? 0;
}
