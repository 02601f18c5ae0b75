/**
 * BackendPoolRegistry shares BackendPools between server-group runtimes by reference count:
 * a pool lives while at least one running group lists its backend, then drains and closes.
 */
import { BackendPool, backendPoolKey } from './backend-pool.ts';

/** BackendPoolRegistry owns every upstream pool of one engine. */
export class BackendPoolRegistry {
  private readonly pools = new Map<string, { pool: BackendPool; refs: number }>();
  private readonly retiring = new Set<BackendPool>();
  private readonly drainTimeoutMs: number;

  constructor(drainTimeoutMs: number) {
    this.drainTimeoutMs = drainTimeoutMs;
  }

  /** acquire returns the pool for a backend, creating it on first use, and counts the reference. */
  acquire(protocol: 'HTTP' | 'HTTPS', address: string, port: number): BackendPool {
    const key = backendPoolKey(protocol, address, port);
    let entry = this.pools.get(key);
    if (!entry) {
      entry = { pool: new BackendPool(protocol, address, port), refs: 0 };
      this.pools.set(key, entry);
    }
    entry.refs++;
    return entry.pool;
  }

  /** release drops one reference; the last one closes the pool after its in-flight requests. */
  release(pool: BackendPool): void {
    const entry = this.pools.get(pool.key);
    if (!entry || entry.pool !== pool) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.pools.delete(pool.key);
    this.retiring.add(pool);
    void pool.close(this.drainTimeoutMs).finally(() => this.retiring.delete(pool));
  }

  /** size is the number of live pools (for tests and status). */
  get size(): number {
    return this.pools.size;
  }

  /** close closes every pool, live or retiring, within the deadline. Idempotent. */
  async close(deadlineMs: number): Promise<void> {
    const all = [...[...this.pools.values()].map((e) => e.pool), ...this.retiring];
    this.pools.clear();
    await Promise.all(all.map((pool) => pool.close(deadlineMs)));
  }
}
