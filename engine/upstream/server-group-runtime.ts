/**
 * ServerGroupRuntime: one server group of one snapshot at run time — its backends (with
 * their shared pools) and its scheduler. Immutable membership: a changed group gets a new
 * runtime, which inherits the health of servers it keeps, while requests already routed
 * through the old one finish on it.
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import { createScheduler, type Scheduler, type SchedulingInput } from '../balancing/scheduler.ts';
import type { ServerHealth } from '../types.ts';
import { Backend } from './backend.ts';
import type { BackendPoolRegistry } from './backend-pool-registry.ts';

/** ServerGroupRuntime is a running server group. */
export class ServerGroupRuntime {
  readonly id: string;
  readonly config: SnapshotServerGroup;
  readonly backends: readonly Backend[];
  private readonly scheduler: Scheduler;
  private readonly registry: BackendPoolRegistry;
  private retired = false;

  constructor(config: SnapshotServerGroup, registry: BackendPoolRegistry, previous?: ServerGroupRuntime) {
    this.id = config.id;
    this.config = config;
    this.registry = registry;
    const backends: Backend[] = [];
    for (const server of config.servers) {
      const backend = new Backend(server, registry.acquire(config.protocol, server.address, server.port));
      const before = previous?.backends.find((b) => b.pool === backend.pool);
      if (before) {
        backend.state = before.state;
        backend.lastCheck = before.lastCheck;
      }
      backends.push(backend);
    }
    this.backends = backends;
    this.scheduler = createScheduler(config.scheduler, backends);
  }

  /** pick chooses the backend for one request, or undefined when none is in rotation (503). */
  pick(input: SchedulingInput): Backend | undefined {
    return this.scheduler.pick(input);
  }

  /** health lists every server's runtime health, in configuration order. */
  health(): ServerHealth[] {
    return this.backends.map((b) => b.health());
  }

  /** retire gives the group's pools back to the registry (closed when nobody else uses them). Idempotent. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    for (const b of this.backends) this.registry.release(b.pool);
  }
}
