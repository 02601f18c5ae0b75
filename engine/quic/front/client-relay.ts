/**
 * `ClientRelay` is the UDP front's state for one client address: while the client's server
 * name is read, its first datagrams wait here (bounded); once a backend is chosen, a socket of
 * its own on the loopback interface, connected to that backend, carries the client's datagrams
 * to it and the backend's answers back. The backend sees the relay socket's address as the
 * client's, which is why the front maps relay ports back to client addresses.
 *
 * Per datagram nothing is allocated here: the public socket's handler calls `toBackend`, the
 * relay socket's handler (one closure per client, made once) sends back through the public
 * socket, and activity is one boolean the front's sweep reads.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SniReader, type SniReaderLimits, type SniVerdict } from './sni-reader.ts';

/** Backend is one internal QUIC server a client's datagrams are relayed to. */
export interface Backend {
  readonly host: string;
  readonly port: number;
}

/** ClientAddress is a client's real address as the public socket saw it. */
export interface ClientAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** MAX_WAITING_DATAGRAMS bounds the datagrams held while the name is read and the relay socket opens. */
export const MAX_WAITING_DATAGRAMS = 8;

/** backendKey names a backend in the front's tables. */
export function backendKey(backend: Backend): string {
  return `${backend.host}|${backend.port}`;
}

/** RelayState is where a client is: reading its name, opening its relay socket, relaying, or gone. */
export type RelayState = 'reading' | 'opening' | 'open' | 'closed';

/** RelayOwner is what a relay needs from its front: the public socket and word of its end. */
export interface RelayOwner {
  /** sendToClient sends a backend's datagram to the client through the public socket. */
  sendToClient(datagram: Buffer, client: ClientAddress): void;
  /** relayOpened is told the relay socket's local port, for the reverse mapping. */
  relayOpened(relay: ClientRelay, relayPort: number): void;
  /** relayFailed is told when the relay socket fails (its backend is gone): the front forgets the client. */
  relayFailed(relay: ClientRelay): void;
}

/** ClientRelay holds one client's waiting datagrams, then its relay socket. */
export class ClientRelay {
  readonly client: ClientAddress;
  state: RelayState = 'reading';
  /** Set by every datagram either way; the front's sweep clears it and measures idleness. */
  active = true;
  /** When the sweep last saw the relay active (ms since the epoch, the sweep's clock). */
  lastActive: number;
  reader: SniReader | undefined;
  /** The SNI wait's timer while reading. */
  timer: NodeJS.Timeout | undefined;
  backend: Backend | undefined;
  backendKey = '';
  relayPort = 0;
  #waiting: Buffer[] = [];
  #socket: Socket | undefined;
  readonly #owner: RelayOwner;

  constructor(client: ClientAddress, owner: RelayOwner, limits: SniReaderLimits, now: number) {
    this.client = client;
    this.#owner = owner;
    this.reader = new SniReader(limits);
    this.lastActive = now;
  }

  /** read keeps a datagram of a client still being read (bounded) and returns the reader's verdict. */
  read(datagram: Buffer): SniVerdict {
    this.hold(datagram);
    return this.reader!.push(datagram);
  }

  /** hold keeps a datagram until the relay socket is open; beyond the bound it is dropped (QUIC retransmits). */
  hold(datagram: Buffer): void {
    if (this.#waiting.length < MAX_WAITING_DATAGRAMS) this.#waiting.push(datagram);
  }

  /** toBackend relays one datagram of an open relay. */
  toBackend(datagram: Buffer): void {
    this.active = true;
    this.#socket!.send(datagram);
  }

  /**
   * open starts relaying to `backend`: a socket bound on the loopback interface of the
   * backend's family (any interface for a backend elsewhere), connected to it, then the
   * waiting datagrams in the order they came.
   */
  open(backend: Backend): void {
    this.reader = undefined;
    this.backend = backend;
    this.backendKey = backendKey(backend);
    this.state = 'opening';
    const v6 = isIPv6(backend.host);
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4' });
    this.#socket = socket;
    socket.on('error', () => this.#owner.relayFailed(this));
    socket.on('message', (datagram: Buffer) => {
      this.active = true;
      this.#owner.sendToClient(datagram, this.client);
    });
    const loopback = isLoopback(backend.host);
    socket.bind({ port: 0, address: loopback ? (v6 ? '::1' : '127.0.0.1') : undefined }, () => {
      if (this.state !== 'opening') return;
      socket.connect(backend.port, backend.host, () => {
        if (this.state !== 'opening') return;
        this.state = 'open';
        this.relayPort = socket.address().port;
        this.#owner.relayOpened(this, this.relayPort);
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const datagram of waiting) socket.send(datagram);
      });
    });
  }

  /** close ends the relay: timer cleared, datagrams let go, socket closed. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.reader = undefined;
    this.#waiting = [];
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) {
      socket.removeAllListeners('message');
      try {
        socket.close();
      } catch {
        // Already closed by a failed bind.
      }
    }
  }
}

/** isLoopback says whether a literal address is on the loopback interface. */
function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}
