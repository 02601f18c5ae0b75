/**
 * The channel between a node's supervisor and its engine workers. It carries whole snapshots
 * (as deltas against the last one sent: snapshot-delta.ts), each under a sequence number the worker acknowledges with its per-listener results, so the
 * supervisor can tell which worker runs what. It is built to outlive the in-process shape: every
 * message is self-contained and idempotent (applying a snapshot a worker already runs changes
 * nothing but a retry of listeners that failed), and a worker that (re)connects gets a full
 * resync — the shared secrets, the health of every server, the current snapshot and the sticky
 * values learned so far — before it counts, which is what a remote engine node would need too.
 *
 * Private keys travel inside snapshots over this channel only (a process's IPC pipe), never in
 * argv, environment variables or files.
 */
import type { ApplyResult, ServerCookieEvent, ServerStateReport } from '../../engine/index.ts';
import type { SnapshotDelta } from './snapshot-delta.ts';

/** WorkerSettings are the engine options a worker is started with. */
export interface WorkerSettings {
  /** The worker's slot, 1-based: its name in logs and status. */
  readonly worker: number;
  readonly drainTimeoutMs: number | undefined;
  readonly headersTimeoutMs: number | undefined;
}

/** The supervisor's messages. */
export type SupervisorMessage =
  /** The first message: settings and a full resync of the shared state. */
  | {
      readonly type: 'init';
      readonly settings: WorkerSettings;
      readonly ticketSecret: Uint8Array;
      readonly health: readonly ServerStateReport[];
    }
  /**
   * Run this snapshot (prepare, then swap) and answer `applied` with the same seq. `quic`: this
   * worker serves the QUIC listeners (exactly one worker does: the transport cannot share a UDP
   * port between processes; SPEC 2.2).
   */
  | { readonly type: 'apply'; readonly seq: number; readonly snapshot: SnapshotDelta; readonly quic: boolean }
  /**
   * The QUIC listeners the node's QUIC worker runs now, with their UDP ports: the other workers
   * advertise them in Alt-Svc (SPEC 1.3) without serving them.
   */
  | { readonly type: 'quic-served'; readonly ports: readonly (readonly [string, number])[] }
  | { readonly type: 'health'; readonly report: ServerStateReport }
  | { readonly type: 'ticket-secret'; readonly secret: Uint8Array }
  | { readonly type: 'server-cookie'; readonly cookie: ServerCookieEvent }
  /** Every sticky value the node knows, after a (re)started worker's first snapshot (its groups run by then). */
  | { readonly type: 'server-cookies'; readonly cookies: readonly ServerCookieEvent[] }
  /** Answer `pong` with the same seq at once: the worker's event loop still turns. */
  | { readonly type: 'ping'; readonly seq: number }
  /** Answer `metrics` with the same seq: the worker's registry as prom-client JSON. */
  | { readonly type: 'metrics'; readonly seq: number }
  /** Stop accepting, drain for up to deadlineMs, flush the access log, exit (the process's end is the answer). */
  | { readonly type: 'close'; readonly deadlineMs: number };

/** The worker's messages. */
export type WorkerMessage =
  /** init is processed: the worker can take snapshots. */
  | { readonly type: 'ready' }
  | { readonly type: 'applied'; readonly seq: number; readonly result: ApplyResult }
  | { readonly type: 'apply-failed'; readonly seq: number; readonly message: string }
  | { readonly type: 'server-cookie'; readonly cookie: ServerCookieEvent }
  | { readonly type: 'metrics'; readonly seq: number; readonly metrics: unknown[] }
  | { readonly type: 'pong'; readonly seq: number };

/** ACCESS_LOG_FD is the worker's file descriptor for access-log lines (a pipe the supervisor reads). */
export const ACCESS_LOG_FD = 3;
