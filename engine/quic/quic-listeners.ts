/**
 * The engine's QUIC listeners (SPEC 1.3): one QUIC server (one UDP port, one certificate) per
 * QuicListener, HTTP/3 on every connection (h3-connection.ts), requests through the same
 * pipeline as HTTPS with the configuration of the moment (E16).
 *
 * - Status: `Running` while the UDP port is served; `Failed` with the reason when it cannot be
 *   bound (tried again on the next apply, identical or not); `Unavailable` only when the
 *   transport cannot load on this platform.
 * - Certificate: the listener's default certificate. The transport takes one certificate per
 *   server and offers no SNI callback, so additional certificates are not served; a listener
 *   that lists some is `Running` with a statusReason saying so.
 * - Forwarded headers, compression and underscore fields: those of the HTTPS listener that
 *   upgrades to this QUIC listener (`quic.quicListenerId`; client-certificate headers off: QUIC
 *   listeners ask no client certificate), else X-Forwarded-For (append) and X-Forwarded-Proto,
 *   compression on.
 * - A change of certificate, key, address or idle timeout needs a new server on the same port.
 *   The transport cannot share a port, so the handover is: GOAWAY on every connection (later
 *   requests on them are refused H3_REQUEST_REJECTED, safe to retry), connections opened
 *   meanwhile are sent away at once, requests in flight finish (up to HANDOVER_WAIT_MS), then
 *   the old server closes and the new one binds the port. Any other change swaps the
 *   configuration reference only: nothing is dropped.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineSnapshot, ForwardedHeadersConfig, SnapshotListener, SnapshotQuicListener } from '../../schema/snapshot.ts';
import { describeError } from '../errors.ts';
import { ForwardedHeaders } from '../headers/forwarded-headers.ts';
import { H3_NO_ERROR } from '../http3/error-codes.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import type { EngineMetrics, ListenerMetrics } from '../observability/metrics.ts';
import type { ListenerServices } from '../proxy/front-types.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import type { AccessLogRecord, ListenerState } from '../types.ts';
import type { ServerGroupRuntime } from '../upstream/server-group-runtime.ts';
import { CLOSE_GRACE_MS, H3Connection, type H3ConnectionHost } from './h3-connection.ts';
import { loadQuicTransport, type QuicServerLike, type QuicServerSettings, type QuicTransport } from './quic-transport.ts';

/** MAX_CONCURRENT_STREAMS is E17's bound on streams per connection, as on HTTP/2. */
export const MAX_CONCURRENT_STREAMS = 128;
/** HANDOVER_WAIT_MS bounds how long a server being replaced lets its requests finish. */
export const HANDOVER_WAIT_MS = 10_000;
/**
 * REBIND_WAIT_MS bounds how long a handover retries binding the port: the transport's close
 * resolves before its UDP socket is released (EADDRINUSE for a few milliseconds).
 */
const REBIND_WAIT_MS = 2000;
/** ALT_SVC_MAX_AGE is the `ma` of the Alt-Svc field (SPEC 1.3). */
const ALT_SVC_MAX_AGE = 86400;
/** ADDITIONAL_CERTIFICATES_NOTE is the statusReason of a running QUIC listener that lists additional certificates. */
export const ADDITIONAL_CERTIFICATES_NOTE = 'serves its default certificate only: the QUIC transport takes one certificate per port and cannot choose by SNI, so additional certificates are not served over HTTP/3';

const CERT_OFF = { enabled: false } as const;

/** QUIC_FORWARDED_HEADERS is what a QUIC listener no HTTPS listener upgrades to adds. */
const QUIC_FORWARDED_HEADERS: ForwardedHeadersConfig = {
  xForwardedFor: { enabled: true, mode: 'append' },
  clientIp: { enabled: false, trustedProxies: [] },
  slbId: false,
  proto: true,
  port: false,
  host: false,
  clientSrcPort: false,
  clientCertSubjectDn: CERT_OFF,
  clientCertIssuerDn: CERT_OFF,
  clientCertFingerprint: CERT_OFF,
  clientCertClientVerify: CERT_OFF,
};

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

/** QuicPlan is one QUIC listener prepared for serving. */
interface QuicPlan {
  readonly listener: SnapshotQuicListener;
  readonly config: ListenerConfig;
  /** Names the server the plan needs: a change means a new server on the port. */
  readonly serverKey: string;
  readonly settings: QuicServerSettings;
  readonly address: string;
  readonly note: string | undefined;
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
      return port === undefined ? undefined : altSvcFor(port);
    }
    const runtime = this.runtimes.get(quicListenerId);
    return runtime?.serving === true ? altSvcFor(runtime.port) : undefined;
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
        if (running.serverKey === plan.serverKey && running.serving) running.update(plan);
        else await running.replaceServer(transport, plan);
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
      ...(plan.note !== undefined ? { statusReason: plan.note } : {}),
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

/** altSvcFor is the Alt-Svc value advertising HTTP/3 on `port` of the same host (SPEC 1.3). */
function altSvcFor(port: number): string {
  return `h3=":${port}"; ma=${ALT_SVC_MAX_AGE}`;
}

/** planOf prepares one QUIC listener; throws why it cannot run. */
function planOf(q: SnapshotQuicListener, snapshot: EngineSnapshot, lookup: SnapshotLookup, groups: ReadonlyMap<string, ServerGroupRuntime>): QuicPlan {
  const lb = lookup.loadBalancers.get(q.loadBalancerId);
  if (lb === undefined) throw new Error(`load balancer ${q.loadBalancerId} is not in the snapshot`);
  const serverGroup = groups.get(q.defaultServerGroupId);
  if (serverGroup === undefined) throw new Error(`server group ${q.defaultServerGroupId} is not in the snapshot`);
  const cert = lookup.certificates.get(q.defaultCertificateId);
  if (cert === undefined || cert.privateKeyPem === undefined) throw new Error(`certificate ${q.defaultCertificateId} is not a server certificate of the snapshot`);
  const upgrading = snapshot.listeners.find((l) => l.tls?.quic.upgradeEnabled === true && l.tls.quic.quicListenerId === q.id);
  const forwardedConfig: ForwardedHeadersConfig = upgrading === undefined
    ? QUIC_FORWARDED_HEADERS
    : { ...upgrading.forwardedHeaders, clientCertSubjectDn: CERT_OFF, clientCertIssuerDn: CERT_OFF, clientCertFingerprint: CERT_OFF, clientCertClientVerify: CERT_OFF };
  const listener: SnapshotListener = {
    id: q.id,
    version: q.version,
    loadBalancerId: q.loadBalancerId,
    protocol: 'HTTPS',
    port: q.port,
    defaultServerGroupId: q.defaultServerGroupId,
    idleTimeout: q.idleTimeout,
    requestTimeout: q.requestTimeout,
    compressionEnabled: upgrading?.compressionEnabled ?? true,
    underscoreHeadersEnabled: upgrading?.underscoreHeadersEnabled ?? false,
    forwardedHeaders: forwardedConfig,
  };
  const forwarded = new ForwardedHeaders(forwardedConfig, { loadBalancerId: lb.id, port: q.port, protocol: 'HTTPS', underscoreHeadersEnabled: listener.underscoreHeadersEnabled });
  const config: ListenerConfig = Object.freeze({
    listener,
    loadBalancerId: lb.id,
    loadBalancer: lb,
    address: lb.address,
    serverGroup,
    tls: undefined,
    idleTimeoutMs: q.idleTimeout * 1000,
    requestTimeoutMs: q.requestTimeout * 1000,
    forwarded,
    compressionEnabled: listener.compressionEnabled,
  });
  const settings: QuicServerSettings = { key: cert.privateKeyPem, cert: cert.certificatePem, maxIdleTimeoutMs: q.idleTimeout * 1000, maxConcurrentStreams: MAX_CONCURRENT_STREAMS };
  const material = createHash('sha256').update(cert.certificatePem).update('\0').update(cert.privateKeyPem).digest('hex');
  return {
    listener: q,
    config,
    serverKey: `${lb.address}|${q.port}|${q.idleTimeout}|${material}`,
    settings,
    address: lb.address,
    note: q.additionalCertificateIds.length > 0 ? ADDITIONAL_CERTIFICATES_NOTE : undefined,
  };
}

/** bindFailure words why a server could not start, as a listener's Failed reason does. */
function bindFailure(err: unknown, plan: QuicPlan, boundPort: number | undefined): string {
  const text = describeError(err);
  return `UDP ${plan.address}:${plan.listener.port || boundPort || 0}: ${text}`;
}

/** QuicListenerRuntime is one QUIC listener's server and connections. */
class QuicListenerRuntime implements H3ConnectionHost {
  private configRef: ListenerConfig;
  private plan: QuicPlan;
  readonly services: ListenerServices;
  private readonly metrics: ListenerMetrics | undefined;
  private server: QuicServerLike | undefined = undefined;
  private readonly connections = new Set<H3Connection>();
  /** Connections of a server being replaced or closed: sent away as they come. */
  private sendingAway = false;
  private boundPort = 0;
  serverKey: string;
  /** The UDP port is served now. */
  serving = false;
  private keepAlive: NodeJS.Timeout | undefined = undefined;
  private headSweep: NodeJS.Timeout | undefined = undefined;

  readonly headersTimeoutMs: number;

  constructor(plan: QuicPlan, services: ListenerServices, metrics: ListenerMetrics | undefined, headersTimeoutMs: number) {
    this.headersTimeoutMs = headersTimeoutMs;
    this.plan = plan;
    this.configRef = plan.config;
    this.serverKey = plan.serverKey;
    this.services = services;
    this.metrics = metrics;
  }

  get config(): ListenerConfig {
    return this.configRef;
  }

  /** currentConfig is what new requests get (H3ConnectionHost). */
  currentConfig(): ListenerConfig {
    return this.configRef;
  }

  get port(): number {
    return this.boundPort;
  }

  /** start binds the port; throws why it cannot. */
  async start(transport: QuicTransport): Promise<void> {
    const server = transport.createServer(this.plan.settings);
    server.on('error', ignore);
    server.on('session', (session) => {
      const connection = new H3Connection(transport, session, this);
      this.connections.add(connection);
      this.metrics?.connectionOpened();
      if (this.sendingAway) connection.goaway();
    });
    try {
      const bound = await server.listen(this.plan.listener.port || this.boundPort, this.plan.address);
      this.boundPort = bound.port;
    } catch (err) {
      await server.close().catch(ignore);
      throw err;
    }
    this.server = server;
    this.serving = true;
    this.sendingAway = false;
    // QUIC's idle timeout counts packets, not requests: a connection waiting on a slow backend
    // (requestTimeout may exceed idleTimeout) is kept alive with PINGs while requests are in
    // the pipeline; idle connections time out as E7 says.
    clearInterval(this.keepAlive);
    this.keepAlive = setInterval(() => {
      for (const c of this.connections) if (c.exchanges > 0) c.ping();
    }, Math.max(500, Math.min(5000, this.plan.settings.maxIdleTimeoutMs / 3)));
    this.keepAlive.unref();
    // E17's head deadline, one sweep per listener (no timer per request).
    clearInterval(this.headSweep);
    this.headSweep = setInterval(() => {
      const now = Date.now();
      for (const c of this.connections) c.sweep(now);
    }, Math.min(1000, this.headersTimeoutMs));
    this.headSweep.unref();
  }

  /** update swaps the configuration new requests get. */
  update(plan: QuicPlan): void {
    this.plan = plan;
    this.configRef = plan.config;
  }

  /** replaceServer hands the port over to a server with the plan's settings (see the file's comment). */
  async replaceServer(transport: QuicTransport, plan: QuicPlan): Promise<void> {
    const handingOver = this.serving;
    if (handingOver) await this.stopServer(HANDOVER_WAIT_MS);
    this.update(plan);
    this.serverKey = plan.serverKey;
    const end = Date.now() + (handingOver ? REBIND_WAIT_MS : 0);
    for (;;) {
      try {
        await this.start(transport);
        return;
      } catch (err) {
        if (Date.now() >= end || !/in use|EADDRINUSE/i.test(describeError(err))) throw err;
        await sleep(10);
      }
    }
  }

  /** close sends every connection away and closes the server, waiting for requests up to `deadlineMs`. */
  async close(deadlineMs: number): Promise<void> {
    await this.stopServer(deadlineMs);
  }

  private async stopServer(deadlineMs: number): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.sendingAway = true;
    for (const c of this.connections) c.goaway();
    const end = Date.now() + deadlineMs;
    // Requests in the pipeline finish; streams whose request never reached it (a head or body
    // decision still awaited) are cut with the connection, nothing of them having been forwarded.
    while (this.exchangesInFlight() > 0 && Date.now() < end) await sleep(10);
    // Their last bytes reach the clients before the connections close (CLOSE_GRACE_MS).
    const graceEnd = Math.min(end, Date.now() + CLOSE_GRACE_MS + 100);
    while (this.connections.size > 0 && Date.now() < graceEnd) await sleep(10);
    for (const c of this.connections) c.close(H3_NO_ERROR);
    this.serving = false;
    this.server = undefined;
    clearInterval(this.keepAlive);
    clearInterval(this.headSweep);
    await server.close().catch(ignore);
  }

  private exchangesInFlight(): number {
    let n = 0;
    for (const c of this.connections) n += c.exchanges;
    return n;
  }

  /** closed: a connection closed (H3ConnectionHost). */
  closed(connection: H3Connection): void {
    if (this.connections.delete(connection)) this.metrics?.connectionClosed();
  }
}

function ignore(): void {}
