/**
 * ProxyFixture: a real Engine with the backends, clients and snapshots of one test, closed
 * together. Snapshots come from the Engine I builders (test/engine/support/snapshots.ts), so
 * every test states only the fields it is about.
 */
import type tls from 'node:tls';
import { Registry } from 'prom-client';
import { Engine, type AccessLogRecord, type ApplyResult, type EngineOptions } from '../../../engine/index.ts';
import { portOf } from '../../engine/support/harness.ts';
import { buildSnapshot, type SnapshotParts } from '../../engine/support/snapshots.ts';
import { RawBackend, type Responder } from './raw-backend.ts';

/** ProxyFixture owns an engine and what a test opened around it. */
export class ProxyFixture {
  readonly engine: Engine;
  readonly records: AccessLogRecord[] = [];
  readonly registry = new Registry();
  private readonly closers: (() => unknown)[] = [];
  private result: ApplyResult | undefined;

  constructor(options: EngineOptions = {}) {
    this.engine = new Engine({
      drainTimeoutMs: 2000,
      accessLog: (r) => this.records.push(r),
      metricsRegistry: this.registry,
      ...options,
    });
  }

  /** apply builds and applies a snapshot; every listener must come up. */
  async apply(parts: SnapshotParts): Promise<ApplyResult> {
    const result = await this.engine.apply(buildSnapshot(parts));
    for (const l of result.listeners) if (l.kind === 'Listener' && l.status !== 'Running') throw new Error(`listener ${l.id}: ${l.statusReason}`);
    this.result = result;
    return result;
  }

  /** port is a listener's bound port in the last apply. */
  port(listenerId: string): number {
    return portOf(this.result!, listenerId);
  }

  /** backend starts a recording backend closed with the fixture. */
  async backend(responder?: Responder, tlsOptions?: tls.TlsOptions): Promise<RawBackend> {
    const b = await RawBackend.start(responder, tlsOptions);
    this.closers.push(() => b.close());
    return b;
  }

  /** onClose registers something to close with the fixture. */
  onClose(fn: () => unknown): void {
    this.closers.push(fn);
  }

  /** close closes the engine, then everything else. */
  async close(): Promise<void> {
    await this.engine.close(500);
    for (const c of this.closers.reverse()) await c();
  }
}

/** sleep waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** eventually retries an assertion until it passes or the time is up. */
export async function eventually(fn: () => void | Promise<void>, timeoutMs = 5000, stepMs = 25): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(stepMs);
    }
  }
}
