/**
 * ConnectionFacts: what the pipeline knows about one client connection — peer address and
 * port, TLS version and cipher, client certificate, requests in flight. They are
 * captured once, when the connection is set up (the server's 'connection' event for HTTP,
 * 'secureConnection' for HTTPS), and kept on the objects that own the connection: the socket,
 * and for HTTP/2 also the session. Nothing on the request path reads them from a socket later:
 * an HTTP/2 session's socket is unbound (every property read throws ERR_HTTP2_SOCKET_UNBOUND)
 * as soon as the session is destroyed, and a closed net.Socket forgets its peer — yet streams
 * and responses still close, finish and write their access-log line after that.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientCertInfo } from '../headers/client-cert.ts';
import { tlsFacts, type TlsFacts } from '../observability/access-log.ts';
import { connectionClientCert } from '../tls/connection-client-cert.ts';

const kFacts = Symbol('gatehouse.connectionFacts');

/** ConnectionOwner is the object facts are kept on: a client socket or an HTTP/2 session. */
export type ConnectionOwner = object & { [kFacts]?: ConnectionFacts };

/** ConnectionGuard is told about the connection's requests (the HTTP/2 flood accounting). */
export interface ConnectionGuard {
  /** A stream closed before its response was complete (a client reset, or a cut). */
  streamCancelled(): void;
}

/** ConnectionFacts describes one client connection. */
export class ConnectionFacts {
  /** The TCP peer address and port, as the socket reported them at setup. */
  readonly ip: string;
  readonly port: number;
  /** TLS version and cipher (HTTPS), undefined on HTTP. */
  readonly tlsFacts: TlsFacts | undefined;
  /** The client certificate (mutual TLS), undefined on HTTP or without one. */
  readonly clientCert: ClientCertInfo | undefined;
  /** Requests on this connection whose response has not finished (the idle timeout spares the connection while > 0). */
  inFlight = 0;
  /** The HTTP/2 session's guard, when the connection is an HTTP/2 session. */
  guard: ConnectionGuard | undefined = undefined;
  /**
   * The client socket, kept only to close it (an HTTP/2 session's own socket property is a proxy
   * that refuses destroy()); facts are never read from it after setup.
   */
  readonly transport: Socket | undefined;
  /** Bytes moved either way when the idle timeout last spared the connection, and when (front-server's stall check); -1: not spared. */
  sparedBytes = -1;
  sparedAt = 0;

  constructor(ip: string, port: number, tls: TlsFacts | undefined, clientCert: ClientCertInfo | undefined, transport?: Socket) {
    this.transport = transport;
    this.ip = ip;
    this.port = port;
    this.tlsFacts = tls;
    this.clientCert = clientCert;
  }
}

/** UNKNOWN_IP stands in when a connection was gone before anything could be read from it. */
const UNKNOWN_IP = '';

/**
 * captureConnectionFacts reads everything a log line, metric or forwarded header will need from
 * a freshly set-up connection and keeps it on the socket. `secure` reads the TLS side, the
 * client certificate included (only mutual-TLS listeners ask for one, so elsewhere that read
 * finds none). Never throws: a socket that is already gone yields empty facts.
 */
export function captureConnectionFacts(socket: Socket, secure: boolean): ConnectionFacts {
  const owner = socket as ConnectionOwner;
  const known = owner[kFacts];
  if (known !== undefined) return known;
  let facts: ConnectionFacts;
  try {
    if (secure) {
      const tls = socket as TLSSocket;
      facts = new ConnectionFacts(socket.remoteAddress ?? UNKNOWN_IP, socket.remotePort ?? 0, tlsFacts(tls), connectionClientCert(tls), socket);
    } else {
      facts = new ConnectionFacts(socket.remoteAddress ?? UNKNOWN_IP, socket.remotePort ?? 0, undefined, undefined, socket);
    }
  } catch {
    facts = new ConnectionFacts(UNKNOWN_IP, 0, undefined, undefined, undefined);
  }
  owner[kFacts] = facts;
  return facts;
}

/**
 * adoptConnectionFacts gives an HTTP/2 session the facts of its socket, while the socket is still
 * bound to it (the server's 'session' event), so streams never need the socket.
 */
export function adoptConnectionFacts(session: object, socket: Socket, secure: boolean): ConnectionFacts {
  const facts = captureConnectionFacts(socket, secure);
  (session as ConnectionOwner)[kFacts] = facts;
  return facts;
}

/** attachConnectionFacts keeps facts gathered by a transport of its own (a QUIC connection) on `owner`. */
export function attachConnectionFacts(owner: object, facts: ConnectionFacts): ConnectionFacts {
  (owner as ConnectionOwner)[kFacts] = facts;
  return facts;
}

/** factsOf returns the facts kept on `owner`, or undefined when none were captured. */
export function factsOf(owner: object | undefined): ConnectionFacts | undefined {
  return owner === undefined ? undefined : (owner as ConnectionOwner)[kFacts];
}

/**
 * connectionFacts returns the facts kept on `owner`; when none were captured (a connection
 * that reached the pipeline without passing the server's setup events), they are captured
 * from `socket` now, without throwing.
 */
export function connectionFacts(owner: ConnectionOwner, socket: Socket | undefined, secure: boolean): ConnectionFacts {
  let facts = owner[kFacts];
  if (facts === undefined) {
    facts = socket === undefined ? new ConnectionFacts(UNKNOWN_IP, 0, undefined, undefined) : captureConnectionFacts(socket, secure);
    owner[kFacts] = facts;
  }
  return facts;
}

/** requestsInFlight is the number of unfinished requests on a connection (0 when none ever came). */
export function requestsInFlight(owner: ConnectionOwner): number {
  return owner[kFacts]?.inFlight ?? 0;
}
