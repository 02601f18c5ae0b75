/**
 * Backend: one server of one server group at run time — its configuration, the shared
 * connection pool to it, and its runtime health and load, which schedulers read and the
 * group's health checker writes.
 */
import type { SnapshotServer } from '../../schema/snapshot.ts';
import type { ServerHealth } from '../types.ts';
import type { BackendPool } from './backend-pool.ts';

/** Backend is one member of a running server group. */
export class Backend {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  /** `address:port` (IPv6 in brackets), as the access log and metrics name it. */
  readonly label: string;
  readonly pool: BackendPool;
  /** Health as the checker last decided; Unchecked until a check has run (or with checks off). */
  state: ServerHealth['state'] = 'Unchecked';
  /** Requests sent to this backend whose response has not finished (Wlc reads it). */
  activeRequests = 0;
  /** The Set-Cookie value that pins a client to this server (sticky `Insert`), else undefined. */
  insertCookie: string | undefined = undefined;

  constructor(server: SnapshotServer, pool: BackendPool) {
    this.address = server.address;
    this.port = server.port;
    this.weight = server.weight;
    this.label = pool.label;
    this.pool = pool;
  }

  /** inRotation tells whether the backend may receive new requests: weighted and not unhealthy. */
  get inRotation(): boolean {
    return this.weight > 0 && this.state !== 'Unhealthy';
  }
}
