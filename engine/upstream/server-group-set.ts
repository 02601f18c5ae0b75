/**
 * ServerGroupSet keeps the engine's server groups across snapshots: unchanged groups keep
 * their runtime (and scheduler position), changed ones get a new runtime, and a runtime is
 * retired only once no listener — running or draining — can still route through it. Per group
 * id it also runs the active health checks (E15): transitions move servers in and out of
 * rotation in every live runtime of the group and update the health metric. With
 * externalHealth the states come from reports instead (ReportedHealth, fed by report()).
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import type { CookieShare } from '../balancing/server-cookie-table.ts';
import { BackendCookie } from '../balancing/sticky.ts';
import { deepEqual } from '../equality.ts';
import { HealthChecker, serverKey, type HealthTransition, type ServerState } from '../health/health-checker.ts';
import type { GroupHealthSource } from '../health/health-source.ts';
import { HealthReports, ReportedHealth } from '../health/reported-health.ts';
import type { EngineMetrics } from '../observability/metrics.ts';
import type { ServerHealth } from '../types.ts';
import type { BackendPoolRegistry } from './backend-pool-registry.ts';
import { ServerGroupRuntime, type GroupShared } from './server-group-runtime.ts';

/** ServerGroupSetOptions connect the set to the engine's metrics and test clock. */
export interface ServerGroupSetOptions {
  metrics?: EngineMetrics | undefined;
  /** How long one configured health-check second lasts (tests shorten it); default REAL_SECOND_MS. */
  healthSecondMs?: number | undefined;
  /** Run no probes: servers' states come only from report() (EngineOptions.externalHealth). */
  externalHealth?: boolean | undefined;
  /** Told when a group's Server-cookie table learns, forgets or refreshes a value (EngineOptions.onServerCookie). */
  onServerCookie?: ((groupId: string, value: string, server: string | undefined) => void) | undefined;
}

/** ServerGroupSet owns every ServerGroupRuntime and health checker of one engine. */
export class ServerGroupSet {
  private readonly registry: BackendPoolRegistry;
  private readonly options: ServerGroupSetOptions;
  private current = new Map<string, ServerGroupRuntime>();
  private readonly shared = new Map<string, GroupShared>();
  /** Every runtime not yet retired: the current ones plus superseded ones still possibly in use. */
  private readonly live = new Set<ServerGroupRuntime>();
  private readonly closingCheckers = new Set<Promise<void>>();
  /** Reported server states (externalHealth only), kept also for groups not running yet. */
  private readonly reports: HealthReports | undefined;

  constructor(registry: BackendPoolRegistry, options: ServerGroupSetOptions = {}) {
    this.registry = registry;
    this.options = options;
    this.reports = options.externalHealth ? new HealthReports() : undefined;
  }

  /**
   * prepare builds the runtimes for a snapshot's groups, reusing those whose configuration is
   * unchanged. Nothing running changes: new runtimes (and the shared state of new group ids)
   * join the set on commit; release() gives back what an uncommitted preparation holds.
   */
  prepare(groups: readonly SnapshotServerGroup[]): PreparedGroups {
    const next = new Map<string, ServerGroupRuntime>();
    const fresh: ServerGroupRuntime[] = [];
    for (const config of groups) {
      const before = this.current.get(config.id);
      if (before && (before.config === config || deepEqual(before.config, config))) {
        next.set(config.id, before);
        continue;
      }
      const runtime = new ServerGroupRuntime(config, this.registry, this.shared.get(config.id) ?? this.newShared(config));
      fresh.push(runtime);
      next.set(config.id, runtime);
    }
    return new PreparedGroups(next, fresh);
  }

  /** commit makes the prepared runtimes the current ones, updates health checks and stops those of groups that left. */
  commit(prepared: PreparedGroups): void {
    const next = prepared.take();
    for (const runtime of next.values()) {
      const shared = runtime.shared;
      if (!this.shared.has(shared.id)) {
        shared.metrics = this.options.metrics?.serverGroup(shared.id);
        this.shared.set(shared.id, shared);
      }
      this.live.add(runtime);
      if (!shared.runtimes.has(runtime)) {
        shared.runtimes.add(runtime);
        shared.health.update(runtime.config.healthCheck, runtime.config.servers);
        // A transition between prepare and commit reached only the runtimes already live.
        for (const b of runtime.backends) b.state = shared.health.stateOf(b.address, b.port) ?? 'Unchecked';
        this.reportServers(shared, runtime);
      }
      shared.health.start();
    }
    for (const [id, shared] of this.shared) {
      if (next.has(id)) continue;
      this.shared.delete(id);
      this.closeChecker(shared.health);
      this.reports?.drop(id);
      this.options.metrics?.dropServerGroup(id);
    }
    this.current = next;
  }

  /** get returns the current runtime of a group. */
  get(id: string): ServerGroupRuntime | undefined {
    return this.current.get(id);
  }

  /** health reports a current group's servers; undefined when the group is not running. */
  health(id: string): ServerHealth[] | undefined {
    return this.current.has(id) ? this.shared.get(id)?.health.health() : undefined;
  }

  /**
   * report records a server's state decided outside the engine (externalHealth). For a running
   * group a change applies as a probe's transition does; otherwise the runtime built later
   * starts with it.
   */
  report(groupId: string, address: string, port: number, state: ServerState): void {
    const reports = this.reports;
    if (reports === undefined) throw new Error('reported health needs externalHealth');
    const health = this.shared.get(groupId)?.health;
    if (health instanceof ReportedHealth) health.report(address, port, state);
    else reports.set(groupId, address, port, state);
  }

  /**
   * rememberCookie applies a Server-cookie mapping another engine shared (server undefined:
   * forgotten) to a running group with Server stickiness, without sharing it again. Groups not
   * running, or running without Server stickiness, ignore it.
   */
  rememberCookie(groupId: string, value: string, server: string | undefined): void {
    const sticky = this.current.get(groupId)?.sticky;
    if (!(sticky instanceof BackendCookie)) return;
    if (server === undefined) sticky.table.applyForget(value);
    else sticky.table.apply(value, server, Date.now());
  }

  /** collect retires every runtime that is neither current nor referenced by `inUse`. */
  collect(inUse: ReadonlySet<ServerGroupRuntime>): void {
    const currentOnes = new Set(this.current.values());
    for (const runtime of this.live) {
      if (currentOnes.has(runtime) || inUse.has(runtime)) continue;
      runtime.retire();
      this.live.delete(runtime);
    }
  }

  /** close retires every runtime and stops every health check. Idempotent. */
  async close(): Promise<void> {
    for (const runtime of this.live) runtime.retire();
    this.live.clear();
    this.current = new Map();
    for (const shared of this.shared.values()) this.closeChecker(shared.health);
    this.shared.clear();
    await Promise.all([...this.closingCheckers]);
  }

  /**
   * newShared makes the state of a group id the set does not run yet; it joins the set (with
   * its metrics) when a runtime using it is committed. Its checker starts only then.
   */
  private newShared(config: SnapshotServerGroup): GroupShared {
    const runtimes = new Set<ServerGroupRuntime>();
    const onTransition = (t: HealthTransition): void => {
      for (const runtime of runtimes) runtime.setState(t.address, t.port, t.to);
      shared.metrics?.setHealth(serverKey(t.address, t.port), t.available);
    };
    const onServerCookie = this.options.onServerCookie;
    const id = config.id;
    const shareCookie: CookieShare | undefined = onServerCookie && ((value, server) => onServerCookie(id, value, server));
    const shared: GroupShared = {
      id,
      health: this.reports
        ? new ReportedHealth(id, config.servers, this.reports, onTransition)
        : new HealthChecker(id, config.healthCheck, config.servers, { secondMs: this.options.healthSecondMs, onTransition }),
      metrics: undefined,
      cookieTable: undefined,
      shareCookie,
      runtimes,
      reported: new Set(),
    };
    return shared;
  }

  /** reportServers keeps the health metric's series to the group's current servers. */
  private reportServers(shared: GroupShared, runtime: ServerGroupRuntime): void {
    const metrics = shared.metrics;
    if (metrics === undefined) return;
    const now = new Set<string>();
    for (const b of runtime.backends) {
      const key = serverKey(b.address, b.port);
      now.add(key);
      metrics.setHealth(key, b.state !== 'Unhealthy');
    }
    for (const key of shared.reported) if (!now.has(key)) metrics.removeServer(key);
    shared.reported.clear();
    for (const key of now) shared.reported.add(key);
  }

  private closeChecker(checker: GroupHealthSource): void {
    const closing = checker.close();
    this.closingCheckers.add(closing);
    void closing.finally(() => this.closingCheckers.delete(closing));
  }
}

/**
 * PreparedGroups are the runtimes one prepared snapshot routes through: the running ones it
 * keeps and the fresh ones it built (holding their backend pools). Either the set commits
 * them, or release() retires the fresh ones, giving their pools back.
 */
export class PreparedGroups {
  /** runtimes maps each group id of the snapshot to its runtime. */
  readonly runtimes: ReadonlyMap<string, ServerGroupRuntime>;
  private readonly fresh: readonly ServerGroupRuntime[];
  private settled = false;

  constructor(runtimes: Map<string, ServerGroupRuntime>, fresh: readonly ServerGroupRuntime[]) {
    this.runtimes = runtimes;
    this.fresh = fresh;
  }

  /** release retires the runtimes built for a preparation that will not be committed. Idempotent; no-op once committed. */
  release(): void {
    if (this.settled) return;
    this.settled = true;
    for (const runtime of this.fresh) runtime.retire();
  }

  /** take hands the runtimes over to a commit, once. */
  take(): Map<string, ServerGroupRuntime> {
    if (this.settled) throw new Error('prepared server groups were already committed or released');
    this.settled = true;
    return new Map(this.runtimes);
  }
}
