/**
 * BackendPool: the keep-alive connections to one backend (E6), shared by every server group
 * that lists the same protocol, address and port, so that a group change does not drop warm
 * connections. HTTP/1.1 exchanges reuse idle connections (most recently used first); HTTP/1.0
 * exchanges get a connection of their own. Closing lets in-flight exchanges finish until a
 * deadline (connection drain) and then cuts what is left.
 */
import { isIP } from 'node:net';
import type { ConnectionPool } from './connection-pool.ts';
import type { UpstreamClock } from './upstream-clock.ts';
import { UpstreamConnection } from './upstream-connection.ts';
import { UpstreamError, type UpstreamExchange } from './upstream-exchange.ts';

/** MAX_IDLE_CONNECTIONS bounds the idle connections kept per backend; extra ones are closed. */
export const MAX_IDLE_CONNECTIONS = 512;

/** backendPoolKey identifies the pool for a protocol, address and port. */
export function backendPoolKey(protocol: 'HTTP' | 'HTTPS', address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}

/** BackendPool owns the connections to one backend. */
export class BackendPool implements ConnectionPool<UpstreamConnection> {
  readonly key: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly address: string;
  readonly port: number;
  /** `address:port`, IPv6 in brackets. */
  readonly label: string;
  /** TLS server name for HTTPS backends reached by name (IP literals send none). */
  readonly servername: string | undefined;
  readonly clock: UpstreamClock;
  /** The last TLS session the backend issued, offered by the next connection. */
  tlsSession: Buffer | undefined = undefined;
  private readonly idle: UpstreamConnection[] = [];
  private readonly connections = new Set<UpstreamConnection>();
  private closingAt = Number.POSITIVE_INFINITY;
  private closing: Promise<void> | undefined;
  private closed: (() => void) | undefined;
  private cutTimer: NodeJS.Timeout | undefined;

  constructor(protocol: 'HTTP' | 'HTTPS', address: string, port: number, clock: UpstreamClock) {
    this.key = backendPoolKey(protocol, address, port);
    this.protocol = protocol;
    this.address = address;
    this.port = port;
    this.clock = clock;
    const family = isIP(address);
    this.label = `${family === 6 ? `[${address}]` : address}:${port}`;
    this.servername = protocol === 'HTTPS' && family === 0 ? address : undefined;
  }

  /** size is the number of open connections (busy and idle). */
  get size(): number {
    return this.connections.size;
  }

  /** idleCount is the number of idle keep-alive connections. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** dispatch sends an exchange on an idle connection or a new one; a closing pool fails it (502). */
  dispatch(ex: UpstreamExchange): void {
    if (this.closing !== undefined) {
      ex.onUpstreamError(new UpstreamError('POOL_CLOSED', `the pool for ${this.label} is closed`));
      return;
    }
    if (!ex.upstreamHttp10) {
      const now = this.clock.now;
      while (this.idle.length > 0) {
        const conn = this.idle.pop()!;
        if (conn.usable(now)) {
          conn.assign(ex);
          return;
        }
        conn.destroy();
      }
    }
    this.open().assign(ex);
  }

  /** retry sends an exchange again on a fresh connection (a reused one had been closed by the backend). */
  retry(ex: UpstreamExchange): void {
    if (this.closing !== undefined) {
      ex.onUpstreamError(new UpstreamError('POOL_CLOSED', `the pool for ${this.label} is closed`));
      return;
    }
    this.open().assign(ex);
  }

  /** release takes back a connection whose response is complete. */
  release(conn: UpstreamConnection): void {
    if (this.closing !== undefined || this.idle.length >= MAX_IDLE_CONNECTIONS) {
      conn.destroy();
      return;
    }
    conn.idleSince = this.clock.now;
    this.idle.push(conn);
  }

  /** forget removes a closed connection. */
  forget(conn: UpstreamConnection): void {
    if (!this.connections.delete(conn)) return;
    const at = this.idle.lastIndexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
    if (this.connections.size === 0) {
      this.clock.unwatch(this);
      this.closed?.();
    }
  }

  /** sweep enforces deadlines and keep-alive limits (called by the clock). */
  sweep(now: number): void {
    for (const conn of this.connections) conn.sweep(now);
  }

  /**
   * close refuses new exchanges, closes idle connections, lets busy ones finish and cuts
   * whatever is still open after `deadlineMs`. Idempotent; a later call with an earlier
   * deadline brings the cut forward.
   */
  close(deadlineMs: number): Promise<void> {
    const at = Date.now() + Math.max(0, deadlineMs);
    // A pool with no connection closes at once: no cut to schedule (a prepared group let go never had one).
    if (at < this.closingAt && this.connections.size > 0) {
      this.closingAt = at;
      clearTimeout(this.cutTimer);
      this.cutTimer = setTimeout(() => this.destroyAll(), Math.max(0, deadlineMs));
      this.cutTimer.unref();
    }
    this.closing ??= new Promise<void>((resolve) => {
      this.closed = () => {
        clearTimeout(this.cutTimer);
        resolve();
      };
      for (const conn of this.idle.splice(0)) conn.destroy();
      if (this.connections.size === 0) this.closed();
    });
    return this.closing;
  }

  private destroyAll(): void {
    for (const conn of this.connections) conn.destroy();
  }

  private open(): UpstreamConnection {
    if (this.connections.size === 0) this.clock.watch(this);
    const conn = new UpstreamConnection(this, this.clock.now);
    this.connections.add(conn);
    return conn;
  }
}
