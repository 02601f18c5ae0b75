/**
 * UpstreamClock: one coarse clock per engine that sweeps the backend pools with open
 * connections a few times a second, so that request, body, connect and keep-alive limits cost
 * a number comparison per connection instead of a timer per request.
 */
import { performance } from 'node:perf_hooks';

/** SWEEP_INTERVAL_MS is the clock's resolution: a limit fires at most this late. */
export const SWEEP_INTERVAL_MS = 100;

/** Sweepable is a pool the clock visits. */
export interface Sweepable {
  sweep(now: number): void;
}

/** UpstreamClock drives the sweeps; it runs only while some pool has connections. */
export class UpstreamClock {
  /** performance.now() at the last sweep (or when watching began): cheap "now" for body deadlines. */
  now = performance.now();
  private readonly watched = new Set<Sweepable>();
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly intervalMs: number;

  constructor(intervalMs = SWEEP_INTERVAL_MS) {
    this.intervalMs = intervalMs;
  }

  /** watch includes a pool in the sweeps. */
  watch(pool: Sweepable): void {
    if (this.watched.has(pool)) return;
    this.watched.add(pool);
    if (this.timer === undefined) {
      this.now = performance.now();
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** unwatch leaves a pool out of the sweeps (it has no connections left). */
  unwatch(pool: Sweepable): void {
    if (!this.watched.delete(pool) || this.watched.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** close stops the clock. Idempotent. */
  close(): void {
    this.watched.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = performance.now();
    this.now = now;
    for (const pool of this.watched) pool.sweep(now);
  }
}
