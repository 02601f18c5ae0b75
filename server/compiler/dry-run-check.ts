/**
 * EngineDryRun is the last check of a dry run (SPEC §3): inside the write's transaction, after
 * every store check passed and the pending row is written, it compiles the snapshot the write
 * would produce and has the running engine prepare it — the engine's own load path (secure
 * contexts, SNI tables, server-group runtimes), nothing bound, nothing kept — so that a
 * certificate or TLS policy the engine would refuse fails the dry run, naming the field,
 * instead of leaving a listener Failed after the real write.
 *
 * It compiles with a SnapshotCompiler of its own: its cache sees the rows of dry-run
 * transactions, which roll back, so it must not be the cache of the compiler that feeds the
 * engine.
 */
import type { PrepareProblem } from '../../engine/types.ts';
import { GatehouseError, type FieldError } from '../../schema/errors.ts';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import { listenerFieldNaming } from '../../schema/resources/listener.ts';
import type { EngineSnapshot, SnapshotListener } from '../../schema/snapshot.ts';
import type { ListenerStatus } from '../runtime/listener-status.ts';
import type { Store } from '../store/store.ts';
import { SnapshotCompiler } from './compile.ts';

/** DryRunEngine is what the check needs from the running engine (the API's RuntimeView provides it). */
export interface DryRunEngine {
  /** Prepares a snapshot, keeps nothing, and returns why listeners of `listenerIds` could not be applied. */
  prepareSnapshot(snapshot: EngineSnapshot, listenerIds: ReadonlySet<string>): readonly PrepareProblem[];
  /** What the engine reports now for a listener at a stored version. */
  listenerStatus(id: string, version: number): ListenerStatus;
}

/** WrittenResource is the resource a dry run writes. */
export interface WrittenResource {
  readonly kind: ResourceKindName;
  readonly id: string;
}

/** EngineDryRun runs the engine's preparation for dry runs of one store. */
export class EngineDryRun {
  readonly #compiler: SnapshotCompiler;
  readonly #engine: DryRunEngine;

  constructor(store: Store, engine: DryRunEngine) {
    this.#compiler = new SnapshotCompiler(store);
    this.#engine = engine;
  }

  /**
   * check compiles the store as the open transaction left it and prepares the result; it
   * throws ENGINE_REJECTED (422) naming, at the written resource's field, every listener the
   * write touches that the engine could not apply. A listener the write does not touch is not
   * prepared; one that fails now already for the same reason does not count against the write
   * (the written listener itself always does).
   */
  check(written: WrittenResource): void {
    const { snapshot } = this.#compiler.compile();
    const touched = touchedListeners(snapshot, written.id);
    if (touched.size === 0) return;
    const problems = this.#engine.prepareSnapshot(snapshot, touched);
    const byId = new Map(snapshot.listeners.map((l) => [l.id, l]));
    const errors: FieldError[] = [];
    for (const problem of problems) {
      const listener = byId.get(problem.listenerId);
      if (!listener || !touched.has(listener.id)) continue;
      const own = listener.id === written.id;
      if (!own && this.#failsAlready(listener, problem)) continue;
      errors.push({
        path: fieldOf(written, listener, problem),
        code: 'ENGINE_REJECTED',
        message: own ? problem.reason : `listener ${listener.id}: ${problem.reason}`,
      });
    }
    if (errors.length > 0) {
      throw new GatehouseError('ENGINE_REJECTED', `the engine cannot apply the configuration this write would make: ${errors.map((e) => e.message).join('; ')}`, errors);
    }
  }

  #failsAlready(listener: SnapshotListener, problem: PrepareProblem): boolean {
    const now = this.#engine.listenerStatus(listener.id, listener.version);
    return now.status === 'Failed' && now.statusReason === problem.reason;
  }
}

/** touchedListeners lists the listeners of a snapshot that are, or name, the resource `id` (ids are unique across kinds). */
export function touchedListeners(snapshot: EngineSnapshot, id: string): Set<string> {
  const ids = new Set<string>();
  for (const l of snapshot.listeners) if (l.id === id || listenerFieldNaming(l, id) !== undefined) ids.add(l.id);
  return ids;
}

/**
 * fieldOf is the field of the written resource a listener's failure is reported at: a written
 * listener names its own field at fault, or the field naming the certificate or policy at fault
 * (`tlsPolicyId`, `certificates.defaultCertificateId`, …); any other written resource, its
 * kind's `engineFaultField` (a policy's `ciphers`, a certificate's `certificatePem`).
 */
function fieldOf(written: WrittenResource, listener: SnapshotListener, problem: PrepareProblem): string {
  if (written.id !== listener.id) return RESOURCE_KINDS[written.kind].engineFaultField;
  const fault = problem.fault;
  if (fault === undefined) return '';
  if ('field' in fault) return fault.field;
  return listenerFieldNaming(listener, fault.id) ?? '';
}
