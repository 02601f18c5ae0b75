/**
 * ProxyFixture: a real Engine with the backends, clients and snapshots of one test, closed
 * together. Snapshots come from the builders in snapshots.ts, so every test states only the
 * fields it is about.
 */
import type tls from 'node:tls';
import { Registry } from 'prom-client';
import { Engine, type AccessLogRecord, type ApplyResult, type EngineOptions } from '../../../engine/index.ts';
import { portOf } from './harness.ts';
import { buildSnapshot, type SnapshotParts } from './snapshots.ts';
import { okResponse, RawBackend, type Responder } from './raw-backend.ts';

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

  /** namedBackends starts one backend per name, each answering 200 with its name as the body. */
  async namedBackends(...names: string[]): Promise<RawBackend[]> {
    return Promise.all(names.map((n) => this.backend(() => okResponse(n))));
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
