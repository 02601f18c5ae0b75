/**
 * GroupHealthSource is what a server group's shared state needs of whatever decides its
 * servers' health: the engine's own HealthChecker (probes) or ReportedHealth (states set from
 * outside through Engine.setServerHealth, when a supervisor probes once for several engines).
 */
import type { HealthCheckConfig, SnapshotServer } from '../../schema/snapshot.ts';
import type { ServerHealth } from '../types.ts';
import type { ServerState } from './health-checker.ts';

/** GroupHealthSource decides the health of one server group's servers; start()/close() are idempotent. */
export interface GroupHealthSource {
  /** update applies a new configuration of the group (servers that remain keep their state). */
  update(healthCheck: HealthCheckConfig, servers: readonly SnapshotServer[]): void;
  /** start begins deciding (for a checker: probing); a no-op when running or closed. */
  start(): void;
  /** close stops deciding; resolves once nothing of it runs any more. */
  close(): Promise<void>;
  /** stateOf returns a server's state, or undefined when it is not in the group. */
  stateOf(address: string, port: number): ServerState | undefined;
  /** health lists every server's state (and last check, when there is one), in configuration order. */
  health(): ServerHealth[];
}
