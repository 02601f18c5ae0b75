/**
 * Http1Front: the HTTP/1.x side of one listener's server — every HTTP connection, and every
 * HTTPS connection whose ALPN did not choose h2, is served by an Http1Connection registered
 * here. One sweep per front (every second, or the head deadline when shorter) enforces the
 * deadlines of E17: a head not complete within the head deadline, a body not complete within
 * REQUEST_BODY_TIMEOUT_MS; idle connections (E7) use the socket's own inactivity timer.
 */
import type { Socket } from 'node:net';
import { CONNECTIONS_CHECKING_INTERVAL_MS, HEADERS_TIMEOUT_MS, REQUEST_BODY_TIMEOUT_MS } from '../limits/server-limits.ts';
import { Http1Connection, type ConnectionHooks } from './http1-connection.ts';
import type { Http1Request } from './http1-request.ts';
import { DateCache, type Http1Response } from './http1-response.ts';

/** Http1FrontHooks connect the front to its listener runtime. */
export interface Http1FrontHooks {
  onRequest(req: Http1Request, res: Http1Response): void;
  onUpgrade(req: Http1Request, socket: Socket, head: Buffer): void;
  /** The listener's idle timeout now, ms. */
  idleTimeoutMs(): number;
  /** A connection saw no traffic for idleTimeout (the socket's 'timeout'). */
  onSocketTimeout(socket: Socket): void;
}

/** Http1Front serves HTTP/1.x connections for one listener. */
export class Http1Front {
  private readonly connections = new Set<Http1Connection>();
  private readonly hooks: Http1FrontHooks;
  private readonly connectionHooks: ConnectionHooks;
  private readonly headersTimeoutMs: number;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly dates = new DateCache();

  constructor(hooks: Http1FrontHooks, headersTimeoutMs = HEADERS_TIMEOUT_MS) {
    this.hooks = hooks;
    this.headersTimeoutMs = headersTimeoutMs;
    this.connectionHooks = {
      onRequest: (req, res) => hooks.onRequest(req, res),
      onUpgrade: (req, socket, head) => hooks.onUpgrade(req, socket, head),
      idleTimeoutMs: () => hooks.idleTimeoutMs(),
      httpDate: () => this.dates.now(),
      onClosed: (connection) => this.connections.delete(connection),
    };
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(CONNECTIONS_CHECKING_INTERVAL_MS, headersTimeoutMs));
    this.sweepTimer.unref();
  }

  /** size is the number of HTTP/1.x connections open. */
  get size(): number {
    return this.connections.size;
  }

  /** serve takes a connected (for HTTPS: handshaken) socket. */
  serve(socket: Socket): void {
    if (socket.destroyed) return;
    socket.setNoDelay(true);
    socket.setTimeout(this.hooks.idleTimeoutMs());
    socket.on('timeout', () => this.hooks.onSocketTimeout(socket));
    this.connections.add(new Http1Connection(socket, this.connectionHooks));
  }

  /** closeIdle closes every connection with nothing in progress (a draining listener). */
  closeIdle(): void {
    for (const connection of this.connections) if (connection.idle) connection.socket.destroy();
  }

  /** stop ends the sweep (the server closed). */
  stop(): void {
    clearInterval(this.sweepTimer);
  }

  /** sweep answers heads and bodies past their deadlines (408). */
  private sweep(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      if (connection.readingHead && now - connection.headStartedAt >= this.headersTimeoutMs) connection.refuse(408);
      else if (connection.readingBody && now - connection.bodyStartedAt >= REQUEST_BODY_TIMEOUT_MS) connection.failBody(408);
    }
  }
}
