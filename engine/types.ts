/**
 * The engine's public types: what the server passes in (options) and what it reads back
 * (apply results, listener states, server health, access-log records). Agreed with server/;
 * change them only in backward-compatible ways.
 */
import type { Registry } from 'prom-client';
import type { EngineSnapshot } from '../schema/snapshot.ts';
import type { ApplyFault } from './errors.ts';
import type { TicketSecretFeed } from './tls/ticket-keys.ts';

export type { ApplyFault };

/** EngineOptions configures one Engine instance; every field is optional. */
export interface EngineOptions {
  /** Receives one record per finished request (E18); the server writes it as a JSON line. */
  accessLog?: (record: AccessLogRecord) => void;
  /** prom-client Registry the engine registers its metrics on (the server exposes it at /metrics). */
  metricsRegistry?: Registry;
  /** Default drain deadline for removed listeners, ms (default 30000). */
  drainTimeoutMs?: number;
  /**
   * How often each HTTPS listener replaces its session-ticket key, ms (default 300000, the
   * ticket lifetime of E5). An addition to the agreed interface; tests shorten it.
   */
  ticketKeyRotationMs?: number;
  /**
   * E17's deadline for a complete request head, ms (default 10000). An addition to the agreed
   * interface; tests shorten it.
   */
  headersTimeoutMs?: number;
  /**
   * How long one configured health-check second lasts, ms (default 1000). An addition to the
   * agreed interface; tests shorten it so intervals and thresholds run faster with the same meaning.
   */
  healthCheckSecondMs?: number;
  /**
   * Bind every listener's socket with SO_REUSEPORT (Linux), so that the engines of several
   * workers accept on the same address and port and the kernel spreads connections between
   * them. A port another process holds without it still fails to bind (EADDRINUSE).
   */
  reusePort?: boolean;
  /**
   * Serve QUIC listeners (default true). The QUIC transport cannot share a UDP port between
   * processes, so of a node's engine workers exactly one serves them (SPEC 2.2); an engine told
   * false leaves QUIC listeners out of its results.
   */
  quic?: boolean;
  /**
   * The secret the engines of one node share for session tickets: each server context derives
   * its ticket key from it, so a ticket issued by one engine resumes on another. Its owner
   * rotates it (every ticketKeyRotationMs, E5); without one, each context rotates a random key
   * of its own.
   */
  ticketSecret?: TicketSecretFeed;
  /**
   * externalHealth: when true the engine runs no health probes of its own; server states come
   * only from Engine.setServerHealth (a supervisor probes once per node with GroupHealthChecks
   * and reports to the engines of all its workers). Servers nobody reported on are Unchecked
   * (in rotation).
   */
  externalHealth?: boolean;
  /**
   * onServerCookie is told what a group's `Server`-mode sticky-session table learns, so the
   * other engines of the node can apply it with Engine.rememberServerCookie: a value that is
   * new or now maps to another server, a value a backend deleted, and a use refreshing an entry
   * last shared more than half the cookie timeout ago (so engines that only heard of it keep it
   * alive). Never for a plain repeat of an unchanged mapping within that window, and never for
   * what rememberServerCookie applied. Called synchronously on the request path: keep it cheap.
   */
  onServerCookie?: (event: ServerCookieEvent) => void;
}

/** ServerCookieEvent is one change of a group's `Server`-mode sticky-session table, shared between engines. */
export interface ServerCookieEvent {
  /** The server group's id. */
  readonly groupId: string;
  /** The cookie value the backend set. */
  readonly value: string;
  /** The backend label `address:port` (IPv6 in brackets) that set it; undefined when the value was forgotten. */
  readonly server: string | undefined;
}

/** ApplyResult is what apply() reports for one snapshot. */
export interface ApplyResult {
  /** The snapshot version now running. */
  version: number;
  /** false when the snapshot was identical to the running one (nothing changed). */
  changed: boolean;
  /** One entry per listener and QUIC listener of the snapshot. */
  listeners: ListenerState[];
}

/**
 * PrepareProblem is why one listener of a prepared snapshot cannot be applied, for a reason
 * of the snapshot's content (a commit would report it Failed with this reason).
 */
export interface PrepareProblem {
  /** The listener's id. */
  readonly listenerId: string;
  readonly reason: string;
  /**
   * What the failure comes from, when one thing can be named: a certificate or TLS policy of
   * the snapshot, or a field of the listener itself.
   */
  readonly fault?: ApplyFault | undefined;
}

/** PrepareOptions narrow what Engine.prepare builds. */
export interface PrepareOptions {
  /** Prepare only these listeners (by id): a check of what one change touches, never committed. */
  listeners?: ReadonlySet<string> | undefined;
}

/**
 * PreparedSnapshot is a snapshot made ready to run by Engine.prepare — secure contexts, SNI
 * tables, server-group runtimes and pools built — with nothing bound and nothing running
 * swapped. Engine.commit runs it; release() lets go what it holds when it will not run.
 */
export interface PreparedSnapshot {
  readonly snapshot: EngineSnapshot;
  /** false when the snapshot equals the running one: a commit only retries listeners that failed. */
  readonly changed: boolean;
  /** The listeners that cannot be applied and why; empty when every one can (binding is the commit's). */
  readonly problems: readonly PrepareProblem[];
  /** release gives back what preparing built (runtimes, pools, contexts). Idempotent; a no-op once committed. */
  release(): void;
}

/** EngineStatus is the engine's current view of every listener it was asked to run. */
export interface EngineStatus {
  version: number;
  listeners: ListenerState[];
}

/** ListenerState reports one listener in SPEC vocabulary. */
export interface ListenerState {
  id: string;
  kind: 'Listener' | 'QuicListener';
  /**
   * Running = bound and serving; Failed = could not apply (bind error, bad TLS material) —
   * statusReason says why; Unavailable = QUIC listener whose transport cannot load on this
   * platform. A Running QUIC listener may carry a statusReason too (additional certificates
   * it cannot serve).
   */
  status: 'Running' | 'Failed' | 'Unavailable';
  statusReason?: string;
  /** The listener resource version the engine runs (its old one if the new one failed). */
  version: number;
  /**
   * The port the listener is bound to while it serves (differs from the configured one only
   * when that is 0, which tests use). An addition to the agreed interface.
   */
  port?: number;
}

/** ServerHealth is the runtime health of one backend server. */
export interface ServerHealth {
  address: string;
  port: number;
  state: 'Healthy' | 'Unhealthy' | 'Unchecked';
  lastCheck?: { at: string; ok: boolean; detail: string };
}

/** AccessLogRecord is one finished request (E18). */
export interface AccessLogRecord {
  time: string;
  listenerId: string;
  clientIp: string;
  method: string;
  host: string;
  path: string;
  status: number;
  bytesSent: number;
  requestDurationMs: number;
  upstreamDurationMs?: number;
  backend?: string;
  tlsVersion?: string;
  tlsCipher?: string;
  protocol: string;
}
