/**
 * EnginePort is the narrow slice of the engine the server drives: apply whole snapshots, read
 * runtime health, close. Typing against this slice (rather than the Engine class) keeps the
 * one-way flow of DESIGN.md visible: the server never reaches into engine internals.
 */
import type { EngineSnapshot } from '../../schema/snapshot.ts';
import type { ApplyResult, ServerHealth } from '../../engine/types.ts';

/** EnginePort is what the server needs from a running engine. */
export interface EnginePort {
  apply(snapshot: EngineSnapshot): Promise<ApplyResult>;
  serverGroupHealth(groupId: string): ServerHealth[] | undefined;
  close(deadlineMs?: number): Promise<void>;
}
