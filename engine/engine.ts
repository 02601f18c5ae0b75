/**
 * Engine runs EngineSnapshots: apply() prepares everything a snapshot needs (server-group
 * runtimes and pools, secure contexts, SNI tables) and only then swaps it in, listener by
 * listener, keeping listening sockets across swaps (E16). A listener that cannot be applied
 * is reported Failed and keeps serving its previous configuration; the others go ahead.
 */
import { consistent, type EngineSnapshot, type SnapshotListener } from '../schema/snapshot.ts';
import { deepEqual } from './equality.ts';
import { describeError, ListenerApplyError } from './errors.ts';
import { bindKeyOf, configStillCurrent, prepareListenerConfig, type ListenerConfig } from './listeners/listener-config.ts';
import { ListenerRuntime } from './listeners/listener-runtime.ts';
import { QUIC_UNAVAILABLE_REASON } from './listeners/quic.ts';
import { EngineMetrics } from './observability/metrics.ts';
import { SnapshotLookup } from './snapshot-lookup.ts';
import { SecureContextCache } from './tls/secure-contexts.ts';
import type { ApplyResult, EngineOptions, EngineStatus, ListenerState, ServerHealth } from './types.ts';
import { BackendPoolRegistry } from './upstream/backend-pool-registry.ts';
import type { ServerGroupRuntime } from './upstream/server-group-runtime.ts';
import { ServerGroupSet } from './upstream/server-group-set.ts';

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
  private states: ListenerState[] = [];
  private current: EngineSnapshot | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(options: EngineOptions = {}) {
    this.options = options;
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.pools = new BackendPoolRegistry(this.drainTimeoutMs);
    this.metrics = options.metricsRegistry ? new EngineMetrics(options.metricsRegistry) : undefined;
    this.groups = new ServerGroupSet(this.pools, { metrics: this.metrics, healthSecondMs: options.healthCheckSecondMs });
    this.contexts = new SecureContextCache({ ticketKeyRotationMs: options.ticketKeyRotationMs ?? DEFAULT_TICKET_KEY_ROTATION_MS });
  }

  /** apply prepares everything for the snapshot, then swaps it in. Calls are serialised. */
  apply(snapshot: EngineSnapshot): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(snapshot));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** status reports every listener of the running snapshot. */
  status(): EngineStatus {
    return { version: this.current?.version ?? 0, listeners: this.states.map((s) => ({ ...s })) };
  }

  /** serverGroupHealth reports one running group's servers; undefined when the group is not running. */
  serverGroupHealth(groupId: string): ServerHealth[] | undefined {
    return this.groups.get(groupId)?.health();
  }

  /** close stops accepting everywhere, drains in-flight requests up to the deadline, then ends the rest. Idempotent. */
  close(deadlineMs: number = this.drainTimeoutMs): Promise<void> {
    this.closing ??= (async () => {
      const end = Date.now() + deadlineMs;
      await this.queue;
      const all = [...this.runtimes.values(), ...this.draining];
      this.runtimes.clear();
      for (const r of all) r.stopAccepting();
      await Promise.all(all.map((r) => r.close(Math.max(0, end - Date.now()))));
      this.draining.clear();
      this.contexts.close();
      await this.groups.close();
      await this.pools.close(Math.max(0, end - Date.now()));
    })();
    return this.closing;
  }

  private async applyNow(snapshot: EngineSnapshot): Promise<ApplyResult> {
    if (this.closing) throw new Error('the engine is closed');
    if (this.current && deepEqual(this.current, snapshot)) {
      // Nothing changed; only listeners that could not bind (a port since freed) try again.
      const failedIds = new Set(this.states.filter((s) => s.status === 'Failed').map((s) => s.id));
      const failed = failedIds.size === 0 ? [] : snapshot.listeners.filter((l) => failedIds.has(l.id));
      if (failed.length > 0) {
        this.mergeStates(await this.applyListeners(failed, new SnapshotLookup(snapshot), new Map(), this.currentGroups(snapshot)));
        this.retainContexts();
      }
      return { version: snapshot.version, changed: false, listeners: this.status().listeners };
    }

    const lookup = new SnapshotLookup(snapshot);
    const problems = new Map<string, string[]>();
    for (const p of consistent(snapshot)) {
      const list = problems.get(p.resourceId) ?? [];
      list.push(`${p.path}: ${p.message}`);
      problems.set(p.resourceId, list);
    }
    const groups = this.groups.prepare(snapshot.serverGroups);
    this.groups.commit(groups);

    // Listeners that leave stop accepting first, so a listener taking over their port can bind.
    const wanted = new Set(snapshot.listeners.map((l) => l.id));
    for (const [id, runtime] of this.runtimes) {
      if (wanted.has(id)) continue;
      this.runtimes.delete(id);
      this.metrics?.dropListener(id);
      this.retire(runtime);
    }

    const states = await this.applyListeners(snapshot.listeners, lookup, problems, groups);
    this.retainContexts();
    for (const q of snapshot.quicListeners) {
      states.push({ id: q.id, kind: 'QuicListener', status: 'Unavailable', statusReason: QUIC_UNAVAILABLE_REASON, version: q.version });
    }
    this.states = states;
    this.current = snapshot;
    this.collectGroups();
    return { version: snapshot.version, changed: true, listeners: this.status().listeners };
  }

  /** applyListeners prepares and swaps in each listener, binding new sockets in parallel. */
  private async applyListeners(
    listeners: readonly SnapshotListener[],
    lookup: SnapshotLookup,
    problems: ReadonlyMap<string, string[]>,
    groups: ReadonlyMap<string, ServerGroupRuntime>,
  ): Promise<ListenerState[]> {
    return Promise.all(
      listeners.map(async (listener): Promise<ListenerState> => {
        let running = this.runtimes.get(listener.id);
        const failed = (reason: string): ListenerState => ({
          id: listener.id,
          kind: 'Listener',
          status: 'Failed',
          statusReason: reason,
          version: running ? running.config.listener.version : listener.version,
          ...(running ? { port: running.port } : {}),
        });
        const listed = problems.get(listener.id);
        if (listed) return failed(listed.join('; '));
        // Unchanged listener, unchanged references: nothing to rebuild, nothing to swap.
        if (running && configStillCurrent(running.config, listener, lookup, groups)) return this.runningState(running);
        let config: ListenerConfig;
        try {
          config = prepareListenerConfig(listener, lookup, groups, this.contexts, running?.config);
        } catch (err) {
          return failed(err instanceof ListenerApplyError ? err.reason : describeError(err));
        }
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
    this.groups.collect(inUse);
  }
}

/** sameSocket tells whether a new configuration binds the address and port a running listener holds. */
function sameSocket(running: ListenerRuntime, next: ListenerConfig): boolean {
  return running.config.address === next.address && next.listener.port !== 0 && next.listener.port === running.port;
}
