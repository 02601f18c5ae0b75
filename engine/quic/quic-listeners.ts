/**
 * The engine's QUIC listeners (SPEC 1.3): per QuicListener, a UDP front on its public port
 * (front/) relaying each client to an internal QUIC server chosen by SNI, HTTP/3 on every
 * connection (h3-connection.ts), requests through the same pipeline as HTTPS with the
 * configuration of the moment (E16).
 *
 * - Status: `Running` while the front and its internal servers run; `Failed` with the reason
 *   when the public UDP port cannot be bound (tried again on the next apply, identical or not);
 *   `Unavailable` only when the transport cannot load on this platform.
 * - Certificates: one internal server per certificate of the listener (a "generation"), each on
 *   127.0.0.1:0; the front routes a new client by the SNI of its Initial packets with the HTTPS
 *   listeners' matching (exact names, then wildcards, E1), to the default certificate otherwise.
 * - Forwarded headers, compression and underscore fields: those of the HTTPS listener that
 *   upgrades to this QUIC listener (`quic.quicListenerId`; client-certificate headers off: QUIC
 *   listeners ask no client certificate), else X-Forwarded-For (append) and X-Forwarded-Proto,
 *   compression on. The client's address is the real one the front saw (`clientFor`).
 * - A change of certificates, keys or idle timeout starts a new generation and routes new
 *   clients to it; the old generation's connections go on untouched until they end (or the
 *   drain deadline, when they are sent away with GOAWAY), then the front retires its servers and
 *   they close once no relay uses them. A change of address or port replaces the front: the old
 *   one drains (GOAWAY) and closes before the new one binds. Any other change swaps the
 *   configuration reference only: nothing is dropped.
 */
import type { EngineSnapshot, SnapshotQuicListener } from '../../schema/snapshot.ts';
import { describeError } from '../errors.ts';
import type { EngineMetrics } from '../observability/metrics.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import type { AccessLogRecord, ListenerState } from '../types.ts';
import type { ServerGroupRuntime } from '../upstream/server-group-runtime.ts';
import { loadQuicTransport, type QuicTransport } from './quic-transport.ts';
import { planOf, type QuicPlan } from './quic-plan.ts';
import { QuicListenerRuntime, type QuicInspection } from './quic-listener-runtime.ts';

export { MOVE_WAIT_MS, type QuicInspection } from './quic-listener-runtime.ts';

/** ALT_SVC_MAX_AGE is the `ma` of the Alt-Svc field (SPEC 1.3). */
const ALT_SVC_MAX_AGE = 86400;

/** QuicListenerOptions are the engine-wide settings QUIC listeners need. */
export interface QuicListenerOptions {
  readonly accessLog?: ((record: AccessLogRecord) => void) | undefined;
  readonly metrics?: EngineMetrics | undefined;
  readonly drainTimeoutMs: number;
  /** Serve QUIC listeners here (false: an engine worker that leaves QUIC to another; SPEC 2.2). */
  readonly serve: boolean;
  /** E17's head deadline, ms (EngineOptions.headersTimeoutMs). */
  readonly headersTimeoutMs: number;
}

/** QuicListeners runs every QUIC listener of an engine. */
export class QuicListeners {
  private readonly options: QuicListenerOptions;
  /** Serve QUIC listeners here (QuicListenerOptions.serve; an engine worker is told per snapshot). */
  serve: boolean;
  /** QUIC listeners another engine of the node runs, with their ports (while this one serves none). */
  servedElsewhere: ReadonlyMap<string, number> = new Map();
  private readonly runtimes = new Map<string, QuicListenerRuntime>();
  private readonly draining = new Set<QuicListenerRuntime>();
  private states: ListenerState[] = [];
  private plans = new Map<string, QuicPlan>();

  constructor(options: QuicListenerOptions) {
    this.options = options;
    this.serve = options.serve;
  }

  /**
   * altSvc is the Alt-Svc value for a QUIC listener while it is Running here, else undefined
   * (SPEC 1.3: advertised only while the QUIC listener runs).
   */
  altSvc(quicListenerId: string): string | undefined {
    if (!this.serve) {
      const port = this.servedElsewhere.get(quicListenerId);
      return port === undefined ? undefined : this.altSvcFor(port);
    }
    const runtime = this.runtimes.get(quicListenerId);
    return runtime?.serving === true ? this.altSvcFor(runtime.port) : undefined;
  }

  /** The Alt-Svc value of each port advertised so far: altSvc runs on every response an upgrading listener sends. */
  private readonly altSvcByPort = new Map<number, string>();

  /** altSvcFor is the Alt-Svc value advertising HTTP/3 on `port` of the same host (SPEC 1.3), built once per port. */
  private altSvcFor(port: number): string {
    let value = this.altSvcByPort.get(port);
    if (value === undefined) {
      value = `h3=":${port}"; ma=${ALT_SVC_MAX_AGE}`;
      this.altSvcByPort.set(port, value);
    }
    return value;
  }

  /** inspect reports what QUIC listener `id` runs now, for tests only (QuicInspection). */
  inspect(id: string): QuicInspection | undefined {
    return this.runtimes.get(id)?.inspect();
  }

  /** states reports every QUIC listener of the last snapshot applied. */
  get current(): readonly ListenerState[] {
    return this.states;
  }

  /** groupsInUse adds the server-group runtimes running or draining QUIC listeners route through. */
  groupsInUse(into: Set<ServerGroupRuntime>): void {
    for (const r of this.runtimes.values()) into.add(r.config.serverGroup);
    for (const r of this.draining) into.add(r.config.serverGroup);
  }

  /** hasFailed tells whether a QUIC listener is Failed (an identical apply tries it again). */
  get hasFailed(): boolean {
    return this.states.some((s) => s.status === 'Failed');
  }

  /** apply runs the QUIC listeners of `snapshot` (server groups already committed) and reports them. */
  async apply(snapshot: EngineSnapshot, lookup: SnapshotLookup, groups: ReadonlyMap<string, ServerGroupRuntime>): Promise<ListenerState[]> {
    const quics = snapshot.quicListeners;
    const wanted = new Set(this.serve ? quics.map((q) => q.id) : []);
    for (const [id, runtime] of this.runtimes) {
      if (wanted.has(id)) continue;
      this.runtimes.delete(id);
      this.options.metrics?.dropListener(id);
      this.retire(runtime, this.options.drainTimeoutMs);
    }
    if (quics.length === 0 || !this.serve) {
      this.plans = new Map();
      this.states = [];
      return [];
    }
    const load = loadQuicTransport();
    if ('unavailable' in load) {
      this.states = quics.map((q) => ({ id: q.id, kind: 'QuicListener', status: 'Unavailable', statusReason: load.unavailable, version: q.version }));
      return this.states.map((s) => ({ ...s }));
    }
    const plans = new Map<string, QuicPlan>();
    const failures = new Map<string, string>();
    for (const q of quics) {
      try {
        plans.set(q.id, planOf(q, snapshot, lookup, groups));
      } catch (err) {
        failures.set(q.id, describeError(err));
      }
    }
    this.plans = plans;
    this.states = await Promise.all(quics.map(async (q): Promise<ListenerState> => {
      const failure = failures.get(q.id);
      if (failure !== undefined) return this.failedState(q, failure);
      return this.run(load.transport, plans.get(q.id)!);
    }));
    return this.states.map((s) => ({ ...s }));
  }

  /** retryFailed binds the Failed QUIC listeners again (an identical apply: a port may have been freed). */
  async retryFailed(): Promise<ListenerState[]> {
    const load = loadQuicTransport();
    if ('unavailable' in load) return [];
    const updated = await Promise.all(this.states.filter((s) => s.status === 'Failed').map(async (s) => {
      const plan = this.plans.get(s.id);
      return plan === undefined ? s : this.run(load.transport, plan);
    }));
    const byId = new Map(updated.map((s) => [s.id, s]));
    this.states = this.states.map((s) => byId.get(s.id) ?? s);
    return updated.map((s) => ({ ...s }));
  }

  /** close sends every connection away and closes every server, waiting for requests up to `deadlineMs`. */
  async close(deadlineMs: number): Promise<void> {
    const all = [...this.runtimes.values(), ...this.draining];
    this.runtimes.clear();
    this.states = [];
    await Promise.all(all.map((r) => r.close(deadlineMs)));
    this.draining.clear();
  }

  private async run(transport: QuicTransport, plan: QuicPlan): Promise<ListenerState> {
    const id = plan.listener.id;
    const running = this.runtimes.get(id);
    try {
      if (running !== undefined) {
        if (!running.serving || running.frontKey !== plan.frontKey) await running.move(transport, plan);
        else if (running.generationKey !== plan.generationKey) await running.rotate(transport, plan, this.options.drainTimeoutMs);
        else running.update(plan);
        return this.runningState(running, plan);
      }
      const metrics = this.options.metrics?.listener(id);
      const fresh = new QuicListenerRuntime(plan, { accessLog: this.options.accessLog, metrics }, metrics, this.options.headersTimeoutMs);
      await fresh.start(transport);
      this.runtimes.set(id, fresh);
      return this.runningState(fresh, plan);
    } catch (err) {
      return this.failedState(plan.listener, bindFailure(err, plan, running?.port));
    }
  }

  private runningState(runtime: QuicListenerRuntime, plan: QuicPlan): ListenerState {
    return {
      id: plan.listener.id,
      kind: 'QuicListener',
      status: 'Running',
      version: plan.listener.version,
      port: runtime.port,
    };
  }

  private failedState(q: SnapshotQuicListener, reason: string): ListenerState {
    const running = this.runtimes.get(q.id);
    if (running?.serving === true) return { id: q.id, kind: 'QuicListener', status: 'Failed', statusReason: reason, version: running.config.listener.version, port: running.port };
    return { id: q.id, kind: 'QuicListener', status: 'Failed', statusReason: reason, version: q.version };
  }

  private retire(runtime: QuicListenerRuntime, deadlineMs: number): void {
    this.draining.add(runtime);
    void runtime.close(deadlineMs).then(() => this.draining.delete(runtime));
  }
}

/** bindFailure words why a server could not start, as a listener's Failed reason does. */
function bindFailure(err: unknown, plan: QuicPlan, boundPort: number | undefined): string {
  const text = describeError(err);
  return `UDP ${plan.address}:${plan.listener.port || boundPort || 0}: ${text}`;
}
