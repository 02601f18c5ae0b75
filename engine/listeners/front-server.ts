/**
 * The server object behind one listener's socket. HTTP listeners get an `http.Server`; HTTPS
 * listeners get one HTTP/2-capable TLS server that also serves HTTP/1.1 (ALPN decides per
 * connection, E4), so that no configuration change of an HTTPS listener ever needs a new
 * server or socket. Every TLS decision reads the listener's current configuration through
 * `current()` at handshake time.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { selectAlpn } from '../tls/alpn.ts';
import { useServerContext } from '../tls/server-context.ts';
import type { FrontRequest, FrontResponse } from '../proxy/exchange.ts';
import type { ListenerConfig } from './listener-config.ts';

/** HTTP2_MAX_CONCURRENT_STREAMS is E17's per-connection stream limit. */
export const HTTP2_MAX_CONCURRENT_STREAMS = 128;

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
  onRequest(req: FrontRequest, res: FrontResponse): void;
}

/** createFrontServer builds the (not yet listening) server for a listener's first configuration. */
export function createFrontServer(config: ListenerConfig, hooks: FrontServerHooks): FrontServer {
  const onRequest = (req: FrontRequest, res: FrontResponse) => hooks.onRequest(req, res);
  const tls = config.tls;
  if (!tls) {
    const server = createHttpServer(onRequest);
    applyHttpSettings(server, config);
    return server;
  }
  // No certificate or policy options here: the server gets the listener's shared context below
  // instead of building its own from PEM.
  const server = createSecureServer(
    {
      allowHTTP1: true,
      settings: { maxConcurrentStreams: HTTP2_MAX_CONCURRENT_STREAMS },
      requestCert: tls.requireClientCertificate,
      rejectUnauthorized: true,
      handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      ALPNCallback: ({ protocols }) => selectAlpn(protocols, hooks.current().tls?.http2Enabled ?? false),
      SNICallback: (servername, callback) => callback(null, hooks.current().tls?.sni.lookup(servername)),
    },
    onRequest,
  );
  useServerContext(server, tls.serverContext);
  applyHttpSettings(server, config);
  return server;
}

/**
 * applyHttpSettings sets the per-connection HTTP/1.x settings that follow the configuration;
 * they are read when a connection starts or goes idle, so changes reach new connections.
 */
export function applyHttpSettings(server: FrontServer, config: ListenerConfig): void {
  (server as HttpServer).keepAliveTimeout = config.idleTimeoutMs;
}
