/**
 * RuntimeView is what the API reads from the running engine: listener status, server health,
 * and the promise that committed writes have been applied. The process runtime implements it
 * over the real engine; an app built without an engine (API tests, tools) uses DETACHED_RUNTIME.
 */
import type { Registry } from 'prom-client';
import type { PrepareProblem, ServerHealth } from '../../engine/types.ts';
import type { ClusterStatus, EngineNodeStatus } from '../../schema/api/system.ts';
import type { EngineSnapshot } from '../../schema/snapshot.ts';
import type { ListenerStatus } from '../runtime/listener-status.ts';

/** RuntimeView is the engine-facing side of the API. */
export interface RuntimeView {
  /** The status / statusReason of a listener or QUIC listener at a stored version. */
  listenerStatus(id: string, version: number): ListenerStatus;
  /** Called after every committed write: schedule an apply. */
  committed(): void;
  /** Resolves once every write committed so far is applied, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  /** Runtime health of a server group's servers; undefined when the engine does not run it. */
  serverGroupHealth(id: string): ServerHealth[] | undefined;
  /**
   * Prepares `snapshot` in the running engine as an apply would, keeps nothing of it, and
   * returns why listeners of `listenerIds` could not be applied (a dry run's last check, SPEC
   * §3). Absent without an engine: dry runs then stop at the store's checks.
   */
  prepareSnapshot?(snapshot: EngineSnapshot, listenerIds: ReadonlySet<string>): readonly PrepareProblem[];
  /** How the node's engine runs (its workers), for the liveness route. Absent without an engine. */
  engineStatus?(): EngineNodeStatus;
  /**
   * The node that answers and the live nodes, for the liveness route, read afresh from the store
   * (a node that stopped cleanly a moment ago is gone from it). Absent outside a cluster.
   */
  clusterStatus?(): Promise<ClusterStatus | undefined>;
  /** The name of this node once it has joined its cluster, outside a cluster absent (says whose view a server group's health is). */
  readonly nodeName?: string | undefined;
  /**
   * The node's Prometheus text: `own` (the API's registry) merged with what the engine's workers
   * count. Absent when everything is in `own`.
   */
  metrics?(own: Registry): Promise<string>;
}

/** DETACHED_RUNTIME is the view of an API with no engine behind it: nothing is ever provisioned. */
export const DETACHED_RUNTIME: RuntimeView = Object.freeze({
  listenerStatus: (): ListenerStatus => ({ status: 'Provisioning' }),
  committed: (): void => {},
  settled: async (): Promise<void> => {},
  serverGroupHealth: (): undefined => undefined,
});
