/**
 * BackendPoolRegistry shares BackendPools between server-group runtimes by reference count:
 * a pool lives while at least one running group lists its backend, then drains and closes —
 * within the group's connection-drain timeout when it has one, else the engine's drain
 * deadline (SPEC 1.6 connectionDrain; see engine/README.md).
 */
import { BackendPool, backendPoolKey } from './backend-pool.ts';
import { UpstreamClock } from './upstream-clock.ts';

/** BackendPoolRegistry owns every upstream pool of one engine and the clock that sweeps them. */
export class BackendPoolRegistry {
  private readonly pools = new Map<string, { pool: BackendPool; refs: number }>();
  private readonly retiring = new Set<BackendPool>();
  private readonly drainTimeoutMs: number;
  readonly clock = new UpstreamClock();

  constructor(drainTimeoutMs: number) {
    this.drainTimeoutMs = drainTimeoutMs;
  }

  /** acquire returns the pool for a backend, creating it on first use, and counts the reference. */
  acquire(protocol: 'HTTP' | 'HTTPS', address: string, port: number): BackendPool {
    const key = backendPoolKey(protocol, address, port);
    let entry = this.pools.get(key);
    if (!entry) {
      entry = { pool: new BackendPool(protocol, address, port, this.clock), refs: 0 };
      this.pools.set(key, entry);
    }
    entry.refs++;
    return entry.pool;
  }

  /**
   * release drops one reference; the last one closes the pool: in-flight exchanges may finish
   * for `drainMs` (default: the engine's drain deadline), then they are cut.
   */
  release(pool: BackendPool, drainMs: number = this.drainTimeoutMs): void {
    const entry = this.pools.get(pool.key);
    if (!entry || entry.pool !== pool) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.pools.delete(pool.key);
    this.retiring.add(pool);
    void pool.close(drainMs).finally(() => this.retiring.delete(pool));
  }

  /** size is the number of live pools (for tests and status). */
  get size(): number {
    return this.pools.size;
  }

  /** close closes every pool, live or retiring, within the deadline, then stops the clock. Idempotent. */
  async close(deadlineMs: number): Promise<void> {
    const all = [...[...this.pools.values()].map((e) => e.pool), ...this.retiring];
    this.pools.clear();
    await Promise.all(all.map((pool) => pool.close(deadlineMs)));
    this.clock.close();
  }
}
