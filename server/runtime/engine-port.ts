/**
 * EnginePort is the narrow slice of the engine the server drives: apply whole snapshots, read
 * runtime health, close. Typing against this slice (rather than the Engine class) keeps the
 * one-way flow of DESIGN.md visible: the server never reaches into engine internals.
 */
import type { EngineSnapshot } from '../../schema/snapshot.ts';
import type { ApplyResult, PrepareOptions, PreparedSnapshot, PrepareProblem, ServerHealth } from '../../engine/types.ts';

/** EnginePort is what the server needs from a running engine. */
export interface EnginePort {
  apply(snapshot: EngineSnapshot): Promise<ApplyResult>;
  serverGroupHealth(groupId: string): ServerHealth[] | undefined;
  close(deadlineMs?: number): Promise<void>;
}

/** EnginePreparer is the slice of the engine a dry run drives: prepare, never commit. */
export interface EnginePreparer {
  prepare(snapshot: EngineSnapshot, options?: PrepareOptions): PreparedSnapshot;
}

/**
 * prepareListeners prepares the listeners `listenerIds` of `snapshot` in `engine` as an apply
 * would, releases the preparation at once (nothing bound, nothing kept), and returns why any
 * of them could not be applied.
 */
export function prepareListeners(engine: EnginePreparer, snapshot: EngineSnapshot, listenerIds: ReadonlySet<string>): readonly PrepareProblem[] {
  const prepared = engine.prepare(snapshot, { listeners: listenerIds });
  prepared.release();
  return prepared.problems;
}
