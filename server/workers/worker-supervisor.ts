/**
 * WorkerSupervisor runs a node's engine as N worker processes and is, to the rest of the
 * server, one EnginePort. It sends every snapshot to every running worker and answers with the
 * merge of their acknowledgements (merge-results.ts); it keeps what the workers must agree on in
 * one place — the node's health checks (one set of probes, whatever the number of workers), the
 * session-ticket secret it rotates, the Server-mode sticky values one worker learns — and hands
 * it to every worker; it merges their access logs whole-line and their metrics by summing.
 *
 * A worker that dies is started again — at once after a run of a while, with a doubling pause
 * when it keeps dying soon after its start — and counts for listener status again only once it
 * has applied the current snapshot (a full resync). Until then the others serve: a listener is
 * Running when every running worker runs it.
 */
import { randomBytes } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { DEFAULT_TICKET_KEY_ROTATION_MS, GroupHealthChecks, type ApplyResult, type HealthTransition, type ListenerState, type ServerHealth } from '../../engine/index.ts';
import type { EngineSnapshot } from '../../schema/snapshot.ts';
import type { WorkerStatus } from '../../schema/api/system.ts';
import type { EnginePort } from '../runtime/engine-port.ts';
import { AccessLogMerge, type AccessLogSink } from './access-log-merge.ts';
import { mergeApplyResults, type WorkerResult } from './merge-results.ts';
import type { SupervisorMessage, WorkerMessage } from './protocol.ts';
import { NodeStickyMemory } from './node-sticky-memory.ts';
import { RestartBackoff } from './restart-backoff.ts';
import { APPLY_TIMEOUT_MS, describeExit, WorkerProcess, type WorkerExit } from './worker-process.ts';

/** WorkerState is what the status route says of a worker slot. */
export type WorkerState = WorkerStatus['state'];

/** SupervisorOptions configure a node's workers. */
export interface SupervisorOptions {
  readonly workers: number;
  /** The environment workers start with (secrets removed). */
  readonly env: NodeJS.ProcessEnv;
  readonly accessLog: AccessLogSink;
  readonly log: (message: string) => void;
  readonly drainTimeoutMs?: number | undefined;
  readonly headersTimeoutMs?: number | undefined;
  /** How long one configured health-check second lasts (tests shorten it). */
  readonly healthCheckSecondMs?: number | undefined;
  /** How often the ticket secret changes (default: the ticket lifetime, E5). */
  readonly ticketKeyRotationMs?: number | undefined;
  /** How long a running worker may leave a ping unanswered before it is killed and replaced (default WORKER_ANSWER_TIMEOUT_MS). */
  readonly answerTimeoutMs?: number | undefined;
  /** How long a worker may take to acknowledge a configuration before it is killed and replaced (default APPLY_TIMEOUT_MS). */
  readonly applyTimeoutMs?: number | undefined;
}

/**
 * WORKER_ANSWER_TIMEOUT_MS is how long a worker's event loop may stay stuck (a ping unanswered)
 * before the worker is killed and replaced: long enough for the largest apply, short enough that
 * a stuck worker does not hold its share of the connections for long.
 */
export const WORKER_ANSWER_TIMEOUT_MS = 10_000;

/** WATCHDOG_INTERVAL_MS is how often each running worker is pinged (at most one ping in flight each). */
const WATCHDOG_INTERVAL_MS = 1_000;

/** TICKET_SECRET_BYTES is the size of the node's session-ticket secret (256 bits). */
const TICKET_SECRET_BYTES = 32;

interface Slot {
  readonly worker: number;
  readonly backoff: RestartBackoff;
  process: WorkerProcess | undefined;
  state: WorkerState;
  appliedVersion: number | null;
  restarts: number;
  lastExit: string | null;
  restartTimer: NodeJS.Timeout | undefined;
  /** A ping to the slot's worker is in flight. */
  pinging: boolean;
  /** Why the supervisor killed the slot's worker, for the log and lastExit. */
  killReason: string | undefined;
}

/** WorkerSupervisor is the EnginePort of a node whose engine runs in worker processes. */
/**
 * QUIC_WORKER is the worker slot that serves QUIC listeners: the QUIC transport binds a UDP port
 * without SO_REUSEPORT, so one process per node serves each (SPEC 2.2). The process in that slot
 * (the spare included, once it takes the slot) is told so with each snapshot.
 */
const QUIC_WORKER = 1;

export class WorkerSupervisor implements EnginePort {
  readonly #options: SupervisorOptions;
  readonly #slots: Slot[];
  readonly #health: GroupHealthChecks;
  readonly #accessLog: AccessLogMerge;
  readonly #rotation: NodeJS.Timeout;
  readonly #watchdog: NodeJS.Timeout;
  readonly #sticky = new NodeStickyMemory();
  /** Worker starts in flight: close() waits for them, so no worker it never saw outlives the node. */
  readonly #launches = new Set<Promise<void>>();
  /**
   * A worker started ahead and kept idle (no listener, no slot): a slot whose worker dies takes
   * it, so the node waits only for the resync, not for a process to start.
   */
  #spare: Promise<WorkerProcess | undefined> | undefined;
  /** The QUIC listeners the QUIC worker runs, with their ports (none while it is down). */
  #quicServed: readonly (readonly [string, number])[] = [];
  #ticketSecret = randomBytes(TICKET_SECRET_BYTES);
  #current: EngineSnapshot | undefined;
  #seq = 0;
  #closing: Promise<void> | undefined;

  private constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#accessLog = new AccessLogMerge(options.accessLog);
    this.#slots = Array.from({ length: options.workers }, (_, i) => ({
      worker: i + 1,
      backoff: new RestartBackoff(),
      process: undefined,
      state: 'starting',
      appliedVersion: null,
      restarts: 0,
      lastExit: null,
      restartTimer: undefined,
      pinging: false,
      killReason: undefined,
    }));
    this.#health = new GroupHealthChecks({
      ...(options.healthCheckSecondMs !== undefined ? { secondMs: options.healthCheckSecondMs } : {}),
      onTransition: (t: HealthTransition) => this.#broadcast({ type: 'health', report: { groupId: t.groupId, address: t.address, port: t.port, state: t.to } }),
    });
    this.#rotation = setInterval(() => this.#rotateTicketSecret(), options.ticketKeyRotationMs ?? DEFAULT_TICKET_KEY_ROTATION_MS);
    this.#rotation.unref();
    const answerTimeoutMs = options.answerTimeoutMs ?? WORKER_ANSWER_TIMEOUT_MS;
    this.#watchdog = setInterval(() => this.#watch(answerTimeoutMs), Math.min(WATCHDOG_INTERVAL_MS, answerTimeoutMs / 2));
    this.#watchdog.unref();
  }

  /** start forks every worker and resolves once all are ready; if one cannot start, none is left running. */
  static async start(options: SupervisorOptions): Promise<WorkerSupervisor> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be a whole number of 1 or more, not ${options.workers}`);
    const supervisor = new WorkerSupervisor(options);
    const started = await Promise.allSettled(supervisor.#slots.map((slot) => supervisor.#start(slot)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await supervisor.close(0);
      throw new Error(`an engine worker could not start: ${(failed.reason as Error).message}`);
    }
    supervisor.#prepareSpare();
    return supervisor;
  }

  /** workers reports every worker slot. */
  workers(): WorkerStatus[] {
    return this.#slots.map((s) => ({
      worker: s.worker,
      pid: s.process?.alive ? s.process.pid : null,
      state: s.state,
      appliedVersion: s.appliedVersion,
      restarts: s.restarts,
      crashLooping: s.backoff.crashLooping,
      lastExit: s.lastExit,
    }));
  }

  /**
   * apply sends the snapshot to every running worker and merges their answers. It fails only
   * when no worker answered: a worker that dies meanwhile is restarted and resynced on its own.
   */
  async apply(snapshot: EngineSnapshot): Promise<ApplyResult> {
    if (this.#closing) throw new Error('the engine is closed');
    this.#current = snapshot;
    this.#health.update(snapshot.serverGroups);
    this.#sticky.configure(snapshot);
    const seq = ++this.#seq;
    const running = this.#slots.filter((s) => s.state === 'running' && s.process !== undefined);
    const answers = await Promise.all(running.map(async (slot) => ({ slot, answer: await this.#apply(slot, slot.process!, seq, snapshot) })));
    const results: WorkerResult[] = [];
    for (const { slot, answer } of answers) {
      if (answer === undefined) continue;
      if (typeof answer === 'string') {
        results.push({ worker: slot.worker, result: failedEverywhere(snapshot, answer) });
        continue;
      }
      slot.appliedVersion = answer.version;
      results.push({ worker: slot.worker, result: answer });
    }
    if (results.length === 0) throw new Error('no engine worker is running (see the node status at /v1/healthz)');
    return mergeApplyResults(results);
  }

  /** serverGroupHealth reports what the node's checks see of a group's servers. */
  serverGroupHealth(groupId: string): ServerHealth[] | undefined {
    return this.#health.health(groupId);
  }

  /**
   * metrics is the node's Prometheus text: `own` (the supervisor's registry) and every running
   * worker's registry, counters and histograms summed; a worker that does not answer in time is
   * left out of this scrape.
   */
  async metrics(own: Registry): Promise<string> {
    const seq = ++this.#seq;
    const live = this.#slots.filter((s) => s.state === 'running' && s.process !== undefined);
    const parts = await Promise.all([own.getMetricsAsJSON(), ...live.map((s) => s.process!.metrics(seq))]);
    const present = parts.filter((p): p is NonNullable<typeof p> => p !== undefined) as Parameters<typeof AggregatorRegistry.aggregate>[0];
    return AggregatorRegistry.aggregate(present).metrics();
  }

  /** close drains every worker for up to `deadlineMs`, waits for their logs, stops the checks. Idempotent. */
  close(deadlineMs = 30_000): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#rotation);
      clearInterval(this.#watchdog);
      for (const slot of this.#slots) clearTimeout(slot.restartTimer);
      await Promise.allSettled([...this.#launches]);
      const spare = await this.#spare;
      this.#spare = undefined;
      await spare?.close(0);
      await Promise.all(
        this.#slots.map(async (slot) => {
          await slot.process?.close(deadlineMs);
          slot.state = 'stopped';
        }),
      );
      await this.#health.close();
      await this.#accessLog.drained();
    })();
    return this.#closing;
  }

  /** #start launches a slot's worker, tracked until it is running (or failed to start). */
  #start(slot: Slot): Promise<void> {
    const launch = this.#launch(slot);
    this.#launches.add(launch);
    const untrack = (): void => void this.#launches.delete(launch);
    launch.then(untrack, untrack);
    return launch;
  }

  /** #launch starts a slot's worker (the spare when there is one) and resyncs it; it counts for status once it runs the current snapshot. */
  async #launch(slot: Slot): Promise<void> {
    slot.state = 'starting';
    const hooks = { message: (m: WorkerMessage) => this.#fromWorker(slot, m), exited: (exit: WorkerExit, expected: boolean) => this.#exited(slot, exit, expected) };
    let proc = await this.#takeSpare();
    if (proc !== undefined) {
      proc.adopt(hooks);
      // The spare was told the secret and the health of its start; bring it up to now.
      proc.send({ type: 'ticket-secret', secret: this.#ticketSecret });
      for (const report of this.#health.states()) proc.send({ type: 'health', report });
    } else {
      proc = await WorkerProcess.start(this.#init(slot.worker), hooks, this.#options.env);
    }
    if (slot.restarts > 0) this.#prepareSpare();
    slot.process = proc;
    this.#accessLog.add(proc.accessLog);
    // Resync: apply the current snapshot, again if a newer one came meanwhile.
    let synced: EngineSnapshot | undefined;
    while (this.#current !== undefined && synced !== this.#current && proc.alive && !this.#closing) {
      const snapshot = this.#current;
      const answer = await this.#apply(slot, proc, ++this.#seq, snapshot);
      if (typeof answer === 'object') slot.appliedVersion = answer.version;
      synced = snapshot;
    }
    if (synced !== undefined) proc.send({ type: 'server-cookies', cookies: this.#sticky.values() });
    proc.send({ type: 'quic-served', ports: this.#quicServed });
    if (proc.alive && !this.#closing) slot.state = 'running';
  }

  #init(worker: number): SupervisorMessage & { type: 'init' } {
    return {
      type: 'init',
      settings: { worker, drainTimeoutMs: this.#options.drainTimeoutMs, headersTimeoutMs: this.#options.headersTimeoutMs },
      ticketSecret: this.#ticketSecret,
      health: this.#health.states(),
    };
  }

  /** #prepareSpare starts the spare worker if there is none; a spare that cannot start is left out until the next restart asks again. */
  #prepareSpare(): void {
    if (this.#spare !== undefined || this.#closing) return;
    let proc: WorkerProcess | undefined;
    const spareHooks = {
      message: () => {},
      exited: () => {
        if (proc !== undefined && this.#spare !== undefined) this.#spare = undefined;
      },
    };
    this.#spare = WorkerProcess.start(this.#init(0), spareHooks, this.#options.env).then(
      (started) => {
        proc = started;
        // Nothing reads an idle spare's log pipe until it takes a slot; it writes nothing before.
        return started;
      },
      (err: unknown) => {
        this.#spare = undefined;
        this.#options.log(`the spare engine worker could not start: ${(err as Error).message}`);
        return undefined;
      },
    );
  }

  /** #takeSpare hands over the spare when it is ready and alive. */
  async #takeSpare(): Promise<WorkerProcess | undefined> {
    const spare = this.#spare;
    this.#spare = undefined;
    const proc = await spare;
    return proc?.alive ? proc : undefined;
  }

  /** #apply sends a snapshot to a slot's worker (QUIC listeners only to worker QUIC_WORKER's); one that does not acknowledge it in time is killed, the log and lastExit saying why. */
  async #apply(slot: Slot, proc: WorkerProcess, seq: number, snapshot: EngineSnapshot): Promise<ApplyResult | string | undefined> {
    const timeoutMs = this.#options.applyTimeoutMs ?? APPLY_TIMEOUT_MS;
    const quic = slot.worker === QUIC_WORKER;
    const answer = await proc.apply(seq, snapshot, timeoutMs, () => {
      slot.killReason = `did not apply a configuration within ${timeoutMs / 1000} s`;
      this.#options.log(`engine worker ${slot.worker} (pid ${proc.pid}) ${slot.killReason}: killing it`);
    }, quic);
    if (quic && typeof answer === 'object') {
      this.#setQuicServed(answer.listeners.filter((l) => l.kind === 'QuicListener' && l.status === 'Running' && l.port !== undefined).map((l) => [l.id, l.port!] as const));
    }
    return answer;
  }

  /** #setQuicServed tells every worker which QUIC listeners the QUIC worker runs (for their Alt-Svc). */
  #setQuicServed(ports: readonly (readonly [string, number])[]): void {
    this.#quicServed = ports;
    for (const s of this.#slots) if (s.process?.alive === true) s.process.send({ type: 'quic-served', ports });
  }

  /**
   * #watch pings every running worker that has no ping in flight; one that leaves it unanswered
   * for `timeoutMs` has a stuck event loop (its connections wait for nothing) and is killed, so
   * that a fresh worker takes its place.
   */
  #watch(timeoutMs: number): void {
    for (const slot of this.#slots) {
      const proc = slot.process;
      if (slot.state !== 'running' || proc === undefined || slot.pinging || this.#closing) continue;
      slot.pinging = true;
      void proc.ping(++this.#seq, timeoutMs).then((answered) => {
        slot.pinging = false;
        if (answered || !proc.alive || slot.process !== proc || this.#closing) return;
        slot.killReason = `did not answer within ${timeoutMs / 1000} s`;
        this.#options.log(`engine worker ${slot.worker} (pid ${proc.pid}) ${slot.killReason}: killing it`);
        proc.kill();
      });
    }
  }

  #exited(slot: Slot, exit: WorkerExit, expected: boolean): void {
    const proc = slot.process;
    if (proc !== undefined && !proc.alive) slot.process = undefined;
    if (expected || this.#closing) return;
    // Its QUIC listeners are no longer served: the other workers stop advertising them.
    if (slot.worker === QUIC_WORKER) this.#setQuicServed([]);
    const lived = proc === undefined ? 0 : Date.now() - proc.startedAt;
    const how = slot.killReason === undefined ? describeExit(exit) : `${slot.killReason}, ${describeExit(exit)}`;
    slot.killReason = undefined;
    slot.lastExit = `${how} at ${new Date().toISOString()}`;
    if (slot.state === 'starting' && proc === undefined) return; // #launch reports and retries a failed start
    this.#scheduleRestart(slot, lived, `(pid ${proc?.pid ?? '?'}) ${how}`);
  }

  #scheduleRestart(slot: Slot, livedMs: number, what: string): void {
    const delay = slot.backoff.died(livedMs);
    slot.state = 'restarting';
    slot.appliedVersion = null;
    const loop = slot.backoff.crashLooping ? ` — it keeps dying soon after starting (${slot.backoff.quickDeaths} times in a row)` : '';
    this.#options.log(`engine worker ${slot.worker} ${what}; starting it again ${delay === 0 ? 'now' : `in ${delay} ms`}${loop}`);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.#closing) return;
      slot.restarts++;
      this.#start(slot).catch((err: unknown) => {
        if (this.#closing) return;
        slot.lastExit = `${(err as Error).message} at ${new Date().toISOString()}`;
        this.#scheduleRestart(slot, 0, `could not start: ${(err as Error).message}`);
      });
    }, delay);
  }

  #fromWorker(from: Slot, message: WorkerMessage): void {
    if (message.type !== 'server-cookie') return;
    this.#sticky.learned(message.cookie);
    const forward: SupervisorMessage = { type: 'server-cookie', cookie: message.cookie };
    for (const slot of this.#slots) if (slot !== from) slot.process?.send(forward);
  }

  #broadcast(message: SupervisorMessage): void {
    for (const slot of this.#slots) slot.process?.send(message);
  }

  #rotateTicketSecret(): void {
    this.#ticketSecret = randomBytes(TICKET_SECRET_BYTES);
    this.#broadcast({ type: 'ticket-secret', secret: this.#ticketSecret });
  }
}

/** failedEverywhere is a worker's answer when its engine refused the whole snapshot. */
function failedEverywhere(snapshot: EngineSnapshot, reason: string): ApplyResult {
  const listeners: ListenerState[] = [
    ...snapshot.listeners.map((l): ListenerState => ({ id: l.id, kind: 'Listener', status: 'Failed', statusReason: reason, version: l.version })),
    ...snapshot.quicListeners.map((q): ListenerState => ({ id: q.id, kind: 'QuicListener', status: 'Failed', statusReason: reason, version: q.version })),
  ];
  return { version: snapshot.version, changed: false, listeners };
}
