/**
 * ServerGroupRuntime: one server group of one snapshot at run time — its backends (with their
 * shared pools), its scheduler and sticky-session rule. Immutable membership: a changed group
 * gets a new runtime while requests already routed through the old one finish on it. What
 * outlives a configuration — the health source, the metrics, the Server-cookie table — is the
 * group's GroupShared state, which every runtime of the group id points to.
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import { createScheduler } from '../balancing/scheduler.ts';
import type { Scheduler, SchedulingInput } from '../balancing/scheduler-types.ts';
import { createStickiness, type Stickiness, type StickyInput } from '../balancing/sticky.ts';
import { ServerCookieTable, type CookieShare } from '../balancing/server-cookie-table.ts';
import type { GroupHealthSource } from '../health/health-source.ts';
import type { ServerGroupMetrics } from '../observability/metrics.ts';
import type { ServerHealth } from '../types.ts';
import { Backend } from './backend.ts';
import type { BackendPoolRegistry } from './backend-pool-registry.ts';

/** GroupShared is the state of one server group id that outlives its runtimes. */
export interface GroupShared {
  readonly id: string;
  /** What decides the servers' health: the group's HealthChecker, or ReportedHealth (externalHealth). */
  readonly health: GroupHealthSource;
  /** The group's metrics; set when the group is first committed (undefined without a metrics registry). */
  metrics: ServerGroupMetrics | undefined;
  /** Server-cookie stickiness memory, created when a configuration first asks for it. */
  cookieTable: ServerCookieTable | undefined;
  /** Told what the cookie table learns, for the other engines of the node (EngineOptions.onServerCookie). */
  readonly shareCookie: CookieShare | undefined;
  /** Runtimes of this group not yet retired (current and superseded ones still in use). */
  readonly runtimes: Set<ServerGroupRuntime>;
  /** Servers the metrics currently report. */
  readonly reported: Set<string>;
}

/** PickInput is what choosing a backend may read from a request. */
export interface PickInput extends SchedulingInput, StickyInput {}

/** ServerGroupRuntime is a running server group. */
export class ServerGroupRuntime {
  readonly id: string;
  readonly config: SnapshotServerGroup;
  readonly backends: readonly Backend[];
  readonly shared: GroupShared;
  /** The sticky-session rule, undefined when stickiness is off. */
  readonly sticky: Stickiness | undefined;
  private readonly scheduler: Scheduler;
  private readonly registry: BackendPoolRegistry;
  private retired = false;

  constructor(config: SnapshotServerGroup, registry: BackendPoolRegistry, shared: GroupShared) {
    this.id = config.id;
    this.config = config;
    this.registry = registry;
    this.shared = shared;
    const backends: Backend[] = [];
    for (const server of config.servers) {
      const backend = new Backend(server, registry.acquire(config.protocol, server.address, server.port));
      backend.state = shared.health.stateOf(server.address, server.port) ?? 'Unchecked';
      backends.push(backend);
    }
    this.backends = backends;
    this.scheduler = createScheduler(config.scheduler, backends);
    this.sticky = createStickiness(config, backends, () => (shared.cookieTable ??= new ServerCookieTable(config.stickySession.cookieTimeout * 1000, { share: shared.shareCookie })));
  }

  /** metrics are the group's metrics (undefined without a metrics registry). */
  get metrics(): ServerGroupMetrics | undefined {
    return this.shared.metrics;
  }

  /** pick chooses the backend for one request — the pinned one if stickiness has one in rotation — or undefined (503). */
  pick(input: PickInput): Backend | undefined {
    if (this.sticky !== undefined) {
      const pinned = this.sticky.pinned(input);
      if (pinned !== undefined) return pinned;
    }
    return this.scheduler.pick(input);
  }

  /** setState applies a health transition to this runtime's member at (address, port). */
  setState(address: string, port: number, state: ServerHealth['state']): void {
    for (const b of this.backends) if (b.port === port && b.address === address) b.state = state;
  }

  /** health lists every server's runtime health and last check, in configuration order. */
  health(): ServerHealth[] {
    return this.shared.health.health();
  }

  /**
   * retire gives the group's pools back to the registry. A pool no other group uses closes:
   * its in-flight requests may finish for connectionDrain.timeout when drain is enabled, else
   * for the engine's drain deadline. Idempotent.
   */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.shared.runtimes.delete(this);
    const drain = this.config.connectionDrain;
    const drainMs = drain.enabled ? drain.timeout * 1000 : undefined;
    for (const b of this.backends) this.registry.release(b.pool, drainMs);
  }
}
