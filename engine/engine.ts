/**
 * Engine runs EngineSnapshots in two steps, as Caddy loads a config: prepare() builds
 * everything a snapshot needs (server-group runtimes and pools, secure contexts, SNI tables)
 * and says which listeners cannot be applied and why, without binding a socket or touching
 * what runs; commit() then swaps it in, listener by listener, keeping listening sockets across
 * swaps (E16). apply() is the two in one. A listener that cannot be applied is reported Failed
 * and keeps serving its previous configuration; the others go ahead. A prepared snapshot that
 * is not committed is released: it holds no timer and nothing of it stays.
 */
import { consistent, type EngineSnapshot, type SnapshotListener } from '../schema/snapshot.ts';
import { deepEqual } from './equality.ts';
import { describeError, ListenerApplyError } from './errors.ts';
import { bindKeyOf, configStillCurrent, prepareListenerConfig, type ListenerConfig } from './listeners/listener-config.ts';
import { ListenerRuntime } from './listeners/listener-runtime.ts';
import { HEADERS_TIMEOUT_MS } from './limits/server-limits.ts';
import { EngineMetrics } from './observability/metrics.ts';
import { QuicListeners, type QuicInspection } from './quic/quic-listeners.ts';
import { SnapshotLookup } from './snapshot-lookup.ts';
import { SecureContextCache, type ContextDraft } from './tls/secure-contexts.ts';
import type {
  ApplyResult,
  EngineOptions,
  EngineStatus,
  ListenerState,
  PrepareOptions,
  PreparedSnapshot,
  PrepareProblem,
  ServerCookieEvent,
  ServerHealth,
} from './types.ts';
import { BackendPoolRegistry } from './upstream/backend-pool-registry.ts';
import type { ServerGroupRuntime } from './upstream/server-group-runtime.ts';
import { ServerGroupSet, type PreparedGroups } from './upstream/server-group-set.ts';

/** DEFAULT_DRAIN_TIMEOUT_MS is how long removed listeners and backends may finish in-flight work. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** DEFAULT_TICKET_KEY_ROTATION_MS rotates session-ticket keys once per ticket lifetime (E5). */
export const DEFAULT_TICKET_KEY_ROTATION_MS = 300_000;

/** Engine is one forwarding engine: its listeners, server groups and pools. No global state. */
export class Engine {
  private readonly options: EngineOptions;
  private readonly drainTimeoutMs: number;
  private readonly pools: BackendPoolRegistry;
  private readonly groups: ServerGroupSet;
  private readonly contexts: SecureContextCache;
  private readonly metrics: EngineMetrics | undefined;
  private readonly runtimes = new Map<string, ListenerRuntime>();
  private readonly draining = new Set<ListenerRuntime>();
  private readonly quic: QuicListeners;
  private states: ListenerState[] = [];
  private current: EngineSnapshot | undefined;
  /**
   * generation changes when a commit begins and when it ends, so a snapshot prepared against
   * another state of the engine (before or during a commit) is known to be stale.
   */
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(options: EngineOptions = {}) {
    this.options = options;
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.pools = new BackendPoolRegistry(this.drainTimeoutMs);
    this.metrics = options.metricsRegistry ? new EngineMetrics(options.metricsRegistry) : undefined;
    const onServerCookie = options.onServerCookie;
    this.groups = new ServerGroupSet(this.pools, {
      metrics: this.metrics,
      healthSecondMs: options.healthCheckSecondMs,
      externalHealth: options.externalHealth,
      onServerCookie: onServerCookie && ((groupId, value, server) => onServerCookie({ groupId, value, server })),
    });
    this.quic = new QuicListeners({ accessLog: options.accessLog, metrics: this.metrics, drainTimeoutMs: this.drainTimeoutMs, serve: options.quic !== false, headersTimeoutMs: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS });
    this.contexts = new SecureContextCache({ ticketKeyRotationMs: options.ticketKeyRotationMs ?? DEFAULT_TICKET_KEY_ROTATION_MS, ticketSecret: options.ticketSecret });
  }

  /**
   * serveQuic says whether this engine serves QUIC listeners from its next apply on
   * (EngineOptions.quic); of a node's engine workers, only one does (SPEC 2.2).
   */
  serveQuic(serve: boolean): void {
    this.quic.serve = serve;
  }

  /**
   * quicServedElsewhere names the QUIC listeners another engine of the node serves, with their
   * UDP ports, so this engine's HTTPS listeners advertise them while it serves none itself.
   */
  quicServedElsewhere(ports: readonly (readonly [string, number])[]): void {
    this.quic.servedElsewhere = new Map(ports);
  }

  /** quicInspection reports what a QUIC listener runs now (its front, internal servers, relays): for tests only. */
  quicInspection(quicListenerId: string): QuicInspection | undefined {
    return this.quic.inspect(quicListenerId);
  }

  /** altSvc is the Alt-Svc value of a QUIC listener while it runs (HTTPS listeners with quic.upgradeEnabled). */
  private readonly altSvc = (quicListenerId: string): string | undefined => this.quic.altSvc(quicListenerId);

  /** apply prepares everything for the snapshot, then swaps it in. Calls are serialised. */
  apply(snapshot: EngineSnapshot): Promise<ApplyResult> {
    return this.enqueue(() => this.commitNow(this.prepareNow(snapshot)));
  }

  /**
   * prepare builds what `snapshot` needs and reports which listeners cannot be applied and
   * why, changing nothing that runs: no socket is bound, no configuration swapped, no timer
   * started. Commit the result, or release it. Synchronous, so a caller may prepare inside a
   * transaction of its own. With `options.listeners`, only those listeners are prepared (a
   * check of what one change touches, cheap however many listeners run); such a preparation
   * cannot be committed.
   */
  prepare(snapshot: EngineSnapshot, options: PrepareOptions = {}): PreparedSnapshot {
    return this.prepareNow(snapshot, options.listeners);
  }

  /**
   * commit runs a prepared snapshot: binds and swaps, as apply does. Calls are serialised with
   * apply; a snapshot prepared before another commit (or released) is prepared again first.
   */
  commit(prepared: PreparedSnapshot): Promise<ApplyResult> {
    if (!(prepared instanceof Prepared) || prepared.engine !== this) return Promise.reject(new Error('commit takes a snapshot this engine prepared'));
    if (prepared.partial) return Promise.reject(new Error('a snapshot prepared for some listeners only cannot be committed'));
    return this.enqueue(() => this.commitNow(prepared));
  }

  /** status reports every listener of the running snapshot. */
  status(): EngineStatus {
    return { version: this.current?.version ?? 0, listeners: this.states.map((s) => ({ ...s })) };
  }

  /** serverGroupHealth reports one running group's servers; undefined when the group is not running. */
  serverGroupHealth(groupId: string): ServerHealth[] | undefined {
    return this.groups.get(groupId)?.health();
  }

  /**
   * setServerHealth sets a server's state as decided outside the engine (EngineOptions.externalHealth).
   * For a running group a change applies as a probe's transition does: every live runtime of
   * the group moves the server in or out of rotation and `gatehouse_backend_health` follows. A
   * state for a group or server not running yet is kept, and a runtime built later starts with
   * it. Throws when the engine checks health itself.
   */
  setServerHealth(groupId: string, address: string, port: number, state: 'Healthy' | 'Unhealthy' | 'Unchecked'): void {
    if (!this.options.externalHealth) throw new Error('this engine checks server health itself: setServerHealth needs EngineOptions.externalHealth');
    this.groups.report(groupId, address, port, state);
  }

  /**
   * rememberServerCookie applies a `Server`-mode sticky-session mapping another engine shared
   * (its onServerCookie event) to the group's table, without calling this engine's
   * onServerCookie (no echo). Groups this engine does not run, or runs without Server
   * stickiness, ignore it.
   */
  rememberServerCookie(event: ServerCookieEvent): void {
    this.groups.rememberCookie(event.groupId, event.value, event.server);
  }

  /** close stops accepting everywhere, drains in-flight requests up to the deadline, then ends the rest. Idempotent. */
  close(deadlineMs: number = this.drainTimeoutMs): Promise<void> {
    this.closing ??= (async () => {
      const end = Date.now() + deadlineMs;
      await this.queue;
      const all = [...this.runtimes.values(), ...this.draining];
      this.runtimes.clear();
      for (const r of all) r.stopAccepting();
      await Promise.all([...all.map((r) => r.close(Math.max(0, end - Date.now()))), this.quic.close(Math.max(0, end - Date.now()))]);
      this.draining.clear();
      this.contexts.close();
      await this.groups.close();
      await this.pools.close(Math.max(0, end - Date.now()));
    })();
    return this.closing;
  }

  private enqueue(run: () => Promise<ApplyResult>): Promise<ApplyResult> {
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private prepareNow(snapshot: EngineSnapshot, only?: ReadonlySet<string>): Prepared {
    if (this.closing) throw new Error('the engine is closed');
    const contexts = this.contexts.draft();
    const partial = only !== undefined;
    const chosen = partial ? snapshot.listeners.filter((l) => only.has(l.id)) : snapshot.listeners;
    if (this.current && deepEqual(this.current, snapshot)) {
      // Nothing changed; only listeners that could not bind (a port since freed) try again.
      const failedIds = new Set(this.states.filter((s) => s.status === 'Failed').map((s) => s.id));
      const failed = failedIds.size === 0 ? [] : chosen.filter((l) => failedIds.has(l.id));
      const groups = this.currentGroups(snapshot);
      const lookup = failed.length === 0 ? undefined : new SnapshotLookup(snapshot);
      const listeners = failed.map((l) => this.prepareListener(l, lookup!, new Map(), groups, contexts));
      return new Prepared(this, this.generation, snapshot, false, partial, undefined, contexts, listeners);
    }

    const lookup = new SnapshotLookup(snapshot);
    const problems = new Map<string, string[]>();
    for (const p of consistent(snapshot)) {
      const list = problems.get(p.resourceId) ?? [];
      list.push(`${p.path}: ${p.message}`);
      problems.set(p.resourceId, list);
    }
    const groups = this.groups.prepare(snapshot.serverGroups);
    try {
      const listeners = chosen.map((l) => this.prepareListener(l, lookup, problems, groups.runtimes, contexts));
      return new Prepared(this, this.generation, snapshot, true, partial, groups, contexts, listeners);
    } catch (err) {
      groups.release();
      throw err;
    }
  }

  /** prepareListener decides what a commit does with one listener: fail it, keep it, or swap in a prepared configuration. */
  private prepareListener(
    listener: SnapshotListener,
    lookup: SnapshotLookup,
    problems: ReadonlyMap<string, string[]>,
    groups: ReadonlyMap<string, ServerGroupRuntime>,
    contexts: ContextDraft,
  ): PreparedListener {
    const running = this.runtimes.get(listener.id);
    const listed = problems.get(listener.id);
    if (listed) return { listener, outcome: { failed: { listenerId: listener.id, reason: listed.join('; ') } } };
    // Unchanged listener, unchanged references: nothing to rebuild, nothing to swap.
    if (running && configStillCurrent(running.config, listener, lookup, groups)) return { listener, outcome: 'current' };
    try {
      return { listener, outcome: { config: prepareListenerConfig(listener, lookup, groups, contexts, running?.config) } };
    } catch (err) {
      const problem: PrepareProblem = err instanceof ListenerApplyError
        ? { listenerId: listener.id, reason: err.reason, ...(err.fault ? { fault: err.fault } : {}) }
        : { listenerId: listener.id, reason: describeError(err) };
      return { listener, outcome: { failed: problem } };
    }
  }

  private async commitNow(given: Prepared): Promise<ApplyResult> {
    let prepared = given;
    if (this.closing) {
      prepared.release();
      throw new Error('the engine is closed');
    }
    if (prepared.generation !== this.generation || !prepared.take()) {
      // Prepared against what ran before another commit, or released: prepare again against what runs now.
      prepared.release();
      prepared = this.prepareNow(prepared.snapshot);
      prepared.take();
    }
    this.generation++;
    try {
      return await this.swap(prepared);
    } finally {
      this.generation++;
    }
  }

  /** swap puts a prepared snapshot in place of the running one. */
  private async swap(prepared: Prepared): Promise<ApplyResult> {
    const snapshot = prepared.snapshot;
    prepared.contexts.commit();
    if (!prepared.groups) {
      if (prepared.listeners.length > 0) {
        this.mergeStates(await this.swapListeners(prepared.listeners));
        this.retainContexts();
      }
      if (this.quic.hasFailed) this.mergeStates(await this.quic.retryFailed());
      return { version: snapshot.version, changed: false, listeners: this.status().listeners };
    }
    this.groups.commit(prepared.groups);

    // Listeners that leave stop accepting first, so a listener taking over their port can bind.
    const wanted = new Set(snapshot.listeners.map((l) => l.id));
    for (const [id, runtime] of this.runtimes) {
      if (wanted.has(id)) continue;
      this.runtimes.delete(id);
      this.metrics?.dropListener(id);
      this.retire(runtime);
    }

    const states = await this.swapListeners(prepared.listeners);
    this.retainContexts();
    states.push(...(await this.quic.apply(snapshot, new SnapshotLookup(snapshot), prepared.groups.runtimes)));
    this.states = states;
    this.current = snapshot;
    this.collectGroups();
    return { version: snapshot.version, changed: true, listeners: this.status().listeners };
  }

  /** swapListeners swaps in each prepared listener, binding new sockets in parallel. */
  private async swapListeners(listeners: readonly PreparedListener[]): Promise<ListenerState[]> {
    return Promise.all(
      listeners.map(async ({ listener, outcome }): Promise<ListenerState> => {
        let running = this.runtimes.get(listener.id);
        const failed = (reason: string): ListenerState => ({
          id: listener.id,
          kind: 'Listener',
          status: 'Failed',
          statusReason: reason,
          version: running ? running.config.listener.version : listener.version,
          ...(running ? { port: running.port } : {}),
        });
        if (outcome === 'current') return this.runningState(running!);
        if ('failed' in outcome) return failed(outcome.failed.reason);
        const config = outcome.config;
        if (running && bindKeyOf(config) === running.bindKey) {
          try {
            running.update(config);
          } catch (err) {
            return failed(describeError(err));
          }
          return this.runningState(running);
        }
        const fresh = new ListenerRuntime(config, {
          accessLog: this.options.accessLog,
          metrics: this.metrics,
          headersTimeoutMs: this.options.headersTimeoutMs,
          reusePort: this.options.reusePort,
          altSvc: this.altSvc,
        });
        // Rebinding the very same address and port (a protocol change) needs the old socket gone first.
        const takesOverSocket = running !== undefined && sameSocket(running, config);
        if (takesOverSocket) running!.stopAccepting();
        try {
          await fresh.start();
        } catch (err) {
          fresh.stopAccepting();
          if (takesOverSocket) {
            // The old socket is closed already: nothing of this listener serves any more.
            this.runtimes.delete(listener.id);
            this.retire(running!);
            running = undefined;
          }
          return failed(err instanceof ListenerApplyError ? err.reason : describeError(err));
        }
        this.runtimes.set(listener.id, fresh);
        if (running) this.retire(running);
        return this.runningState(fresh);
      }),
    );
  }

  /** retainContexts lets the shared secure contexts go that no running listener configuration uses. */
  private retainContexts(): void {
    const inUse = new Set<string>();
    for (const r of this.runtimes.values()) for (const key of r.config.tls?.contextKeys ?? []) inUse.add(key);
    this.contexts.retain(inUse);
  }

  private runningState(runtime: ListenerRuntime): ListenerState {
    return { id: runtime.id, kind: 'Listener', status: 'Running', version: runtime.config.listener.version, port: runtime.port };
  }

  private mergeStates(updated: readonly ListenerState[]): void {
    const byId = new Map(updated.map((s) => [s.id, s]));
    this.states = this.states.map((s) => byId.get(s.id) ?? s);
  }

  private currentGroups(snapshot: EngineSnapshot): Map<string, ServerGroupRuntime> {
    const map = new Map<string, ServerGroupRuntime>();
    for (const g of snapshot.serverGroups) {
      const runtime = this.groups.get(g.id);
      if (runtime) map.set(g.id, runtime);
    }
    return map;
  }

  /** retire drains a runtime that no longer serves its listener, then lets its groups go. */
  private retire(runtime: ListenerRuntime): void {
    this.draining.add(runtime);
    void runtime.close(this.drainTimeoutMs).then(() => {
      this.draining.delete(runtime);
      if (!this.closing) this.collectGroups();
    });
  }

  /** collectGroups retires server-group runtimes that no running or draining listener routes through. */
  private collectGroups(): void {
    const inUse = new Set<ServerGroupRuntime>();
    for (const r of this.runtimes.values()) inUse.add(r.config.serverGroup);
    for (const r of this.draining) inUse.add(r.config.serverGroup);
    this.quic.groupsInUse(inUse);
    this.groups.collect(inUse);
  }
}

/** sameSocket tells whether a new configuration binds the address and port a running listener holds. */
function sameSocket(running: ListenerRuntime, next: ListenerConfig): boolean {
  return running.config.address === next.address && next.listener.port !== 0 && next.listener.port === running.port;
}

/** ListenerOutcome is what a commit does with one listener. */
type ListenerOutcome = 'current' | { readonly failed: PrepareProblem } | { readonly config: ListenerConfig };

/** PreparedListener is one listener of a prepared snapshot and what its commit does. */
interface PreparedListener {
  readonly listener: SnapshotListener;
  readonly outcome: ListenerOutcome;
}

/** Prepared is the engine's PreparedSnapshot: what commit swaps in, or release gives back. */
class Prepared implements PreparedSnapshot {
  readonly engine: Engine;
  /** The engine's generation when this was prepared. */
  readonly generation: number;
  readonly snapshot: EngineSnapshot;
  readonly changed: boolean;
  /** Only some listeners were prepared (a check): never committed. */
  readonly partial: boolean;
  readonly problems: readonly PrepareProblem[];
  /** The server-group runtimes to commit; undefined when the snapshot equals the running one. */
  readonly groups: PreparedGroups | undefined;
  readonly contexts: ContextDraft;
  readonly listeners: readonly PreparedListener[];
  private settled = false;

  constructor(
    engine: Engine,
    generation: number,
    snapshot: EngineSnapshot,
    changed: boolean,
    partial: boolean,
    groups: PreparedGroups | undefined,
    contexts: ContextDraft,
    listeners: readonly PreparedListener[],
  ) {
    this.engine = engine;
    this.generation = generation;
    this.snapshot = snapshot;
    this.changed = changed;
    this.partial = partial;
    this.groups = groups;
    this.contexts = contexts;
    this.listeners = listeners;
    const problems: PrepareProblem[] = [];
    for (const { outcome } of listeners) if (typeof outcome === 'object' && 'failed' in outcome) problems.push(outcome.failed);
    this.problems = problems;
  }

  release(): void {
    if (this.settled) return;
    this.settled = true;
    // The contexts it built were never handed to the cache and run no timer: dropping the draft is enough.
    this.groups?.release();
  }

  /** take claims this for one commit; false when it was released or committed already. */
  take(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}
