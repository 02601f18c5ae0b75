/**
 * The server object behind one listener's socket. HTTP listeners get an `http.Server`; HTTPS
 * listeners get one HTTP/2-capable TLS server that also serves HTTP/1.1 (ALPN decides per
 * connection, E4), so that no configuration change of an HTTPS listener ever needs a new
 * server or socket. Every TLS decision reads the listener's current configuration through
 * `current()` at handshake time.
 *
 * Limits (E17) are the limits module's: node's parser bounds and timeouts, `clientError`
 * answered with 400/408/414/431 and the connection closed, HTTP/2 streams and header lists
 * bounded. Idle connections (E7): the server's socket/session timeout is the listener's
 * idleTimeout, and the `timeout` hook decides — a connection with a request in flight is
 * spared, any other is closed (node's keep-alive timer uses the same value, without its
 * extra second of grace).
 *
 * Connection facts (peer, TLS, client certificate) are captured here, as each connection
 * is set up, and kept with it (proxy/connection-facts.ts); HTTP/2 sessions get a guard against
 * floods (limits/http2-guard.ts). A connection whose client stopped taking bytes is not spared
 * by the idle timeout for its requests in flight: see `onSocketTimeout` and `onSessionTimeout`.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { constants as h2, createSecureServer, type Http2SecureServer, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { closeSession, HTTP2_SESSION_OPTIONS, Http2SessionGuards } from '../limits/http2-guard.ts';
import { adoptConnectionFacts, captureConnectionFacts, factsOf, requestsInFlight } from '../proxy/connection-facts.ts';
import { answerClientError, answerConnect, applyHttpLimits, HTTP2_LIMIT_SETTINGS, httpLimitOptions } from '../limits/server-limits.ts';
import { selectAlpn } from '../tls/alpn.ts';
import { useServerContext } from '../tls/server-context.ts';
import type { FrontRequest } from '../proxy/front-types.ts';
import { isWebSocketUpgrade } from '../websocket/relay.ts';
import type { ListenerConfig } from './listener-config.ts';

/** HTTP2_MAX_CONCURRENT_STREAMS is E17's per-connection stream limit. */
export const HTTP2_MAX_CONCURRENT_STREAMS = HTTP2_LIMIT_SETTINGS.settings.maxConcurrentStreams;

/**
 * TLS_HANDSHAKE_TIMEOUT_MS bounds a handshake like E17 bounds the request head (10 s), instead
 * of node's 120 s, so idle half-open TLS connections cannot pile up.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** FrontServer is the server object of one listener. */
export type FrontServer = HttpServer | Http2SecureServer;

/** FrontServerHooks connect a server to its runtime. */
export interface FrontServerHooks {
  /** The listener's configuration right now. */
  current(): ListenerConfig;
  /** An HTTP/1.x request. */
  onRequest(req: FrontRequest, res: ServerResponse): void;
  /** An HTTP/2 stream (a request), with its fields as an object and as the flat list received. */
  onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): void;
  /** A WebSocket upgrade request (E13); other upgrades are served as plain requests. */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
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

/**
 * wantsWebSocket is the upgrade filter: only HTTP/1.1 WebSocket upgrades leave the HTTP server;
 * an `Upgrade` field in any other request is served as a plain request without it.
 */
function wantsWebSocket(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && isWebSocketUpgrade(req.method, req.headers.upgrade);
}

/** createFrontServer builds the (not yet listening) server for a listener's first configuration. */
export function createFrontServer(config: ListenerConfig, hooks: FrontServerHooks, options: FrontServerOptions = {}): FrontServer {
  const onRequest = (req: FrontRequest, res: ServerResponse) => hooks.onRequest(req, res);
  const limits = httpLimitOptions(options.headersTimeoutMs);
  // A request without Content-Length or Transfer-Encoding has no body: node then skips the
  // body stream's life cycle (about 15 % of the allocations of a proxied GET).
  const http1 = { ...limits, optimizeEmptyRequests: true };
  const tls = config.tls;
  let server: FrontServer;
  if (!tls) {
    server = createHttpServer({ ...http1, keepAliveTimeoutBuffer: 0, shouldUpgradeCallback: wantsWebSocket }, onRequest);
    server.prependListener('connection', (socket: Socket) => captureConnectionFacts(socket, false));
    finishSetup(server, config, hooks, limits);
    return server;
  }
  // No certificate or policy options here: the server gets the listener's shared context below
  // instead of building its own from PEM.
  server = createSecureServer(
    {
      ...http1,
      ...HTTP2_SESSION_OPTIONS,
      allowHTTP1: true,
      maxHeaderListPairs: HTTP2_LIMIT_SETTINGS.maxHeaderListPairs,
      settings: { ...HTTP2_LIMIT_SETTINGS.settings },
      requestCert: tls.requireClientCertificate,
      rejectUnauthorized: true,
      handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      ALPNCallback: ({ protocols }) => selectAlpn(protocols, hooks.current().tls?.http2Enabled ?? false),
      SNICallback: (servername, callback) => callback(null, hooks.current().tls?.sni.lookup(servername)),
    },
  );
  // HTTP/1.1 connections of this server emit 'request'. Adding a 'request' listener also turns on
  // node's compatibility mode for HTTP/2 — a 'stream' listener wrapping every stream in
  // request/response objects — which the engine replaces with its own stream handler.
  server.on('request', onRequest as never);
  for (const listener of server.listeners('stream')) server.off('stream', listener as never);
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => hooks.onStream(stream, headers, rawHeaders));
  useServerContext(server, tls.serverContext);
  // Facts first, before node's own 'secureConnection' listener builds the HTTP/2 session or the
  // HTTP/1.1 parser on the socket.
  server.prependListener('secureConnection', (socket: Socket) => captureConnectionFacts(socket, true));
  const guards = new Http2SessionGuards();
  server.on('session', (session: Http2Session) => {
    // The socket is bound to the session during this event; later it may not be.
    const facts = adoptConnectionFacts(session, session.socket, true);
    guards.attach(session, facts);
    session.on('timeout', () => onSessionTimeout(session, hooks));
  });
  server.once('close', () => guards.stop());
  // The HTTP/2 server decides upgrades of its HTTP/1.1 connections the same way.
  (server as unknown as { shouldUpgradeCallback: typeof wantsWebSocket }).shouldUpgradeCallback = wantsWebSocket;
  finishSetup(server, config, hooks, limits);
  return server;
}

function finishSetup(server: FrontServer, config: ListenerConfig, hooks: FrontServerHooks, limits: ReturnType<typeof httpLimitOptions>): void {
  applyHttpLimits(server as HttpServer, limits);
  // Close at idleTimeout exactly, not a second later (node's default grace).
  (server as HttpServer).keepAliveTimeoutBuffer = 0;
  // Http2SecureServer's typings omit 'clientError' and 'upgrade', which it emits for its HTTP/1.1 connections.
  const events = server as unknown as HttpServer;
  events.on('clientError', answerClientError);
  events.on('connect', answerConnect);
  // Expectations other than 100-continue: the pipeline refuses them itself (417 that closes the
  // connection, SPEC 2.1) instead of node's 417 that keeps it open.
  events.on('checkExpectation', (req: FrontRequest, res: ServerResponse) => hooks.onRequest(req, res));
  events.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => hooks.onUpgrade(req, socket, head));
  // HTTP/1 sockets reach the idle hook through the server's 'timeout'; HTTP/2 sessions through
  // their own, because node subscribes the server's handler to a session's first timeout only.
  server.on('timeout', (target: object) => {
    if (!isHttp2Session(target)) onSocketTimeout(target as Socket, hooks);
  });
  applyHttpSettings(server, config);
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
  (server as HttpServer).keepAliveTimeout = config.idleTimeoutMs;
  (server as HttpServer).timeout = config.idleTimeoutMs;
}
