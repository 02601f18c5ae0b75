/**
 * BackendPool: the keep-alive connection pool to one backend (E6), shared by every server
 * group that lists the same protocol, address and port, so that a group change does not
 * drop warm connections.
 */
import { isIP } from 'node:net';
import { Pool } from 'undici';

/** BACKEND_KEEP_ALIVE_MS keeps idle upstream connections a little under common backend idle limits (5 s). */
const BACKEND_KEEP_ALIVE_MS = 4_000;
/** BACKEND_CONNECT_TIMEOUT_MS bounds the TCP (and TLS) connect to a backend; beyond it the client gets 502. */
const BACKEND_CONNECT_TIMEOUT_MS = 5_000;

/** BackendPoolKey identifies the pool for a protocol, address and port. */
export function backendPoolKey(protocol: 'HTTP' | 'HTTPS', address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}

/** BackendPool wraps one undici Pool with the identity and retirement the engine needs. */
export class BackendPool {
  readonly key: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly address: string;
  readonly port: number;
  /** `address:port`, IPv6 in brackets. */
  readonly label: string;
  /** The origin URL undici connects to. */
  readonly origin: string;
  readonly dispatcher: Pool;
  private closing: Promise<void> | undefined;
  private destroyAt = Number.POSITIVE_INFINITY;
  private destroyTimer: NodeJS.Timeout | undefined;
  private destroying: Promise<void> | undefined;
  private markDestroyed: (() => void) | undefined;

  constructor(protocol: 'HTTP' | 'HTTPS', address: string, port: number) {
    this.key = backendPoolKey(protocol, address, port);
    this.protocol = protocol;
    this.address = address;
    this.port = port;
    const host = isIP(address) === 6 ? `[${address}]` : address;
    this.label = `${host}:${port}`;
    this.origin = `${protocol === 'HTTPS' ? 'https' : 'http'}://${this.label}`;
    this.dispatcher = new Pool(this.origin, {
      connections: null,
      pipelining: 1,
      keepAliveTimeout: BACKEND_KEEP_ALIVE_MS,
      connect: {
        timeout: BACKEND_CONNECT_TIMEOUT_MS,
        // Backends behind a load balancer commonly use self-signed certificates; like the
        // cloud ALB, the engine encrypts to them without verifying their identity.
        ...(protocol === 'HTTPS' ? { rejectUnauthorized: false, ...(isIP(address) ? {} : { servername: address }) } : {}),
      },
    });
  }

  /**
   * close lets requests already sent finish, refuses new ones, and destroys whatever is
   * still open after `deadlineMs`. Idempotent; a later call with an earlier deadline
   * brings the destruction forward.
   */
  close(deadlineMs: number): Promise<void> {
    const at = Date.now() + deadlineMs;
    if (at < this.destroyAt) {
      this.destroyAt = at;
      clearTimeout(this.destroyTimer);
      this.destroyTimer = setTimeout(() => this.destroyNow(), Math.max(0, deadlineMs));
      this.destroyTimer.unref();
    }
    this.closing ??= Promise.race([
      this.dispatcher.close(),
      new Promise<void>((resolve) => {
        this.markDestroyed = resolve;
      }),
    ]).finally(() => clearTimeout(this.destroyTimer));
    return this.closing;
  }

  private destroyNow(): void {
    this.destroying ??= this.dispatcher.destroy().finally(() => this.markDestroyed?.());
  }
}
