/**
 * `SniReader` reads the server name of one new client from its first datagrams, for the UDP
 * front's choice of internal QUIC server. A ClientHello may span several Initial packets (a
 * post-quantum key share makes Chromium's span two) and a datagram may coalesce several
 * packets, so CRYPTO data is reassembled by offset across packets and datagrams, in whatever
 * order it comes. Everything is bounded: the bytes buffered, the pieces tracked, the datagrams
 * waited for. The reader never throws: what it cannot read gives the default route, and a
 * client none of whose packets authenticate is not a QUIC v1 client at all.
 */
import { NEED_MORE, NO_NAME, readClientHelloName } from './client-hello.ts';
import {
  decryptInitial,
  deriveClientInitialKeys,
  parseLongHeader,
  QUIC_V1,
  readInitialFrames,
  type InitialKeys,
} from './initial-packet.ts';

/** SniVerdict is what a reader concluded about a client so far. */
export type SniVerdict =
  /** More datagrams are needed. */
  | { kind: 'pending' }
  /** The ClientHello names this host (lower case, no trailing dot). */
  | { kind: 'name'; serverName: string }
  /** A QUIC client with no usable name, another QUIC version, or one the reader gave up on: the default route. */
  | { kind: 'default' }
  /** Nothing authentic was read: not a QUIC client; its datagrams are dropped. */
  | { kind: 'drop' };

/** SniReaderLimits bound one client's reading. */
export interface SniReaderLimits {
  /** Most CRYPTO bytes buffered (the ClientHello prefix up to the name). Default 16 KiB. */
  maxCryptoBytes?: number;
  /** Most datagrams read before giving up. Default 4. */
  maxDatagrams?: number;
}

/** DEFAULT_MAX_CRYPTO_BYTES bounds a reader's buffer; ClientHellos with post-quantum shares are under 2 KiB. */
export const DEFAULT_MAX_CRYPTO_BYTES = 16 * 1024;

/** DEFAULT_MAX_DATAGRAMS is how many datagrams a reader waits for; a ClientHello fits in two. */
export const DEFAULT_MAX_DATAGRAMS = 4;

/** MAX_PIECES bounds the disjoint CRYPTO ranges tracked (clients may scatter small frames). */
const MAX_PIECES = 64;

const PENDING: SniVerdict = Object.freeze({ kind: 'pending' });
const DEFAULT: SniVerdict = Object.freeze({ kind: 'default' });
const DROP: SniVerdict = Object.freeze({ kind: 'drop' });

/** SniReader reassembles one client's ClientHello from its Initial packets until its server name is known. */
export class SniReader {
  readonly #maxCryptoBytes: number;
  readonly #maxDatagrams: number;
  #datagrams = 0;
  #verdict: SniVerdict = PENDING;
  /** Whether any packet authenticated (or spoke another version): a real QUIC client. */
  #authentic = false;
  #dcid: Buffer | undefined;
  #keys: InitialKeys | undefined;
  #largestPn = -1;
  #buffer: Buffer = Buffer.alloc(0);
  /** Received CRYPTO ranges, sorted and merged: [start0, end0, start1, end1, …]. */
  #pieces: number[] = [];
  #overflow = false;
  readonly #pnOut = { pn: 0 };

  constructor(limits: SniReaderLimits = {}) {
    this.#maxCryptoBytes = limits.maxCryptoBytes ?? DEFAULT_MAX_CRYPTO_BYTES;
    this.#maxDatagrams = limits.maxDatagrams ?? DEFAULT_MAX_DATAGRAMS;
  }

  /** verdict is the conclusion so far. */
  get verdict(): SniVerdict {
    return this.#verdict;
  }

  /** push reads one datagram from the client and returns the verdict after it. */
  push(datagram: Buffer): SniVerdict {
    if (this.#verdict.kind !== 'pending') return this.#verdict;
    this.#datagrams += 1;
    this.#readDatagram(datagram);
    if (this.#verdict.kind === 'pending' && (this.#overflow || this.#datagrams >= this.#maxDatagrams)) this.giveUp();
    return this.#verdict;
  }

  /** giveUp ends the wait (the front's timer ran out): the default route for a QUIC client, a drop otherwise. */
  giveUp(): SniVerdict {
    if (this.#verdict.kind === 'pending') this.#verdict = this.#authentic ? DEFAULT : DROP;
    this.#release();
    return this.#verdict;
  }

  #readDatagram(datagram: Buffer): void {
    let offset = 0;
    while (offset < datagram.length && this.#verdict.kind === 'pending') {
      const header = parseLongHeader(datagram, offset);
      if (header === undefined) return;
      if (header.version !== QUIC_V1) {
        // Another version (or a version negotiation): not ours to read; the server negotiates.
        if (offset === 0 && header.version !== 0) {
          this.#authentic = true;
          this.#conclude(DEFAULT);
        }
        return;
      }
      if (header.pnOffset < 0) return; // 0-RTT or Handshake: only Initial packets come first
      if (this.#dcid === undefined || !this.#dcid.equals(header.dcid)) {
        this.#dcid = Buffer.from(header.dcid);
        this.#keys = deriveClientInitialKeys(this.#dcid);
        this.#largestPn = -1;
      }
      const payload = decryptInitial(datagram, header, this.#keys!, this.#largestPn, this.#pnOut);
      if (payload !== undefined) {
        this.#authentic = true;
        if (this.#pnOut.pn > this.#largestPn) this.#largestPn = this.#pnOut.pn;
        const before = this.#contiguous();
        readInitialFrames(payload, this.#onCrypto);
        if (this.#overflow) return;
        if (this.#contiguous() > before) this.#readName();
      }
      offset = header.end;
    }
  }

  readonly #onCrypto = (offset: number, data: Buffer): boolean => {
    if (data.length === 0) return true;
    const end = offset + data.length;
    if (end > this.#maxCryptoBytes) {
      this.#overflow = true;
      return false;
    }
    if (end > this.#buffer.length) {
      const grown = Buffer.alloc(Math.min(this.#maxCryptoBytes, Math.max(end, this.#buffer.length * 2, 2048)));
      this.#buffer.copy(grown);
      this.#buffer = grown;
    }
    data.copy(this.#buffer, offset);
    if (!this.#addPiece(offset, end)) {
      this.#overflow = true;
      return false;
    }
    return true;
  };

  /** #addPiece records [start, end) as received, merging it with the ranges it touches. */
  #addPiece(start: number, end: number): boolean {
    const pieces = this.#pieces;
    let i = 0;
    while (i < pieces.length && pieces[i + 1]! < start) i += 2;
    let j = i;
    while (j < pieces.length && pieces[j]! <= end) {
      start = Math.min(start, pieces[j]!);
      end = Math.max(end, pieces[j + 1]!);
      j += 2;
    }
    pieces.splice(i, j - i, start, end);
    return pieces.length <= MAX_PIECES * 2;
  }

  /** #contiguous is how many CRYPTO bytes from offset 0 have arrived. */
  #contiguous(): number {
    return this.#pieces[0] === 0 ? this.#pieces[1]! : 0;
  }

  #readName(): void {
    const name = readClientHelloName(this.#buffer.subarray(0, this.#contiguous()));
    if (name === NEED_MORE) return;
    this.#conclude(name === NO_NAME ? DEFAULT : { kind: 'name', serverName: name });
  }

  #conclude(verdict: SniVerdict): void {
    this.#verdict = verdict;
    this.#release();
  }

  /** #release lets go of the buffers once a verdict is in. */
  #release(): void {
    this.#buffer = Buffer.alloc(0);
    this.#pieces = [];
    this.#keys = undefined;
    this.#dcid = undefined;
  }
}
