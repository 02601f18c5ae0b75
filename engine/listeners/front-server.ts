/**
 * The server object behind one listener's socket. HTTP listeners get a TCP server whose
 * connections the engine's own HTTP/1.x front serves (http1/); HTTPS listeners get one
 * HTTP/2-capable TLS server: ALPN decides per connection (E4) between node's HTTP/2 session and
 * the same HTTP/1.x front, so that no configuration change of an HTTPS listener ever needs a
 * new server or socket. Every TLS decision reads the listener's current configuration through
 * `current()` at handshake time.
 *
 * Limits (E17): HTTP/1.x heads, bodies and their deadlines are the front's (http1/); HTTP/2
 * streams and header lists are bounded here. Idle connections (E7): an HTTP/1 socket's or an
 * HTTP/2 session's timeout is the listener's idleTimeout, and the `timeout` hook decides — a
 * connection with a request in flight is spared, any other is closed.
 *
 * Connection facts (peer, TLS, client certificate) are captured here, as each connection
 * is set up, and kept with it (proxy/connection-facts.ts); HTTP/2 sessions get a guard against
 * floods (limits/http2-guard.ts). A connection whose client stopped taking bytes is not spared
 * by the idle timeout for its requests in flight: see `onSocketTimeout` and `onSessionTimeout`.
 */
import { constants as h2, createSecureServer, type Http2SecureServer, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Http1Front } from '../http1/http1-front.ts';
import type { Http1Request } from '../http1/http1-request.ts';
import type { Http1Response } from '../http1/http1-response.ts';
import { closeSession, HTTP2_SESSION_OPTIONS, Http2SessionGuards } from '../limits/http2-guard.ts';
import { adoptConnectionFacts, captureConnectionFacts, factsOf, requestsInFlight } from '../proxy/connection-facts.ts';
import { HTTP2_LIMIT_SETTINGS } from '../limits/server-limits.ts';
import { selectAlpn } from '../tls/alpn.ts';
import { useServerContext } from '../tls/server-context.ts';
import type { ListenerConfig } from './listener-config.ts';

/** HTTP2_MAX_CONCURRENT_STREAMS is E17's per-connection stream limit. */
export const HTTP2_MAX_CONCURRENT_STREAMS = HTTP2_LIMIT_SETTINGS.settings.maxConcurrentStreams;

/**
 * TLS_HANDSHAKE_TIMEOUT_MS bounds a handshake like E17 bounds the request head (10 s), instead
 * of node's 120 s, so idle half-open TLS connections cannot pile up.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** FrontServer is the listening server of one listener: TCP for HTTP, TLS (with HTTP/2) for HTTPS. */
export type FrontServer = NetServer | Http2SecureServer;

/** Front is a listener's server and the HTTP/1.x side that serves its HTTP/1 connections. */
export interface Front {
  readonly server: FrontServer;
  readonly http1: Http1Front;
}

/** FrontServerHooks connect a server to its runtime. */
export interface FrontServerHooks {
  /** The listener's configuration right now. */
  current(): ListenerConfig;
  /** An HTTP/1.x request. */
  onRequest(req: Http1Request, res: Http1Response): void;
  /** An HTTP/2 stream (a request), with its fields as an object and as the flat list received. */
  onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void;
  /** A WebSocket upgrade request (E13); other upgrades are served as plain requests. */
  onUpgrade(req: Http1Request, socket: Socket, head: Buffer): void;
  /** A connection (HTTP/1 socket or HTTP/2 session) saw no traffic for idleTimeout. */
  onIdle(target: object): void;
}

/** FrontServerOptions are engine-wide server settings. */
export interface FrontServerOptions {
  /** E17's request-head deadline, ms (default 10 s; tests shorten it). */
  headersTimeoutMs?: number | undefined;
}

/** isHttp2Session tells an HTTP/2 session from an HTTP/1 socket in a 'timeout' event. */
export function isHttp2Session(target: object): target is Http2Session {
  return typeof (target as Partial<Http2Session>).goaway === 'function';
}

/** createFrontServer builds the (not yet listening) server for a listener's first configuration. */
export function createFrontServer(config: ListenerConfig, hooks: FrontServerHooks, options: FrontServerOptions = {}): Front {
  const http1 = new Http1Front(
    {
      onRequest: (req, res) => hooks.onRequest(req, res),
      onUpgrade: (req, socket, head) => hooks.onUpgrade(req, socket, head),
      idleTimeoutMs: () => hooks.current().idleTimeoutMs,
      onSocketTimeout: (socket) => onSocketTimeout(socket, hooks),
    },
    options.headersTimeoutMs,
  );
  const tls = config.tls;
  let server: FrontServer;
  if (!tls) {
    // Half-open: a client that ends its side after a request still gets the answer.
    server = createNetServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
      captureConnectionFacts(socket, false);
      http1.serve(socket);
    });
    server.once('close', () => http1.stop());
    return { server, http1 };
  }
  // No certificate or policy options here: the server gets the listener's shared context below
  // instead of building its own from PEM.
  const secure = createSecureServer({
    ...HTTP2_SESSION_OPTIONS,
    // Node answers clients that did not choose h2 only with this set; the engine's dispatch
    // below takes those connections before node's HTTP/1 server would.
    allowHTTP1: true,
    maxHeaderListPairs: HTTP2_LIMIT_SETTINGS.maxHeaderListPairs,
    settings: { ...HTTP2_LIMIT_SETTINGS.settings },
    requestCert: tls.requireClientCertificate,
    rejectUnauthorized: true,
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
    ALPNCallback: ({ protocols }) => selectAlpn(protocols, hooks.current().tls?.http2Enabled ?? false),
    SNICallback: (servername, callback) => callback(null, hooks.current().tls?.sni.lookup(servername)),
  });
  server = secure;
  // Node's own 'secureConnection' listener builds an HTTP/2 session, or for any other ALPN
  // outcome node's HTTP/1 server; the engine keeps it for h2 and serves HTTP/1.x itself.
  const sessionListeners = secure.listeners('secureConnection') as ((socket: Socket) => void)[];
  secure.removeAllListeners('secureConnection');
  secure.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => {
    // Facts first, while the socket is fresh and before an HTTP/2 session takes it.
    captureConnectionFacts(socket, true);
    if (socket.alpnProtocol === 'h2') {
      for (const listener of sessionListeners) listener.call(secure, socket);
      return;
    }
    socket.allowHalfOpen = true;
    http1.serve(socket);
  });
  secure.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => hooks.onStream(stream, headers, rawHeaders));
  useServerContext(secure, tls.serverContext);
  const guards = new Http2SessionGuards();
  secure.on('session', (session: Http2Session) => {
    // The socket is bound to the session during this event; later it may not be.
    const facts = adoptConnectionFacts(session, session.socket, true);
    guards.attach(session, facts);
    session.on('timeout', () => onSessionTimeout(session, hooks));
  });
  // Sessions reach the idle hook through their own 'timeout' (above): node hands a session's
  // first timeout to the server's listeners as well, which must exist.
  secure.on('timeout', () => {});
  secure.once('close', () => {
    guards.stop();
    http1.stop();
  });
  applyHttpSettings(secure, config);
  return { server, http1 };
}

/**
 * onSocketTimeout: an HTTP/1 socket saw no bytes move for idleTimeout. If response bytes are
 * still queued for the client, the client stopped reading: it is cut (a slow reader holds
 * nothing beyond the socket buffers for longer than idleTimeout). Otherwise the idle hook
 * decides (a request waiting for its backend spares the connection).
 */
function onSocketTimeout(socket: Socket, hooks: FrontServerHooks): void {
  if (socket.writableLength > 0 && !socket.destroyed) {
    socket.destroy();
    return;
  }
  hooks.onIdle(socket);
}

/**
 * onSessionTimeout: an HTTP/2 session saw no frames for idleTimeout. Without streams in flight
 * the idle hook closes it. With streams in flight it is spared — a backend may be slow, and
 * requestTimeout bounds that — but it is watched: the timer is re-armed, and when no byte has
 * moved either way for requestTimeout beyond the first idle period, every stream left is
 * waiting for a client that does not read (a backend that slow would have ended its stream
 * with a 504 or a cut by then), and the session is closed.
 */
function onSessionTimeout(session: Http2Session, hooks: FrontServerHooks): void {
  const facts = factsOf(session);
  if (session.destroyed || facts === undefined || requestsInFlight(session) === 0) {
    hooks.onIdle(session);
    return;
  }
  const config = hooks.current();
  const transport = facts.transport;
  const moved = transport === undefined ? 0 : transport.bytesRead + transport.bytesWritten;
  const now = performance.now();
  if (facts.sparedBytes !== moved) {
    facts.sparedBytes = moved;
    facts.sparedAt = now;
  } else if (now - facts.sparedAt >= config.requestTimeoutMs) {
    closeSession(session, transport, h2.NGHTTP2_NO_ERROR);
    return;
  }
  session.setTimeout(config.idleTimeoutMs);
}

/**
 * applyHttpSettings sets the per-connection settings that follow the configuration: the idle
 * timeout (E7) of HTTP/1 sockets and HTTP/2 sessions. They are read when a connection starts
 * or goes idle, so changes reach new connections.
 */
export function applyHttpSettings(server: FrontServer, config: ListenerConfig): void {
  // HTTP/2 sessions take the server's timeout when they start; HTTP/1 sockets read the
  // listener's configuration themselves when they connect (http1/http1-front.ts).
  (server as unknown as { timeout: number }).timeout = config.idleTimeoutMs;
}
