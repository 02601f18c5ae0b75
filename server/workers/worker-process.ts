/**
 * WorkerProcess is one forked engine worker seen from the supervisor: its IPC channel with the
 * answers it owes (apply acknowledgements and metrics, matched by sequence number), its
 * access-log pipe, and its end. Every wait on a worker is bounded: a worker that dies owes
 * nothing any more, and one that does not answer in time is killed, so a stuck worker can never
 * stall the node's applies.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ApplyResult } from '../../engine/types.ts';
import type { EngineSnapshot } from '../../schema/snapshot.ts';
import { ENGINE_WORKER_ENTRY } from './engine-worker-main.ts';
import { encodeDelta } from './snapshot-delta.ts';
import { ACCESS_LOG_FD, type SupervisorMessage, type WorkerMessage } from './protocol.ts';

/** START_TIMEOUT_MS bounds a worker's start, from fork to `ready`. */
export const START_TIMEOUT_MS = 30_000;
/** APPLY_TIMEOUT_MS bounds one snapshot apply in a worker; past it the worker is killed and restarted. */
export const APPLY_TIMEOUT_MS = 60_000;
/** METRICS_TIMEOUT_MS bounds a worker's answer to a metrics request; a late worker is left out of that scrape. */
export const METRICS_TIMEOUT_MS = 2_000;
/** EXIT_GRACE_MS is how long a closing worker may take past its drain deadline before it is killed. */
export const EXIT_GRACE_MS = 5_000;

/** SECRET_VARIABLES are never passed to a worker: it needs neither the master key nor the admin token. */
const SECRET_VARIABLES = ['GATEHOUSE_MASTER_KEY', 'GATEHOUSE_TOKEN'];

/** WorkerExit is how a worker process ended. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** describeExit says how a worker ended, for logs and status. */
export function describeExit(exit: WorkerExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
}

interface Owed<T> {
  readonly resolve: (value: T | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

/** WorkerProcessHooks are what a worker tells its supervisor unasked. */
export interface WorkerProcessHooks {
  /** A message that answers nothing (a learned sticky value). */
  message(message: WorkerMessage): void;
  /** The process ended; `expected` when the supervisor asked it to close. */
  exited(exit: WorkerExit, expected: boolean): void;
}

/** WorkerProcess is one started worker process. */
export class WorkerProcess {
  readonly pid: number;
  /** When the process started serving its owner: its fork, or for a spare, when a slot adopted it. */
  startedAt = Date.now();
  readonly #child: ChildProcess;
  #hooks: WorkerProcessHooks;
  readonly #applies = new Map<number, Owed<ApplyResult | string>>();
  readonly #scrapes = new Map<number, Owed<unknown[]>>();
  readonly #pings = new Map<number, Owed<true>>();
  readonly #exited: Promise<WorkerExit>;
  #ready: (() => void) | undefined;
  /** The last snapshot sent, which the worker holds: the next one goes as a delta against it. */
  #lastSent: { readonly seq: number; readonly snapshot: EngineSnapshot } | undefined;
  #closeRequested = false;
  #gone = false;

  private constructor(child: ChildProcess, hooks: WorkerProcessHooks) {
    this.#child = child;
    this.#hooks = hooks;
    this.pid = child.pid ?? 0;
    this.#exited = new Promise<WorkerExit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#gone = true;
        for (const owed of [...this.#applies.values(), ...this.#scrapes.values(), ...this.#pings.values()]) {
          clearTimeout(owed.timer);
          owed.resolve(undefined);
        }
        this.#applies.clear();
        this.#scrapes.clear();
        this.#pings.clear();
        const exit = { code, signal };
        resolve(exit);
        this.#hooks.exited(exit, this.#closeRequested);
      });
    });
    child.on('message', (m) => this.#receive(m as WorkerMessage));
    // A send racing the worker's death fails here, not as an uncaught error.
    child.on('error', () => {});
  }

  /** accessLog is the pipe the worker writes its access-log lines to. */
  get accessLog(): Readable {
    return this.#child.stdio[ACCESS_LOG_FD] as Readable;
  }

  /** adopt hands the worker to a new owner (a spare taking a slot): its messages and its end go there from now on. */
  adopt(hooks: WorkerProcessHooks): void {
    this.#hooks = hooks;
    // How long it lived decides the restart backoff: an idle wait as a spare does not count.
    this.startedAt = Date.now();
  }

  /** alive says whether the process still runs. */
  get alive(): boolean {
    return !this.#gone;
  }

  /**
   * start forks a worker and gives it `init`; it resolves once the worker is ready, or kills the
   * worker and rejects when it is not ready within START_TIMEOUT_MS or dies first.
   */
  static async start(init: SupervisorMessage & { type: 'init' }, hooks: WorkerProcessHooks, env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
    const workerEnv = { ...env };
    for (const name of SECRET_VARIABLES) delete workerEnv[name];
    const child = fork(ENGINE_WORKER_ENTRY, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: workerEnv,
      // The worker needs none of this process's flags (a test runner's or a debugger's), only Node's defaults.
      execArgv: process.execArgv.filter((a) => a.startsWith('--max-old-space-size') || a.startsWith('--cpu-prof')),
    });
    const worker = new WorkerProcess(child, hooks);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the engine worker was not ready within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      worker.#ready = () => {
        clearTimeout(timer);
        resolve();
      };
      void worker.#exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`the engine worker ${describeExit(exit)} while starting`));
      });
    });
    worker.send(init);
    try {
      await ready;
    } catch (err) {
      worker.kill();
      throw err;
    }
    return worker;
  }

  /** send posts a message if the worker is still there (a message to a dead worker is moot). */
  send(message: SupervisorMessage): void {
    if (this.#gone || !this.#child.connected) return;
    this.#child.send(message, (err) => {
      // The channel closed under the send: the exit handler settles what is owed.
      void err;
    });
  }

  /**
   * apply sends a snapshot and resolves with the worker's result, the error it reported (a
   * string), or undefined when the worker died or was killed for not answering within
   * `timeoutMs` (`onTimeout` runs first, to say why). `quic`: this worker serves the QUIC listeners.
   */
  apply(seq: number, snapshot: EngineSnapshot, timeoutMs: number, onTimeout: () => void, quic = false): Promise<ApplyResult | string | undefined> {
    const delta = encodeDelta(snapshot, this.#lastSent?.snapshot, this.#lastSent?.seq ?? null);
    this.#lastSent = { seq, snapshot };
    const timedOut = (): void => {
      onTimeout();
      this.kill();
    };
    return this.#owe(this.#applies, seq, timeoutMs, timedOut, { type: 'apply', seq, snapshot: delta, quic });
  }

  /** metrics asks for the worker's registry as prom-client JSON; undefined when it did not answer in time. */
  metrics(seq: number): Promise<unknown[] | undefined> {
    return this.#owe(this.#scrapes, seq, METRICS_TIMEOUT_MS, () => {}, { type: 'metrics', seq });
  }

  /** ping resolves true when the worker answers within `timeoutMs`, undefined when it does not (or is gone). */
  ping(seq: number, timeoutMs: number): Promise<true | undefined> {
    return this.#owe(this.#pings, seq, timeoutMs, () => {}, { type: 'ping', seq });
  }

  /**
   * close asks the worker to drain for `deadlineMs` and exit; it resolves when the process has
   * ended, killing it when it takes EXIT_GRACE_MS longer than the deadline.
   */
  async close(deadlineMs: number): Promise<WorkerExit> {
    this.#closeRequested = true;
    if (!this.#gone) {
      this.send({ type: 'close', deadlineMs });
      const timer = setTimeout(() => this.kill(), deadlineMs + EXIT_GRACE_MS);
      const exit = await this.#exited;
      clearTimeout(timer);
      return exit;
    }
    return this.#exited;
  }

  /** kill ends the process at once (SIGKILL). */
  kill(): void {
    if (!this.#gone) this.#child.kill('SIGKILL');
  }

  #owe<T>(book: Map<number, Owed<T>>, seq: number, timeoutMs: number, onTimeout: () => void, message: SupervisorMessage): Promise<T | undefined> {
    if (this.#gone) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      const timer = setTimeout(() => {
        book.delete(seq);
        resolve(undefined);
        onTimeout();
      }, timeoutMs);
      book.set(seq, { resolve, timer });
      this.send(message);
    });
  }

  #receive(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.#ready?.();
        return;
      case 'applied':
      case 'apply-failed': {
        const owed = this.#applies.get(message.seq);
        if (owed === undefined) return;
        this.#applies.delete(message.seq);
        clearTimeout(owed.timer);
        // After a refusal, send the next snapshot whole: whatever went wrong, nothing rests on the worker's copy.
        if (message.type === 'apply-failed') this.#lastSent = undefined;
        owed.resolve(message.type === 'applied' ? message.result : message.message);
        return;
      }
      case 'metrics': {
        const owed = this.#scrapes.get(message.seq);
        if (owed === undefined) return;
        this.#scrapes.delete(message.seq);
        clearTimeout(owed.timer);
        owed.resolve(message.metrics);
        return;
      }
      case 'pong': {
        const owed = this.#pings.get(message.seq);
        if (owed === undefined) return;
        this.#pings.delete(message.seq);
        clearTimeout(owed.timer);
        owed.resolve(true);
        return;
      }
      default:
        this.#hooks.message(message);
    }
  }
}
