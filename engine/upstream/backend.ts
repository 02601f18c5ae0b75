/**
 * Backend: one server of one server group at run time — its configuration, the shared
 * connection pool to it, and its runtime health and load, which schedulers and health
 * checks read and write.
 */
import type { SnapshotServer } from '../../schema/snapshot.ts';
import type { ServerHealth } from '../types.ts';
import type { BackendPool } from './backend-pool.ts';

/** Backend is one member of a running server group. */
export class Backend {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  /** `address:port` (IPv6 in brackets), as the access log names it. */
  readonly label: string;
  readonly pool: BackendPool;
  /** Health as the checker last decided; Unchecked until a check has run. */
  state: ServerHealth['state'] = 'Unchecked';
  lastCheck: ServerHealth['lastCheck'] = undefined;
  /** Requests sent to this backend whose response has not finished. */
  activeRequests = 0;

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

  /** health reports the backend for the server's health endpoint. */
  health(): ServerHealth {
    const h: ServerHealth = { address: this.address, port: this.port, state: this.state };
    if (this.lastCheck) h.lastCheck = { ...this.lastCheck };
    return h;
  }
}
