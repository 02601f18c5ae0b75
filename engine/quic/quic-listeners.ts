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
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SniTable } from '../../schema/wildcard.ts';
import type { EngineSnapshot, ForwardedHeadersConfig, SnapshotListener, SnapshotQuicListener } from '../../schema/snapshot.ts';
import { forwardedHeadersSchema, toForwardedHeadersConfig } from '../../schema/resources/forwarded-headers.ts';
import { describeError } from '../errors.ts';
import { ForwardedHeaders } from '../headers/forwarded-headers.ts';
import { H3_NO_ERROR } from '../http3/error-codes.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import type { EngineMetrics, ListenerMetrics } from '../observability/metrics.ts';
import type { ListenerServices } from '../proxy/front-types.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import type { AccessLogRecord, ListenerState } from '../types.ts';
import type { ServerGroupRuntime } from '../upstream/server-group-runtime.ts';
import { CLOSE_GRACE_MS, H3Connection, MAX_CONCURRENT_STREAMS, type H3ConnectionHost } from './h3-connection.ts';
import { UdpFront, type Backend, type RouteFn } from './front/udp-front.ts';
import { loadQuicTransport, type QuicServerLike, type QuicServerSettings, type QuicSessionLike, type QuicTransport } from './quic-transport.ts';

/** MOVE_WAIT_MS bounds how long a front being moved (new address or port) lets its requests finish. */
export const MOVE_WAIT_MS = 10_000;
/** SNI_WAIT_MS is how long the front waits for a new client's name (UdpFront's sniWaitMs). */
const SNI_WAIT_MS = 100;
/**
 * SWITCH_SETTLE_MS is how long after a switch of generation an old server may still get a
 * session from a client routed to it just before: the SNI wait plus a handshake.
 */
const SWITCH_SETTLE_MS = SNI_WAIT_MS + 1000;
/** RELAY_IDLE_MARGIN_MS is what the front keeps an idle relay beyond the QUIC idle timeout. */
const RELAY_IDLE_MARGIN_MS = 5000;
/** RETIRED_RELAYS_WAIT_MS bounds the wait for a retired server's last relays to go. */
const RETIRED_RELAYS_WAIT_MS = 5000;
/** CLOSE_FLUSH_MS bounds the wait for connections closed by sendAway to send their CONNECTION_CLOSE. */
const CLOSE_FLUSH_MS = 250;
/** ALT_SVC_MAX_AGE is the `ma` of the Alt-Svc field (SPEC 1.3). */
const ALT_SVC_MAX_AGE = 86400;

const CERT_OFF = { enabled: false } as const;

/** withoutClientCertHeaders turns the client-certificate headers off: QUIC listeners ask for no client certificate. */
function withoutClientCertHeaders(fh: ForwardedHeadersConfig): ForwardedHeadersConfig {
  return { ...fh, clientCertSubjectDn: CERT_OFF, clientCertIssuerDn: CERT_OFF, clientCertFingerprint: CERT_OFF, clientCertClientVerify: CERT_OFF };
}

/**
 * QUIC_FORWARDED_HEADERS is what a QUIC listener no HTTPS listener upgrades to adds: the
 * schema's forwarded-header defaults, with X-Forwarded-Proto on (SPEC 1.3).
 */
const QUIC_FORWARDED_HEADERS: ForwardedHeadersConfig = withoutClientCertHeaders({ ...toForwardedHeadersConfig(forwardedHeadersSchema.parse({})), proto: true });

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
  /** Names the public socket: a change means a new front. */
  readonly frontKey: string;
  /** Names the internal servers the plan needs: a change means a new generation. */
  readonly generationKey: string;
  /** One internal server per distinct certificate, the default's first. */
  readonly servers: readonly QuicServerSettings[];
  /** The domains of each certificate (default first) with the index of its server. */
  readonly names: readonly { readonly domains: readonly string[]; readonly server: number }[];
  /** The QUIC idle timeout, ms. */
  readonly idleTimeoutMs: number;
  readonly address: string;
}

/**
 * QuicInspection is what a QUIC listener runs now, read-only, for tests: the lifecycle (old
 * servers retired and closed, per-client state forgotten) is otherwise invisible from outside.
 */
export interface QuicInspection {
  /** The public UDP port, 0 while the front is down. */
  readonly port: number;
  /** Clients the front knows now (UdpFront.stats().clients). */
  readonly clients: number;
  /** HTTP/3 connections the listener tracks, of every generation, live or not yet seen closed. */
  readonly connections: number;
  /** Generations still running: the current one first, then those being retired. */
  readonly generations: readonly {
    readonly current: boolean;
    /** Its internal servers' loopback ports. */
    readonly ports: readonly number[];
    /** Relays to each of those servers (UdpFront.relayCount). */
    readonly relays: readonly number[];
    /** Its HTTP/3 connections open. */
    readonly connections: number;
  }[];
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
  const certificates = [q.defaultCertificateId, ...q.additionalCertificateIds].map((id) => {
    const cert = lookup.certificates.get(id);
    if (cert === undefined || cert.privateKeyPem === undefined) throw new Error(`certificate ${id} is not a server certificate of the snapshot`);
    return { cert, key: cert.privateKeyPem };
  });
  const upgrading = snapshot.listeners.find((l) => l.tls?.quic.upgradeEnabled === true && l.tls.quic.quicListenerId === q.id);
  const forwardedConfig: ForwardedHeadersConfig = upgrading === undefined
    ? QUIC_FORWARDED_HEADERS
    : withoutClientCertHeaders(upgrading.forwardedHeaders);
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
  // One server per distinct certificate and key: an additional certificate identical to another shares its server.
  const servers: QuicServerSettings[] = [];
  const materials: string[] = [];
  const names: { domains: readonly string[]; server: number }[] = [];
  for (const { cert, key } of certificates) {
    const material = createHash('sha256').update(cert.certificatePem).update('\0').update(key).digest('hex');
    let index = materials.indexOf(material);
    if (index < 0) {
      index = materials.push(material) - 1;
      servers.push({ key, cert: cert.certificatePem, maxIdleTimeoutMs: q.idleTimeout * 1000, maxConcurrentStreams: MAX_CONCURRENT_STREAMS });
    }
    names.push({ domains: [...cert.domains], server: index });
  }
  return {
    listener: q,
    config,
    frontKey: `${lb.address}|${q.port}`,
    generationKey: JSON.stringify([q.idleTimeout, materials, names]),
    servers,
    names,
    idleTimeoutMs: q.idleTimeout * 1000,
    address: lb.address,
  };
}

/** bindFailure words why a server could not start, as a listener's Failed reason does. */
function bindFailure(err: unknown, plan: QuicPlan, boundPort: number | undefined): string {
  const text = describeError(err);
  return `UDP ${plan.address}:${plan.listener.port || boundPort || 0}: ${text}`;
}

/** Generation is one set of internal QUIC servers (one per certificate) and their connections. */
interface Generation {
  readonly key: string;
  readonly servers: readonly { readonly server: QuicServerLike; readonly backend: Backend }[];
  readonly route: RouteFn;
  readonly idleTimeoutMs: number;
  readonly connections: Set<H3Connection>;
  /** Its connections are being sent away: new sessions get GOAWAY at once. */
  sendingAway: boolean;
}

/** QuicListenerRuntime is one QUIC listener's front, internal servers and connections. */
class QuicListenerRuntime implements H3ConnectionHost {
  private configRef: ListenerConfig;
  private plan: QuicPlan;
  readonly services: ListenerServices;
  private readonly metrics: ListenerMetrics | undefined;
  private front: UdpFront | undefined = undefined;
  /** The generation new clients are routed to. */
  private current: Generation | undefined = undefined;
  /** Generations being retired after a rotation. */
  private readonly retiring = new Set<Generation>();
  private readonly generationOf = new Map<H3Connection, Generation>();
  private boundPort = 0;
  frontKey: string;
  generationKey: string;
  /** The UDP port is served now. */
  serving = false;
  private closing = false;
  private keepAlive: NodeJS.Timeout | undefined = undefined;
  private headSweep: NodeJS.Timeout | undefined = undefined;

  readonly headersTimeoutMs: number;

  constructor(plan: QuicPlan, services: ListenerServices, metrics: ListenerMetrics | undefined, headersTimeoutMs: number) {
    this.headersTimeoutMs = headersTimeoutMs;
    this.plan = plan;
    this.configRef = plan.config;
    this.frontKey = plan.frontKey;
    this.generationKey = plan.generationKey;
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

  /** inspect: QuicListeners.inspect, for tests only. */
  inspect(): QuicInspection {
    const front = this.front;
    const describe = (g: Generation, current: boolean): QuicInspection['generations'][number] => ({
      current,
      ports: g.servers.map(({ backend }) => backend.port),
      relays: g.servers.map(({ backend }) => front?.relayCount(backend) ?? 0),
      connections: g.connections.size,
    });
    return {
      port: this.serving ? this.boundPort : 0,
      clients: front?.stats().clients ?? 0,
      connections: this.generationOf.size,
      generations: [...(this.current === undefined ? [] : [describe(this.current, true)]), ...[...this.retiring].map((g) => describe(g, false))],
    };
  }

  /** start binds the public port and starts the internal servers; throws why it cannot (holding nothing). */
  async start(transport: QuicTransport): Promise<void> {
    const generation = await this.startGeneration(transport, this.plan);
    const front = new UdpFront({ host: this.plan.address, port: this.plan.listener.port || this.boundPort, route: generation.route, idleTimeoutMs: generation.idleTimeoutMs + RELAY_IDLE_MARGIN_MS, sniWaitMs: SNI_WAIT_MS });
    try {
      this.boundPort = (await front.start()).port;
    } catch (err) {
      await front.close();
      await closeServers(generation);
      throw err;
    }
    this.front = front;
    this.current = generation;
    this.generationKey = generation.key;
    this.frontKey = this.plan.frontKey;
    this.serving = true;
    this.startTimers();
  }

  /** update swaps the configuration new requests get. */
  update(plan: QuicPlan): void {
    this.plan = plan;
    this.configRef = plan.config;
  }

  /**
   * rotate starts a generation for the plan's certificates and routes new clients to it; the old
   * generation is retired in the background (see the file's comment), its connections untouched.
   * Throws (keeping the old generation) when the new servers cannot start.
   */
  async rotate(transport: QuicTransport, plan: QuicPlan, drainMs: number): Promise<void> {
    const front = this.front!;
    const generation = await this.startGeneration(transport, plan);
    const old = this.current!;
    this.update(plan);
    this.current = generation;
    this.generationKey = generation.key;
    front.setRoutes(generation.route);
    this.retiring.add(old);
    this.fitRelayIdle();
    void this.retireGeneration(old, drainMs);
  }

  /** move replaces the front (a new address or port): the old one drains and closes before the new one binds. */
  async move(transport: QuicTransport, plan: QuicPlan): Promise<void> {
    if (this.serving) await this.stop(MOVE_WAIT_MS);
    this.update(plan);
    this.closing = false;
    await this.start(transport);
  }

  /** close sends every connection away and closes the front and every server, waiting for requests up to `deadlineMs`. */
  async close(deadlineMs: number): Promise<void> {
    await this.stop(deadlineMs);
  }

  private async stop(deadlineMs: number): Promise<void> {
    const front = this.front;
    if (front === undefined) return;
    this.closing = true;
    const generations = [...this.retiring, ...(this.current === undefined ? [] : [this.current])];
    await Promise.all(generations.map((g) => sendAway(g, deadlineMs)));
    this.serving = false;
    this.front = undefined;
    this.current = undefined;
    this.retiring.clear();
    clearInterval(this.keepAlive);
    clearInterval(this.headSweep);
    await front.close();
    await Promise.all(generations.map(closeServers));
  }

  /** startGeneration starts one internal server per certificate on 127.0.0.1:0, or none (throwing why). */
  private async startGeneration(transport: QuicTransport, plan: QuicPlan): Promise<Generation> {
    const servers: { server: QuicServerLike; backend: Backend }[] = [];
    const generation: Generation = {
      key: plan.generationKey,
      servers,
      route: routeOf(plan, servers),
      idleTimeoutMs: plan.idleTimeoutMs,
      connections: new Set(),
      sendingAway: false,
    };
    try {
      for (const settings of plan.servers) {
        const server = transport.createServer(settings);
        server.on('error', ignore);
        server.on('session', (session) => this.accept(transport, generation, session));
        try {
          const bound = await server.listen(0, '127.0.0.1');
          servers.push({ server, backend: { host: '127.0.0.1', port: bound.port } });
        } catch (err) {
          await server.close().catch(ignore);
          throw err;
        }
      }
    } catch (err) {
      await closeServers(generation);
      throw err;
    }
    return generation;
  }

  private accept(transport: QuicTransport, generation: Generation, session: QuicSessionLike): void {
    // The session's peer is the front's relay socket: the client is the one it relays (read now,
    // a forgotten relay's port may later serve another client).
    const client = this.front?.clientFor(session.remotePort);
    const connection = new H3Connection(transport, session, this, client);
    generation.connections.add(connection);
    this.generationOf.set(connection, generation);
    this.metrics?.connectionOpened();
    if (generation.sendingAway || this.closing) connection.goaway();
  }

  /**
   * retireGeneration lets an old generation's connections end on their own (sent away at the
   * drain deadline), then retires its servers from the front and closes them once no relay uses them.
   */
  private async retireGeneration(old: Generation, drainMs: number): Promise<void> {
    const switched = Date.now();
    const end = switched + Math.max(drainMs, SWITCH_SETTLE_MS);
    while (!this.closing && this.retiring.has(old) && Date.now() < end && (old.connections.size > 0 || Date.now() - switched < SWITCH_SETTLE_MS)) await sleep(50);
    if (this.closing || !this.retiring.has(old)) return;
    if (old.connections.size > 0) await sendAway(old, MOVE_WAIT_MS);
    const front = this.front;
    if (this.closing || front === undefined) return;
    for (const { backend } of old.servers) front.retire(backend);
    const relaysEnd = Date.now() + RETIRED_RELAYS_WAIT_MS;
    while (!this.closing && Date.now() < relaysEnd && old.servers.some(({ backend }) => front.relayCount(backend) > 0)) await sleep(50);
    if (this.closing) return;
    this.retiring.delete(old);
    this.fitRelayIdle();
    await closeServers(old);
  }

  /** fitRelayIdle keeps relays idle as long as the longest QUIC idle timeout of the live generations. */
  private fitRelayIdle(): void {
    let idle = this.current?.idleTimeoutMs ?? 0;
    for (const g of this.retiring) idle = Math.max(idle, g.idleTimeoutMs);
    this.front?.setIdleTimeout(idle + RELAY_IDLE_MARGIN_MS);
  }

  private startTimers(): void {
    // QUIC's idle timeout counts packets, not requests: a connection waiting on a slow backend
    // (requestTimeout may exceed idleTimeout) is kept alive with PINGs while requests are in
    // the pipeline; idle connections time out as E7 says.
    clearInterval(this.keepAlive);
    this.keepAlive = setInterval(() => {
      for (const c of this.generationOf.keys()) if (c.exchanges > 0) c.ping();
    }, Math.max(500, Math.min(5000, this.plan.idleTimeoutMs / 3)));
    this.keepAlive.unref();
    // E17's head deadline, one sweep per listener (no timer per request).
    clearInterval(this.headSweep);
    this.headSweep = setInterval(() => {
      const now = Date.now();
      for (const c of this.generationOf.keys()) c.sweep(now);
    }, Math.min(1000, this.headersTimeoutMs));
    this.headSweep.unref();
  }

  /** closed: a connection closed (H3ConnectionHost). */
  closed(connection: H3Connection): void {
    const generation = this.generationOf.get(connection);
    if (generation === undefined) return;
    this.generationOf.delete(connection);
    generation.connections.delete(connection);
    this.metrics?.connectionClosed();
  }
}

/** routeOf is a generation's route: the certificate whose names match the SNI as on HTTPS (E1), else the default. */
function routeOf(plan: QuicPlan, servers: readonly { readonly backend: Backend }[]): RouteFn {
  const table = new SniTable<number>();
  for (const { domains, server } of plan.names) table.add(domains, server);
  return (serverName) => servers[serverName === undefined ? 0 : (table.lookup(serverName) ?? 0)]!.backend;
}

/**
 * sendAway sends a generation's connections away: GOAWAY on each (later requests on them are
 * refused H3_REQUEST_REJECTED), requests in the pipeline finish (up to `deadlineMs`), then each
 * connection closes (up to CLOSE_FLUSH_MS beyond the deadline for its CONNECTION_CLOSE to go out).
 */
async function sendAway(generation: Generation, deadlineMs: number): Promise<void> {
  generation.sendingAway = true;
  for (const c of generation.connections) c.goaway();
  const end = Date.now() + deadlineMs;
  // Requests in the pipeline finish; streams whose request never reached it (a head or body
  // decision still awaited) are cut with the connection, nothing of them having been forwarded.
  while (exchangesOf(generation) > 0 && Date.now() < end) await sleep(10);
  // Their last bytes reach the clients before the connections close (CLOSE_GRACE_MS).
  const graceEnd = Math.min(end, Date.now() + CLOSE_GRACE_MS + 100);
  while (generation.connections.size > 0 && Date.now() < graceEnd) await sleep(10);
  for (const c of generation.connections) c.close(H3_NO_ERROR);
  // Their CONNECTION_CLOSE is sent by the transport's worker: the servers and the front stay
  // a moment for it to reach the clients, which would otherwise wait for their idle timeout.
  const flushEnd = Date.now() + CLOSE_FLUSH_MS;
  while (generation.connections.size > 0 && Date.now() < flushEnd) await sleep(10);
}

function exchangesOf(generation: Generation): number {
  let n = 0;
  for (const c of generation.connections) n += c.exchanges;
  return n;
}

/**
 * closeServers closes a generation's servers, then ends the connections still tracked: the
 * transport drops a closed server's sessions without a close event (H3Connection.abandon), so
 * those would otherwise stay tracked and counted open, their requests never cut.
 */
async function closeServers(generation: Generation): Promise<void> {
  await Promise.all(generation.servers.map(({ server }) => server.close().catch(ignore)));
  for (const c of [...generation.connections]) c.abandon();
}

function ignore(): void {}
