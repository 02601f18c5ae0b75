/**
 * GroupHealthChecks runs the active health checks (E15) of every server group of a snapshot
 * without an engine: a supervisor runs it once per node and reports each transition to the
 * engines of its workers (Engine.setServerHealth, with EngineOptions.externalHealth), so a
 * backend is probed once per node, not once per worker. It follows snapshots as an engine's
 * groups do: a group that stays keeps its checker (states and counters), a changed one updates
 * it, a group that leaves has its checks stopped.
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import { deepEqual } from '../equality.ts';
import type { ServerHealth } from '../types.ts';
import { HealthChecker, type HealthTransition, type ServerState } from './health-checker.ts';

/** GroupHealthChecksOptions tune the checks. */
export interface GroupHealthChecksOptions {
  /** How long one configured health-check second lasts, ms (default 1000; tests shorten it). */
  secondMs?: number;
  /** Called on each server's state transition, after the state is updated. */
  onTransition?: (transition: HealthTransition) => void;
}

/** ServerStateReport is one server's current state, as GroupHealthChecks.states() lists it. */
export interface ServerStateReport {
  groupId: string;
  address: string;
  port: number;
  state: ServerState;
}

interface Checked {
  config: SnapshotServerGroup;
  readonly checker: HealthChecker;
}

/** GroupHealthChecks owns one HealthChecker per server group id; close() is idempotent. */
export class GroupHealthChecks {
  private readonly options: GroupHealthChecksOptions;
  private readonly groups = new Map<string, Checked>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;

  constructor(options: GroupHealthChecksOptions = {}) {
    this.options = options;
  }

  /**
   * update follows a snapshot's server groups: new groups start checking (the first check runs
   * at once), changed ones keep their servers' states where the servers remain, and the checks
   * of groups that left stop. A no-op once closed.
   */
  update(groups: readonly SnapshotServerGroup[]): void {
    if (this.closed) return;
    const wanted = new Set<string>();
    for (const config of groups) {
      wanted.add(config.id);
      const known = this.groups.get(config.id);
      if (known === undefined) {
        const checker = new HealthChecker(config.id, config.healthCheck, config.servers, { secondMs: this.options.secondMs, onTransition: this.options.onTransition });
        this.groups.set(config.id, { config, checker });
        checker.start();
        continue;
      }
      if (known.config === config) continue;
      if (!deepEqual(known.config.healthCheck, config.healthCheck) || !deepEqual(known.config.servers, config.servers)) {
        known.checker.update(config.healthCheck, config.servers);
      }
      known.config = config;
    }
    for (const [id, known] of this.groups) {
      if (wanted.has(id)) continue;
      this.groups.delete(id);
      this.stop(known.checker);
    }
  }

  /** health lists a checked group's servers with their states and last checks; undefined for a group not checked. */
  health(groupId: string): ServerHealth[] | undefined {
    return this.groups.get(groupId)?.checker.health();
  }

  /** states lists every server's current state (what an engine joining late needs to catch up). */
  states(): ServerStateReport[] {
    const list: ServerStateReport[] = [];
    for (const [groupId, { checker }] of this.groups) {
      for (const s of checker.health()) list.push({ groupId, address: s.address, port: s.port, state: s.state });
    }
    return list;
  }

  /** close stops every check and resolves once in-flight probes have settled. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const { checker } of this.groups.values()) this.stop(checker);
      this.groups.clear();
    }
    await Promise.all([...this.closing]);
  }

  private stop(checker: HealthChecker): void {
    const closing = checker.close();
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }
}
