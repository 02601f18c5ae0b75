/**
 * `UdpFront` owns a QUIC listener's public UDP port and relays each client to one of several
 * internal QUIC servers on the loopback interface. The QUIC server Gatehouse runs takes one
 * certificate and cannot share its port, yet a listener must choose its certificate by SNI and
 * change certificates live without dropping a connection. So there is one internal server per
 * certificate, and the front chooses one for each new client by the server name read from the
 * client's Initial packets (`SniReader`); a configuration change starts new servers and routes
 * only new clients to them (`setRoutes`), while each existing client stays on its server until
 * it goes quiet, and a retired server's last relays go once idle (`retire`).
 *
 * A client is its address and port as the public socket sees them. While its name is read, its
 * datagrams wait (bounded in number and size); a client that has not named itself within
 * `sniWaitMs` takes the default route. Clients are bounded in number (`maxClients`, of which at
 * most `maxReadingClients` are being read); beyond, a new client's datagrams are dropped and
 * QUIC's retransmission brings them back later. A first datagram that cannot open a QUIC
 * connection (a short header, or under the 1200 bytes RFC 9000 §14.1 requires of a client's
 * Initial datagram) makes no state at all.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { backendKey, ClientRelay, type Backend, type ClientAddress, type RelayOwner } from './client-relay.ts';
import type { SniReaderLimits, SniVerdict } from './sni-reader.ts';

export type { Backend, ClientAddress } from './client-relay.ts';

/** RouteFn chooses the backend for a new client from its server name (undefined: none, or unreadable). */
export type RouteFn = (serverName: string | undefined) => Backend;

/** UdpFrontOptions configure one front. */
export interface UdpFrontOptions {
  /** The listener's address: an IPv6 one binds an IPv6 socket (dual-stack for '::'). */
  host: string;
  /** The listener's UDP port; 0 picks one (tests). */
  port: number;
  /** The routing of new clients. */
  route: RouteFn;
  /** Most clients known at once. Default 10 000. */
  maxClients?: number;
  /** Most clients whose name is being read at once. Default 1 024. */
  maxReadingClients?: number;
  /** A relay idle this long is forgotten: the QUIC idle timeout plus a margin. Default 35 s. */
  idleTimeoutMs?: number;
  /** A relay to a retired backend idle this long is forgotten. Default 1 s. */
  retiredIdleMs?: number;
  /** How long a new client may take to name itself. Default 100 ms. */
  sniWaitMs?: number;
  /** Bounds of each client's SNI reading. */
  sni?: SniReaderLimits;
  /** The public socket's kernel buffers, in bytes (the system's default when absent). */
  receiveBufferSize?: number;
  sendBufferSize?: number;
}

/** UdpFrontStats counts what the front did not relay, for metrics and tests. */
export interface UdpFrontStats {
  /** Clients known now (reading, opening or relaying). */
  clients: number;
  /** First datagrams that could not open a QUIC connection. */
  droppedNotInitial: number;
  /** New clients' datagrams dropped because the front was full. */
  droppedFull: number;
  /** Clients dropped because nothing they sent authenticated as a QUIC Initial. */
  droppedUnreadable: number;
  /** Clients forgotten after going idle. */
  expired: number;
}

/** MIN_INITIAL_DATAGRAM is the least a client's first datagram carries (RFC 9000 §14.1). */
const MIN_INITIAL_DATAGRAM = 1200;

/** MAX_INITIAL_DATAGRAM bounds the datagrams held for a client being read: no path carries more. */
const MAX_INITIAL_DATAGRAM = 1500;

/**
 * literalAddress is the public socket's name lookup: it only ever sends to addresses its
 * clients came from, already literal, so the answer is the address itself, at once — dgram's
 * default (dns.lookup) would check it and defer every send to the next tick.
 */
function literalAddress(address: string, family: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  callback(null, address, family === 6 ? 6 : 4);
}

/** UdpFront relays a public UDP port's clients to internal QUIC servers chosen by SNI. */
export class UdpFront implements RelayOwner {
  readonly #options: UdpFrontOptions;
  readonly #maxClients: number;
  readonly #maxReading: number;
  #idleMs: number;
  readonly #retiredIdleMs: number;
  readonly #sniWaitMs: number;
  readonly #sniLimits: SniReaderLimits;
  #route: RouteFn;
  #socket: Socket | undefined;
  /** Clients by address, then port: a lookup that allocates nothing per datagram. */
  readonly #clients = new Map<string, Map<number, ClientRelay>>();
  readonly #byRelayPort = new Map<number, ClientRelay>();
  readonly #retired = new Set<string>();
  #count = 0;
  #reading = 0;
  #sweep: NodeJS.Timeout | undefined;
  #now = Date.now();
  #closed = false;
  readonly #stats = { droppedNotInitial: 0, droppedFull: 0, droppedUnreadable: 0, expired: 0 };

  constructor(options: UdpFrontOptions) {
    this.#options = options;
    this.#route = options.route;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#maxReading = options.maxReadingClients ?? 1024;
    this.#idleMs = options.idleTimeoutMs ?? 35_000;
    this.#retiredIdleMs = options.retiredIdleMs ?? 1000;
    this.#sniWaitMs = options.sniWaitMs ?? 100;
    this.#sniLimits = options.sni ?? {};
  }

  /** start binds the public socket; it rejects (and holds nothing) when the port cannot be had. */
  async start(): Promise<{ address: string; family: string; port: number }> {
    if (this.#closed) throw new Error('the UDP front is closed');
    if (this.#socket !== undefined) return this.#socket.address();
    const v6 = isIPv6(this.#options.host);
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: false, lookup: literalAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#options.port, this.#options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      socket.close();
      throw error;
    });
    if (this.#options.receiveBufferSize !== undefined) socket.setRecvBufferSize(this.#options.receiveBufferSize);
    if (this.#options.sendBufferSize !== undefined) socket.setSendBufferSize(this.#options.sendBufferSize);
    // Send errors (a client's network unreachable) concern one datagram; the socket goes on.
    socket.on('error', () => undefined);
    socket.on('message', this.#onMessage);
    this.#socket = socket;
    const interval = Math.max(20, Math.min(1000, Math.floor(Math.min(this.#idleMs, this.#retiredIdleMs) / 4)));
    this.#sweep = setInterval(this.#onSweep, interval);
    this.#sweep.unref();
    return socket.address();
  }

  /** address is the public socket's address, once started. */
  address(): { address: string; family: string; port: number } | undefined {
    return this.#socket?.address();
  }

  /**
   * setIdleTimeout changes how long an idle relay is kept (the internal servers' idle timeout
   * changed); it applies to every relay from the next sweep.
   */
  setIdleTimeout(ms: number): void {
    this.#idleMs = ms;
  }

  /** setRoutes routes clients from now on with `route`; clients already known keep their backend. */
  setRoutes(route: RouteFn): void {
    this.#route = route;
  }

  /**
   * retire says no new client goes to `backend` any more and its connections have ended (its
   * server has no session left): its relays go as soon as they are idle `retiredIdleMs`, which
   * lets the last closing packets through.
   */
  retire(backend: Backend): void {
    this.#retired.add(backendKey(backend));
  }

  /** relayCount is how many clients relay to `backend` (opening or open). */
  relayCount(backend: Backend): number {
    const key = backendKey(backend);
    let count = 0;
    for (const relay of this.#byRelayPort.values()) if (relay.backendKey === key) count += 1;
    for (const ports of this.#clients.values()) {
      for (const relay of ports.values()) if (relay.state === 'opening' && relay.backendKey === key) count += 1;
    }
    return count;
  }

  /**
   * clientFor maps the peer port an internal QUIC server sees (127.0.0.1:relayPort) to the
   * client's real address, for X-Forwarded-For and the access log. Read it when the session
   * starts: once a relay is forgotten its port may serve another client.
   */
  clientFor(relayPort: number): ClientAddress | undefined {
    return this.#byRelayPort.get(relayPort)?.client;
  }

  /** stats counts clients and what was dropped. */
  stats(): UdpFrontStats {
    return { clients: this.#count, ...this.#stats };
  }

  /** close stops the front: the public socket, every relay socket and every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#sweep = undefined;
    for (const ports of this.#clients.values()) for (const relay of ports.values()) relay.close();
    this.#clients.clear();
    this.#byRelayPort.clear();
    this.#count = 0;
    this.#reading = 0;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  readonly #onMessage = (datagram: Buffer, rinfo: RemoteInfo): void => {
    const relay = this.#clients.get(rinfo.address)?.get(rinfo.port);
    if (relay !== undefined) {
      if (relay.state === 'open') relay.toBackend(datagram);
      else if (relay.state === 'reading') this.#read(relay, datagram);
      else if (datagram.length <= MAX_INITIAL_DATAGRAM) relay.hold(datagram);
      return;
    }
    if (datagram.length < MIN_INITIAL_DATAGRAM || datagram.length > MAX_INITIAL_DATAGRAM || (datagram[0]! & 0x80) === 0) {
      this.#stats.droppedNotInitial += 1;
      return;
    }
    if (this.#count >= this.#maxClients || this.#reading >= this.#maxReading) {
      this.#stats.droppedFull += 1;
      return;
    }
    const client: ClientAddress = { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4' };
    const created = new ClientRelay(client, this, this.#sniLimits, this.#now);
    let ports = this.#clients.get(rinfo.address);
    if (ports === undefined) {
      ports = new Map();
      this.#clients.set(rinfo.address, ports);
    }
    ports.set(rinfo.port, created);
    this.#count += 1;
    this.#reading += 1;
    created.timer = setTimeout(() => {
      created.timer = undefined;
      if (created.state === 'reading') this.#decide(created, created.reader!.giveUp());
    }, this.#sniWaitMs);
    this.#read(created, datagram);
  };

  #read(relay: ClientRelay, datagram: Buffer): void {
    if (datagram.length > MAX_INITIAL_DATAGRAM) return;
    const verdict = relay.read(datagram);
    if (verdict.kind !== 'pending') this.#decide(relay, verdict);
  }

  /** #decide routes a client whose reading ended, or forgets one that is not a QUIC client. */
  #decide(relay: ClientRelay, verdict: SniVerdict): void {
    if (relay.timer !== undefined) clearTimeout(relay.timer);
    relay.timer = undefined;
    if (verdict.kind === 'drop') {
      this.#stats.droppedUnreadable += 1;
      this.#forget(relay);
      return;
    }
    let backend: Backend;
    try {
      backend = this.#route(verdict.kind === 'name' ? verdict.serverName : undefined);
    } catch {
      this.#forget(relay);
      return;
    }
    // A backend routed to again (a port reused by a new server) is no longer retired.
    this.#retired.delete(backendKey(backend));
    this.#reading -= 1;
    relay.open(backend);
  }

  #forget(relay: ClientRelay): void {
    if (relay.state === 'reading') this.#reading -= 1;
    relay.close();
    const ports = this.#clients.get(relay.client.address);
    if (ports?.get(relay.client.port) === relay) {
      ports.delete(relay.client.port);
      if (ports.size === 0) this.#clients.delete(relay.client.address);
      this.#count -= 1;
    }
    if (relay.relayPort !== 0 && this.#byRelayPort.get(relay.relayPort) === relay) this.#byRelayPort.delete(relay.relayPort);
  }

  readonly #onSweep = (): void => {
    const now = Date.now();
    this.#now = now;
    for (const ports of this.#clients.values()) {
      for (const relay of ports.values()) {
        if (relay.state === 'reading') continue;
        if (relay.active) {
          relay.active = false;
          relay.lastActive = now;
          continue;
        }
        const limit = this.#retired.has(relay.backendKey) ? this.#retiredIdleMs : this.#idleMs;
        if (now - relay.lastActive >= limit) {
          this.#stats.expired += 1;
          this.#forget(relay);
        }
      }
    }
    if (this.#retired.size > 0) this.#pruneRetired();
  };

  /** #pruneRetired forgets retired backends no relay uses any more. */
  #pruneRetired(): void {
    const used = new Set<string>();
    for (const ports of this.#clients.values()) for (const relay of ports.values()) used.add(relay.backendKey);
    for (const key of this.#retired) if (!used.has(key)) this.#retired.delete(key);
  }

  /** sendToClient: RelayOwner. */
  sendToClient(datagram: Buffer, client: ClientAddress): void {
    this.#socket?.send(datagram, client.port, client.address);
  }

  /** relayOpened: RelayOwner. */
  relayOpened(relay: ClientRelay, relayPort: number): void {
    this.#byRelayPort.set(relayPort, relay);
  }

  /** relayFailed: RelayOwner. */
  relayFailed(relay: ClientRelay): void {
    if (relay.state !== 'closed') this.#forget(relay);
  }
}
