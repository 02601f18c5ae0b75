/**
 * EngineHarness: one Engine plus the backends and snapshots a test builds, closed together,
 * so each test reads as "apply this, then a client sees that".
 */
import { Engine, type ApplyResult, type EngineOptions } from '../../../engine/index.ts';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';
import { startBackend, type TestBackend } from './backends.ts';

/** EngineHarness owns an engine and its test backends. */
export class EngineHarness {
  readonly engine: Engine;
  private readonly backends: TestBackend[] = [];

  constructor(options: EngineOptions = {}) {
    this.engine = new Engine({ drainTimeoutMs: 2000, ...options });
  }

  /** backend starts an echo backend that is closed with the harness. */
  async backend(name: string): Promise<TestBackend> {
    const b = await startBackend(name);
    this.backends.push(b);
    return b;
  }

  /** apply applies a snapshot and returns the result. */
  apply(snapshot: EngineSnapshot): Promise<ApplyResult> {
    return this.engine.apply(snapshot);
  }

  /** close closes the engine, then the backends. */
  async close(): Promise<void> {
    await this.engine.close(1000);
    await Promise.all(this.backends.map((b) => b.close()));
  }
}

/** portOf returns the bound port of one listener in an apply result, failing loudly if it is not Running. */
export function portOf(result: ApplyResult, listenerId: string): number {
  const state = result.listeners.find((l) => l.id === listenerId);
  if (!state || state.status !== 'Running' || state.port === undefined) {
    throw new Error(`listener ${listenerId} is not running: ${JSON.stringify(state)}`);
  }
  return state.port;
}
