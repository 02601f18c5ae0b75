/**
 * ConfigApplier carries committed writes to the engine: after each commit it compiles the
 * store into a snapshot and applies it, one apply at a time. Writes that land while an apply
 * runs are coalesced into the next snapshot, so a burst of a thousand creates costs a handful
 * of applies, not a thousand. It also remembers what the engine reported for each listener,
 * which the API merges into the listener's `status` / `statusReason`.
 */
import type { ListenerState } from '../../engine/types.ts';
import type { SnapshotCompiler } from '../compiler/compile.ts';
import type { Store } from '../store/store.ts';
import type { EnginePort } from './engine-port.ts';
import type { AppliedListenerState, ListenerStatus } from './listener-status.ts';

/** ApplyTiming is how long the last apply took, split into compile and engine apply. */
export interface ApplyTiming {
  readonly version: number;
  readonly changed: boolean;
  readonly compileMs: number;
  readonly applyMs: number;
  readonly listeners: number;
}

/** ApplyObserver receives the outcome of every apply (metrics, logs). */
export interface ApplyObserver {
  applied?(info: ApplyTiming): void;
  failed?(info: { version: number; error: Error }): void;
}

/** RETRY_FAILED_MS is how often failed listeners are tried again while nothing else changes. */
export const RETRY_FAILED_MS = 5000;

/** MAX_PAUSE_MS bounds the pacing pause, so even a very slow apply is followed within a second. */
const MAX_PAUSE_MS = 1000;

/** MIN_PAUSE_MS is the shortest pacing pause worth a timer; a shorter one applies at once. */
const MIN_PAUSE_MS = 1;

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
}


/** ConfigApplier serialises snapshot applies and tracks their outcome per listener. */
export class ConfigApplier {
  readonly #store: Store;
  readonly #compiler: SnapshotCompiler;
  readonly #engine: EnginePort;
  readonly #observer: ApplyObserver;
  readonly #states = new Map<string, AppliedListenerState>();
  #appliedRevision = -1;
  #lastApply: ApplyTiming | undefined;
  #loop: Promise<void> | undefined;
  #lastEnd = 0;
  #lastDuration = 0;
  #pauseTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDue = false;
  readonly #retryFailedMs: number;
  #wake: (() => void) | undefined;
  #waiters: Waiter[] = [];
  #closed = false;

  constructor(store: Store, compiler: SnapshotCompiler, engine: EnginePort, observer: ApplyObserver = {}, retryFailedMs = RETRY_FAILED_MS) {
    this.#retryFailedMs = retryFailedMs;
    this.#store = store;
    this.#compiler = compiler;
    this.#engine = engine;
    this.#observer = observer;
  }

  /** appliedRevision is the store revision the engine last finished applying (-1 = none yet). */
  get appliedRevision(): number {
    return this.#appliedRevision;
  }

  /** lastApply is the timing of the last successful apply (benchmarks and diagnostics). */
  get lastApply(): ApplyTiming | undefined {
    return this.#lastApply;
  }

  /**
   * requestApply schedules an apply of the current store state and resolves once a snapshot at
   * least that new has been applied (or the applier closed).
   */
  requestApply(): Promise<void> {
    const revision = this.#store.revision();
    if (this.#closed || revision <= this.#appliedRevision) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#waiters.push({ revision, resolve }));
    this.#loop ??= this.#run();
    return done;
  }

  /** settled waits (at most `timeoutMs`) until everything committed so far has been applied. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.#closed || this.#store.revision() <= this.#appliedRevision) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.requestApply(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * listenerStatus merges the engine's verdict into a stored listener: the engine's report for
   * exactly this version, `Configuring` while an older version is what runs, `Provisioning`
   * before the engine has seen the listener at all.
   */
  listenerStatus(id: string, version: number): ListenerStatus {
    const state = this.#states.get(id);
    if (state === undefined) return { status: 'Provisioning' };
    if (state.version !== version) return { status: 'Configuring' };
    return state.statusReason === undefined ? { status: state.status } : { status: state.status, statusReason: state.statusReason };
  }

  /** appliedStates is what the engine last reported for every listener it was given (a cluster publishes it). */
  appliedStates(): ReadonlyMap<string, AppliedListenerState> {
    return this.#states;
  }

  /** close stops scheduling, waits for a running apply, and releases every waiter; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pauseTimer);
    clearTimeout(this.#retryTimer);
    this.#wake?.();
    await this.#loop;
    this.#release(Number.POSITIVE_INFINITY);
  }

  async #run(): Promise<void> {
    try {
      // setImmediate lets the write's response go out first and lets a burst coalesce.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (!this.#closed && (this.#store.revision() > this.#appliedRevision || this.#retryDue)) {
        this.#retryDue = false;
        const pause = Math.min(MAX_PAUSE_MS, this.#lastEnd + this.#lastDuration - performance.now());
        if (pause > MIN_PAUSE_MS) await this.#sleep(pause);
        if (this.#closed) break;
        const start = performance.now();
        await this.#applyOnce();
        this.#lastEnd = performance.now();
        this.#lastDuration = this.#lastEnd - start;
      }
    } finally {
      this.#loop = undefined;
      // A commit may have landed after the loop's last check but before it cleared itself.
      if (!this.#closed && this.#store.revision() > this.#appliedRevision) void this.requestApply();
    }
  }

  async #applyOnce(): Promise<void> {
    const t0 = performance.now();
    const { snapshot, problems } = this.#compiler.compile();
    const t1 = performance.now();
    const ids = [...snapshot.listeners, ...snapshot.quicListeners];
    if (problems.length > 0) {
      // The store checks references inside every write, so this means a bug, not bad input.
      const reason = `the configuration is inconsistent: ${problems.map((p) => `${p.resourceId} ${p.path}: ${p.message}`).join('; ')}`;
      for (const l of ids) this.#states.set(l.id, { version: l.version, status: 'Failed', statusReason: reason });
      this.#observer.failed?.({ version: snapshot.version, error: new Error(reason) });
    } else {
      try {
        const result = await this.#engine.apply(snapshot);
        this.#record(ids, result.listeners);
        this.#lastApply = {
          version: snapshot.version,
          changed: result.changed,
          compileMs: t1 - t0,
          applyMs: performance.now() - t1,
          listeners: ids.length,
        };
        this.#observer.applied?.(this.#lastApply);
      } catch (err) {
        const reason = `the engine could not apply the configuration: ${(err as Error).message}`;
        for (const l of ids) {
          const previous = this.#states.get(l.id);
          if (previous?.version !== l.version) this.#states.set(l.id, { version: l.version, status: 'Failed', statusReason: reason });
        }
        this.#observer.failed?.({ version: snapshot.version, error: err as Error });
      }
    }
    this.#appliedRevision = snapshot.version;
    this.#release(snapshot.version);
    this.#scheduleRetry();
  }

  /**
   * A listener that failed (its port was taken, say) is tried again every few seconds with the
   * same snapshot, so it comes up on its own once the obstacle is gone; the engine treats an
   * identical snapshot as a no-op except for retrying what failed.
   */
  #scheduleRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const anyFailed = [...this.#states.values()].some((s) => s.status === 'Failed');
    if (!anyFailed || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#closed) return;
      this.#retryDue = true;
      this.#loop ??= this.#run();
    }, this.#retryFailedMs);
    this.#retryTimer.unref();
  }

  #record(listeners: readonly { id: string; version: number }[], reported: readonly ListenerState[]): void {
    const byId = new Map(reported.map((s) => [s.id, s]));
    const live = new Set<string>();
    for (const l of listeners) {
      live.add(l.id);
      const s = byId.get(l.id);
      if (s === undefined) {
        this.#states.set(l.id, { version: l.version, status: 'Failed', statusReason: 'the engine did not report this listener' });
      } else if (s.statusReason !== undefined) {
        this.#states.set(l.id, { version: l.version, status: s.status, statusReason: s.statusReason });
      } else {
        this.#states.set(l.id, { version: l.version, status: s.status });
      }
    }
    for (const id of this.#states.keys()) if (!live.has(id)) this.#states.delete(id);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#pauseTimer = setTimeout(resolve, ms);
    }).finally(() => {
      this.#wake = undefined;
      this.#pauseTimer = undefined;
    });
  }

  #release(upTo: number): void {
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.revision <= upTo) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }
}
