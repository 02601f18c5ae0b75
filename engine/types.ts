/**
 * The engine's public types: what the server passes in (options) and what it reads back
 * (apply results, listener states, server health, access-log records). Agreed with server/;
 * change them only in backward-compatible ways.
 */
import type { Registry } from 'prom-client';

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
   * statusReason says why; Unavailable = QUIC listener on a runtime without QUIC.
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
