/**
 * ServerGroupSet keeps the engine's server-group runtimes across snapshots: unchanged groups
 * keep their runtime (and scheduler position), changed ones get a new runtime, and a runtime
 * is retired only once no listener — running or draining — can still route through it.
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import { deepEqual } from '../equality.ts';
import type { BackendPoolRegistry } from './backend-pool-registry.ts';
import { ServerGroupRuntime } from './server-group-runtime.ts';

/** ServerGroupSet owns every ServerGroupRuntime of one engine. */
export class ServerGroupSet {
  private readonly registry: BackendPoolRegistry;
  private current = new Map<string, ServerGroupRuntime>();
  /** Every runtime not yet retired: the current ones plus superseded ones still possibly in use. */
  private readonly live = new Set<ServerGroupRuntime>();

  constructor(registry: BackendPoolRegistry) {
    this.registry = registry;
  }

  /** prepare builds the runtimes for a snapshot's groups, reusing those whose configuration is unchanged. */
  prepare(groups: readonly SnapshotServerGroup[]): Map<string, ServerGroupRuntime> {
    const next = new Map<string, ServerGroupRuntime>();
    for (const config of groups) {
      const before = this.current.get(config.id);
      if (before && deepEqual(before.config, config)) {
        next.set(config.id, before);
        continue;
      }
      const runtime = new ServerGroupRuntime(config, this.registry, before);
      this.live.add(runtime);
      next.set(config.id, runtime);
    }
    return next;
  }

  /** commit makes the prepared runtimes the current ones. */
  commit(next: Map<string, ServerGroupRuntime>): void {
    this.current = next;
  }

  /** get returns the current runtime of a group. */
  get(id: string): ServerGroupRuntime | undefined {
    return this.current.get(id);
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

  /** close retires every runtime. Idempotent. */
  close(): void {
    for (const runtime of this.live) runtime.retire();
    this.live.clear();
    this.current = new Map();
  }
}
