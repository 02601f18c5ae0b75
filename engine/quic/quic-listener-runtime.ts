/**
 * One QUIC listener at run time (SPEC 1.3): its UDP front on the public port, the generation of
 * internal QUIC servers new clients are routed to, the generations being retired, and their
 * HTTP/3 connections. A change of certificates or idle timeout starts a new generation; a new
 * address or port moves the front.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { H3_NO_ERROR } from '../http3/error-codes.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import type { ListenerMetrics } from '../observability/metrics.ts';
import type { ListenerServices } from '../proxy/front-types.ts';
import { CLOSE_GRACE_MS, H3Connection, type H3ConnectionHost } from './h3-connection.ts';
import { UdpFront, type Backend, type RouteFn } from './front/udp-front.ts';
import { routeOf, type QuicPlan } from './quic-plan.ts';
import type { QuicServerLike, QuicSessionLike, QuicTransport } from './quic-transport.ts';

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
export class QuicListenerRuntime implements H3ConnectionHost {
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
