/**
 * HealthChecker: active health checks of one server group (SPEC 1.6, E15). Each server is
 * checked on its own timer (a check never overlaps the previous one); consecutive results move
 * it between states, and transitions are reported to a listener so the scheduler rebuilds its
 * rotation only when something changed.
 *
 * States. `Unchecked`: health checking is off, or the server has no result yet — it is in
 * rotation (a new server or a freshly started group serves at once; with checks on, the first
 * check runs immediately). `Healthy`: in rotation; reached from Unchecked by one success, from
 * Unhealthy by `healthyThreshold` consecutive successes. `Unhealthy`: out of rotation; reached
 * after `unhealthyThreshold` consecutive failures.
 */
import type net from 'node:net';
import type { HealthCheckConfig, SnapshotServer } from '../../schema/snapshot.ts';
import type { ServerHealth } from '../types.ts';
import { compileProbe, probe, REAL_SECOND_MS, type ProbeSpec } from './probe.ts';

export type { ServerHealth };

/** ServerState is SPEC 1.6's runtime health vocabulary. */
export type ServerState = ServerHealth['state'];

/** HealthTransition is reported whenever a server's state changes. */
export interface HealthTransition {
  readonly groupId: string;
  readonly address: string;
  readonly port: number;
  readonly from: ServerState;
  readonly to: ServerState;
  /** Whether the server is in rotation after the change. */
  readonly available: boolean;
}

/** HealthCheckerOptions tune a checker. */
export interface HealthCheckerOptions {
  /** Called on each state transition (after the state is updated). */
  onTransition?: (transition: HealthTransition) => void;
  /**
   * secondMs is how long one configured second lasts (default REAL_SECOND_MS). Tests shorten it to run
   * the same thresholds and intervals faster; every duration scales, so semantics do not change.
   */
  secondMs?: number;
}

/** serverKey is the identity of a server within a group: (address, port) is unique there (1.6). */
export function serverKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

interface Entry {
  readonly address: string;
  readonly port: number;
  state: ServerState;
  successes: number;
  failures: number;
  lastCheck: { at: string; ok: boolean; detail: string } | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Bumped when the entry is removed or re-planned, so a late result of an old check is ignored. */
  generation: number;
}

/** HealthChecker owns the checks of one server group; start()/close() are idempotent. */
export class HealthChecker {
  readonly groupId: string;
  private config: HealthCheckConfig;
  private spec: ProbeSpec;
  private entries = new Map<string, Entry>();
  private readonly open = new Set<net.Socket>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly onTransition: ((t: HealthTransition) => void) | undefined;
  private readonly secondMs: number;
  private running = false;
  private closed = false;

  constructor(groupId: string, healthCheck: HealthCheckConfig, servers: readonly SnapshotServer[], options: HealthCheckerOptions = {}) {
    this.groupId = groupId;
    this.config = healthCheck;
    this.secondMs = options.secondMs ?? REAL_SECOND_MS;
    this.spec = compileProbe(healthCheck, this.secondMs);
    this.onTransition = options.onTransition;
    for (const s of servers) this.entries.set(serverKey(s.address, s.port), newEntry(s.address, s.port));
  }

  /** start begins checking (immediately, then every interval); no-op when running, closed or disabled. */
  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    if (this.config.enabled) for (const e of this.entries.values()) this.schedule(e, 0);
  }

  /**
   * update applies a new configuration of the group: servers that remain keep their state and
   * counters, new ones start Unchecked, removed ones stop being checked. A changed health-check
   * configuration re-plans every check; turning checks off makes every server Unchecked.
   */
  update(healthCheck: HealthCheckConfig, servers: readonly SnapshotServer[]): void {
    if (this.closed) return;
    const replan = !sameConfig(this.config, healthCheck);
    this.config = healthCheck;
    if (replan) this.spec = compileProbe(healthCheck, this.secondMs);
    const next = new Map<string, Entry>();
    for (const s of servers) {
      const key = serverKey(s.address, s.port);
      let e = this.entries.get(key);
      if (e === undefined) {
        e = newEntry(s.address, s.port);
        if (this.running && healthCheck.enabled) this.schedule(e, 0);
      } else if (replan) {
        this.cancel(e);
        if (!healthCheck.enabled) this.setState(e, 'Unchecked');
        else if (this.running) this.schedule(e, 0);
      }
      next.set(key, e);
    }
    for (const [key, e] of this.entries) if (!next.has(key)) this.cancel(e);
    this.entries = next;
  }

  /** isAvailable tells whether a server is in rotation (unknown servers are not). */
  isAvailable(address: string, port: number): boolean {
    const e = this.entries.get(serverKey(address, port));
    return e !== undefined && e.state !== 'Unhealthy';
  }

  /** stateOf returns a server's state, or undefined when it is not in the group. */
  stateOf(address: string, port: number): ServerState | undefined {
    return this.entries.get(serverKey(address, port))?.state;
  }

  /** health lists every server's state and last check result, in configuration order. */
  health(): ServerHealth[] {
    const list: ServerHealth[] = [];
    for (const e of this.entries.values()) {
      const item: ServerHealth = { address: e.address, port: e.port, state: e.state };
      if (e.lastCheck !== undefined) item.lastCheck = { ...e.lastCheck };
      list.push(item);
    }
    return list;
  }

  /** close stops every timer and destroys in-flight checks; resolves once they have settled. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.running = false;
      for (const e of this.entries.values()) this.cancel(e);
      for (const socket of this.open) socket.destroy();
    }
    await Promise.all([...this.pending]);
  }

  private schedule(e: Entry, delayMs: number): void {
    const generation = e.generation;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (generation !== e.generation || !this.running) return;
      this.check(e, generation);
    }, delayMs);
  }

  private check(e: Entry, generation: number): void {
    const spec = this.spec;
    const run = probe(spec, e.address, e.port, this.open).then((result) => {
      if (generation !== e.generation || !this.running) return;
      this.record(e, result.ok, result.detail);
      this.schedule(e, this.config.interval * this.secondMs);
    });
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  private record(e: Entry, ok: boolean, detail: string): void {
    e.lastCheck = { at: new Date().toISOString(), ok, detail };
    if (ok) {
      e.successes++;
      e.failures = 0;
      if (e.state === 'Unchecked' || (e.state === 'Unhealthy' && e.successes >= this.config.healthyThreshold)) this.setState(e, 'Healthy');
    } else {
      e.failures++;
      e.successes = 0;
      if (e.state !== 'Unhealthy' && e.failures >= this.config.unhealthyThreshold) this.setState(e, 'Unhealthy');
    }
  }

  private setState(e: Entry, to: ServerState): void {
    const from = e.state;
    if (from === to) return;
    e.state = to;
    if (to === 'Unchecked') {
      e.successes = 0;
      e.failures = 0;
    }
    this.onTransition?.({ groupId: this.groupId, address: e.address, port: e.port, from, to, available: to !== 'Unhealthy' });
  }

  private cancel(e: Entry): void {
    e.generation++;
    if (e.timer !== undefined) clearTimeout(e.timer);
    e.timer = undefined;
  }
}

function newEntry(address: string, port: number): Entry {
  return { address, port, state: 'Unchecked', successes: 0, failures: 0, lastCheck: undefined, timer: undefined, generation: 0 };
}

function sameConfig(a: HealthCheckConfig, b: HealthCheckConfig): boolean {
  return (
    a.enabled === b.enabled &&
    a.protocol === b.protocol &&
    a.method === b.method &&
    a.path === b.path &&
    a.host === b.host &&
    a.httpVersion === b.httpVersion &&
    a.port === b.port &&
    a.interval === b.interval &&
    a.timeout === b.timeout &&
    a.healthyThreshold === b.healthyThreshold &&
    a.unhealthyThreshold === b.unhealthyThreshold &&
    a.codes.length === b.codes.length &&
    a.codes.every((c, i) => c === b.codes[i])
  );
}
