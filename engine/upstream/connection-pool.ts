/**
 * ConnectionPool: what an UpstreamConnection needs from the pool that owns it — where to
 * connect, the TLS session to resume, the clock that sweeps it, and where to go when its
 * response is complete or it closed. BackendPool implements it; the connection knows only this
 * contract, so the two modules do not import each other.
 */
import type { UpstreamClock } from './upstream-clock.ts';
import type { UpstreamExchange } from './upstream-exchange.ts';

/** ConnectionPool is the owner of connections of type `Conn`, seen from one of them. */
export interface ConnectionPool<Conn> {
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly address: string;
  readonly port: number;
  /** `address:port`, IPv6 in brackets (for error messages). */
  readonly label: string;
  /** TLS server name for HTTPS backends reached by name (IP literals send none). */
  readonly servername: string | undefined;
  readonly clock: UpstreamClock;
  /** The last TLS session the backend issued, offered by the next connection. */
  tlsSession: Buffer | undefined;
  /** release takes back a connection whose response is complete. */
  release(conn: Conn): void;
  /** forget removes a closed connection. */
  forget(conn: Conn): void;
  /** retry sends an exchange again on a fresh connection. */
  retry(ex: UpstreamExchange): void;
}
