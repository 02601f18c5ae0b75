/**
 * ListenerRuntime: one listener's socket and server for as long as its bind key (protocol,
 * address, port) stays the same. Configuration changes swap one reference — new
 * connections and requests see the new configuration, those in flight keep the one they
 * started with (E16). Removal stops accepting and drains up to a deadline.
 */
import type { Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { ListenerApplyError } from '../errors.ts';
import { tlsFailureReason, type EngineMetrics } from '../observability/metrics.ts';
import { requestsInFlight } from '../proxy/connection-facts.ts';
import { handleRequest, handleStream, type ListenerServices } from '../proxy/request-pipeline.ts';
import { handleUpgrade } from '../proxy/websocket-upgrade.ts';
import type { AccessLogRecord } from '../types.ts';
import { useServerContext } from '../tls/server-context.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import type { Http1Front } from '../http1/http1-front.ts';
import { applyHttpSettings, createFrontServer, isHttp2Session, type FrontServer } from './front-server.ts';
import { bindKeyOf, type ListenerConfig } from './listener-config.ts';

/** DRAIN_POLL_MS is how often a draining listener closes connections that have become idle. */
const DRAIN_POLL_MS = 50;

/** ListenerRuntimeOptions are the engine-wide settings a runtime needs. */
export interface ListenerRuntimeOptions {
  /** The engine's access-log sink (E18). */
  accessLog?: ((record: AccessLogRecord) => void) | undefined;
  /** The engine's metrics (E18). */
  metrics?: EngineMetrics | undefined;
  /** E17's request-head deadline, ms (tests shorten it). */
  headersTimeoutMs?: number | undefined;
  /** Bind with SO_REUSEPORT, so that engines in several workers accept on the same port (EngineOptions.reusePort). */
  reusePort?: boolean | undefined;
  /** The Alt-Svc value of a running QUIC listener (ListenerServices.altSvc). */
  altSvc?: ((quicListenerId: string) => string | undefined) | undefined;
}

/** ListenerRuntime owns one listener's listening socket, server and connections. */
export class ListenerRuntime {
  /** reusePort: the socket is bound with SO_REUSEPORT (ListenerRuntimeOptions.reusePort). */
  private readonly reusePort: boolean;
  readonly id: string;
  readonly bindKey: string;
  private configRef: ListenerConfig;
  private readonly server: FrontServer;
  private readonly http1: Http1Front;
  private readonly connections = new ConnectionRegistry();
  private starting: Promise<void> | undefined;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private draining = false;
  private drainEnd = Number.POSITIVE_INFINITY;
  private boundPort = 0;

  constructor(config: ListenerConfig, options: ListenerRuntimeOptions) {
    this.id = config.listener.id;
    this.reusePort = options.reusePort === true;
    this.bindKey = bindKeyOf(config);
    this.configRef = config;
    const metrics = options.metrics?.listener(this.id);
    const services: ListenerServices = { accessLog: options.accessLog, metrics, altSvc: options.altSvc };
    const front = createFrontServer(
      config,
      {
        current: () => this.configRef,
        // The handlers never throw by design; should one ever do, its connection goes, not the process.
        onRequest: (req, res) => {
          // A draining HTTP/1 connection finishes its request, then closes.
          if (this.draining) res.shouldKeepAlive = false;
          try {
            handleRequest(this.configRef, req, res, services);
          } catch {
            req.socket.destroy();
          }
        },
        onStream: (stream, headers, rawHeaders) => {
          try {
            handleStream(this.configRef, stream, headers, rawHeaders, services);
          } catch {
            stream.destroy();
          }
        },
        onUpgrade: (req, socket, head) => {
          try {
            handleUpgrade(this.configRef, req, socket, head, services);
          } catch {
            socket.destroy();
          }
        },
        onIdle: closeIfIdle,
      },
      { headersTimeoutMs: options.headersTimeoutMs },
    );
    this.server = front.server;
    this.http1 = front.http1;
    this.server.on('connection', (socket: Socket) => {
      this.connections.track(socket);
      if (metrics !== undefined) {
        metrics.connectionOpened();
        socket.once('close', () => metrics.connectionClosed());
      }
    });
    if (metrics !== undefined && config.tls !== undefined) {
      this.server.on('tlsClientError', (err: Error, socket: TLSSocket) => metrics.tlsHandshakeFailed(tlsFailureReason(err, socket)));
    }
  }

  /** config is the configuration new connections and requests get. */
  get config(): ListenerConfig {
    return this.configRef;
  }

  /** port is the bound port (the configured one, or the one the system chose for port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** openConnections is the number of client connections open right now. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** start binds the socket; ListenerApplyError says why it could not. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.bind();
    return this.starting;
  }

  private bind(): Promise<void> {
    const { address } = this.configRef;
    const { port } = this.configRef.listener;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        reject(new ListenerApplyError(bindFailureReason(err, address, port), { cause: err }));
      };
      const onListening = () => {
        this.server.off('error', onError);
        // Errors after binding (accept failures) must not crash the process; connections carry on.
        this.server.on('error', () => {});
        const bound = this.server.address();
        this.boundPort = typeof bound === 'object' && bound ? bound.port : port;
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ host: address, port, exclusive: true, reusePort: this.reusePort });
    });
  }

  /**
   * update swaps in a new configuration with the same bind key. TLS inputs that changed switch
   * the server to another shared context, which has its own ticket keys and session-id
   * context, so no session resumes across the change; everything else is read per handshake
   * or per request from the new reference.
   */
  update(next: ListenerConfig): void {
    if (bindKeyOf(next) !== this.bindKey) throw new Error(`listener ${this.id}: update cannot change the socket`);
    const before = this.configRef;
    const tls = next.tls;
    if (tls && tls.serverContext !== before.tls?.serverContext) {
      const server = this.server as Http2SecureServer & { requestCert: boolean; rejectUnauthorized: boolean };
      useServerContext(server, tls.serverContext);
      server.requestCert = tls.requireClientCertificate;
      server.rejectUnauthorized = true;
    }
    this.configRef = next;
    applyHttpSettings(this.server, next);
  }

  /** stopAccepting closes the listening socket so its port is free; open connections carry on. Idempotent. */
  stopAccepting(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.server.listening) this.server.close();
  }

  /**
   * close stops accepting, lets requests in flight finish for up to `deadlineMs`, closing
   * each connection as it goes idle, then ends whatever is left. Idempotent; a later call with
   * an earlier deadline (the engine closing) brings the end forward.
   */
  close(deadlineMs: number): Promise<void> {
    this.drainEnd = Math.min(this.drainEnd, Date.now() + deadlineMs);
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    this.stopAccepting();
    while (this.connections.size > 0) {
      const left = this.drainEnd - Date.now();
      if (left <= 0) break;
      this.http1.closeIdle();
      await sleep(Math.min(DRAIN_POLL_MS, left));
    }
    this.connections.destroyAll();
  }
}

/**
 * closeIfIdle is the idle timeout (E7): an HTTP/1 socket or HTTP/2 session that saw no traffic
 * for idleTimeout is closed unless a request on it is still in flight (a slow backend is the
 * request timeout's business, not the idle timeout's).
 */
function closeIfIdle(target: object): void {
  if (requestsInFlight(target) > 0) return;
  if (isHttp2Session(target)) {
    // GOAWAY, then the session ends by itself since no stream is open.
    target.close();
  } else {
    (target as Socket).destroy();
  }
}

/** bindFailureReason explains a failed bind in the words of SPEC's statusReason. */
export function bindFailureReason(err: NodeJS.ErrnoException, address: string, port: number): string {
  const where = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use on ${address} (${where} is taken by another process)`;
    case 'EACCES':
      return `permission denied binding ${where}`;
    case 'EADDRNOTAVAIL':
      return `address ${address} is not available on this host`;
    default:
      return `cannot bind ${where}: ${err.message}`;
  }
}
