/**
 * Engine metrics (SPEC E18), registered on a caller-given prom-client Registry (never the
 * global one). Counters and gauges touched per request or per connection are plain numbers on
 * per-listener / per-group objects and are copied into prom-client only when it collects (at
 * scrape time), so the hot path allocates nothing; the duration histogram uses a label child
 * cached per listener.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** DURATION_BUCKETS (seconds) reach past the 60 s default requestTimeout. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** STATUS_CLASSES are the `status_class` label values, indexed by status / 100 (0 = outside 100–599). */
export const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** TlsFailureReason is the bounded vocabulary of `gatehouse_tls_handshake_failures_total{reason}`. */
export type TlsFailureReason =
  | 'unsupported_protocol'
  | 'no_shared_cipher'
  | 'certificate_required'
  | 'bad_certificate'
  | 'not_tls'
  | 'timeout'
  | 'reset'
  | 'other';

/** BackendErrorReason is the bounded vocabulary of `gatehouse_backend_errors_total{reason}`. */
export type BackendErrorReason = 'connect_refused' | 'connect_timeout' | 'timeout' | 'reset' | 'bad_response' | 'dns' | 'tls' | 'other';

/**
 * tlsFailureReason maps a `tlsClientError` (error, socket) to a reason label (OpenSSL codes as
 * Node 24 reports them), keeping the label set small whatever clients send. A client
 * certificate that does not chain to the CA shows up as a "socket hang up" whose socket carries
 * `authorizationError`, so the socket is consulted first.
 */
export function tlsFailureReason(err: Error & { code?: string }, socket?: { authorizationError?: Error | string | null }): TlsFailureReason {
  if (socket?.authorizationError) return 'bad_certificate';
  const code = err.code ?? '';
  if (code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' || code === 'ERR_SSL_VERSION_TOO_LOW') return 'unsupported_protocol';
  if (code === 'ERR_SSL_NO_SHARED_CIPHER' || code === 'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM') return 'no_shared_cipher';
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') return 'certificate_required';
  if (code === 'ERR_SSL_CERTIFICATE_VERIFY_FAILED' || code.includes('ALERT_BAD_CERTIFICATE') || code.includes('ALERT_UNKNOWN_CA')) return 'bad_certificate';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_LENGTH_TOO_SHORT') return 'not_tls';
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  return 'other';
}

/** backendErrorReason maps an upstream (engine/upstream), undici or socket error to a reason label. */
export function backendErrorReason(err: Error & { code?: string }): BackendErrorReason {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (code === 'CONNECT_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'connect_timeout';
  if (code === 'RESPONSE_TIMEOUT' || code === 'BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (code === 'CLOSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'reset';
  if (code === 'BAD_RESPONSE') return 'bad_response';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return 'tls';
  return 'other';
}

/** ListenerMetrics is one listener's counters; its methods are the hot-path entry points. */
export class ListenerMetrics {
  readonly listenerId: string;
  /** Requests by status class index (see STATUS_CLASSES). */
  readonly requests = new Float64Array(STATUS_CLASSES.length);
  activeConnections = 0;
  readonly tlsFailures = new Map<TlsFailureReason, number>();
  private readonly duration: Histogram.Internal<'listener'>;

  constructor(listenerId: string, duration: Histogram.Internal<'listener'>) {
    this.listenerId = listenerId;
    this.duration = duration;
  }

  /** requestFinished counts one response by status class and observes its duration. */
  requestFinished(status: number, durationSeconds: number): void {
    const c = (status / 100) | 0;
    this.requests[c >= 1 && c <= 5 ? c : 0]!++;
    this.duration.observe(durationSeconds);
  }

  /** connectionOpened / connectionClosed track `gatehouse_active_connections`. */
  connectionOpened(): void {
    this.activeConnections++;
  }

  connectionClosed(): void {
    this.activeConnections--;
  }

  /** tlsHandshakeFailed counts one failed handshake (see tlsFailureReason). */
  tlsHandshakeFailed(reason: TlsFailureReason): void {
    this.tlsFailures.set(reason, (this.tlsFailures.get(reason) ?? 0) + 1);
  }
}

/** ServerGroupMetrics is one server group's backend counters. */
export class ServerGroupMetrics {
  readonly groupId: string;
  readonly errors = new Map<BackendErrorReason, number>();
  /** Health per server key (`address:port`): 1 healthy or unchecked (in rotation), 0 unhealthy. */
  readonly health = new Map<string, number>();

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** backendError counts one failed exchange with a backend. */
  backendError(reason: BackendErrorReason): void {
    this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1);
  }

  /** setHealth records a server's rotation state (call on health transitions and on apply). */
  setHealth(server: string, inRotation: boolean): void {
    this.health.set(server, inRotation ? 1 : 0);
  }

  /** removeServer forgets a server that left the group, so its series disappears. */
  removeServer(server: string): void {
    this.health.delete(server);
  }
}

/** EngineMetrics owns the engine's metric families on one registry. */
export class EngineMetrics {
  private readonly listeners = new Map<string, ListenerMetrics>();
  private readonly groups = new Map<string, ServerGroupMetrics>();
  private readonly durationHistogram: Histogram<'listener'>;

  constructor(registry: Registry) {
    const listeners = this.listeners;
    const groups = this.groups;
    new Counter({
      name: 'gatehouse_requests_total',
      help: 'Requests answered, by listener and status class.',
      labelNames: ['listener', 'status_class'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const l of listeners.values()) {
          for (let c = 0; c < STATUS_CLASSES.length; c++) {
            if (l.requests[c]! > 0) this.inc({ listener: l.listenerId, status_class: STATUS_CLASSES[c]! }, l.requests[c]);
          }
        }
      },
    });
    this.durationHistogram = new Histogram({
      name: 'gatehouse_request_duration_seconds',
      help: 'Time from request head to response end, by listener.',
      labelNames: ['listener'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    new Gauge({
      name: 'gatehouse_active_connections',
      help: 'Client connections open, by listener.',
      labelNames: ['listener'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const l of listeners.values()) this.set({ listener: l.listenerId }, l.activeConnections);
      },
    });
    new Counter({
      name: 'gatehouse_tls_handshake_failures_total',
      help: 'TLS handshakes that failed, by listener and reason.',
      labelNames: ['listener', 'reason'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const l of listeners.values()) for (const [reason, n] of l.tlsFailures) this.inc({ listener: l.listenerId, reason }, n);
      },
    });
    new Gauge({
      name: 'gatehouse_backend_health',
      help: 'Backend server in rotation (1) or unhealthy (0), by server group and server.',
      labelNames: ['server_group', 'server'] as const,
      registers: [registry],
      // Every engine of a node reports the same state; merging workers' metrics must not add them up.
      aggregator: 'min',
      collect() {
        this.reset();
        for (const g of groups.values()) for (const [server, v] of g.health) this.set({ server_group: g.groupId, server }, v);
      },
    });
    new Counter({
      name: 'gatehouse_backend_errors_total',
      help: 'Failed exchanges with backends, by server group and reason.',
      labelNames: ['server_group', 'reason'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const g of groups.values()) for (const [reason, n] of g.errors) this.inc({ server_group: g.groupId, reason }, n);
      },
    });
  }

  /** listener returns (creating once) the metrics of a listener; keep the result with the listener. */
  listener(listenerId: string): ListenerMetrics {
    let m = this.listeners.get(listenerId);
    if (m === undefined) {
      m = new ListenerMetrics(listenerId, this.durationHistogram.labels(listenerId));
      this.listeners.set(listenerId, m);
    }
    return m;
  }

  /** serverGroup returns (creating once) the metrics of a server group. */
  serverGroup(groupId: string): ServerGroupMetrics {
    let m = this.groups.get(groupId);
    if (m === undefined) {
      m = new ServerGroupMetrics(groupId);
      this.groups.set(groupId, m);
    }
    return m;
  }

  /** dropListener removes a deleted listener's series. */
  dropListener(listenerId: string): void {
    if (this.listeners.delete(listenerId)) this.durationHistogram.remove(listenerId);
  }

  /** dropServerGroup removes a deleted server group's series. */
  dropServerGroup(groupId: string): void {
    this.groups.delete(groupId);
  }
}
