/**
 * Reading a client's QUIC version 1 Initial packets (RFC 9000 §17.2.2) without taking part in
 * the connection: the UDP front needs the TLS ClientHello they carry to pick, by SNI, which
 * internal QUIC server (one per certificate) a new connection goes to. Initial packets are
 * protected with keys anyone can derive from the client's Destination Connection ID (RFC 9001
 * §5.2), so this module derives them, removes header protection (§5.4), decrypts the payload
 * with AES-128-GCM (§5.3) and hands out the plaintext frames.
 *
 * Everything here reads untrusted bytes: every length is checked against what is there, and a
 * packet that does not parse or does not authenticate is `undefined`, never an exception.
 * This runs only for a client's first few datagrams, never on the relay path.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { readVarint, varintSizeAt } from '../../http3/varint.ts';

/** QUIC_V1 is the version number of QUIC version 1 (RFC 9000 §15). */
export const QUIC_V1 = 0x00000001;

/** INITIAL_SALT_V1 is the salt of QUIC version 1's initial secrets (RFC 9001 §5.2). */
export const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');

/** MAX_CID_LENGTH is the longest connection ID QUIC version 1 allows (RFC 9000 §17.2). */
const MAX_CID_LENGTH = 20;

/** AEAD_TAG_LENGTH is AES-128-GCM's tag, which ends every protected payload. */
const AEAD_TAG_LENGTH = 16;

/** SAMPLE_LENGTH is the ciphertext sample header protection is computed from (RFC 9001 §5.4.2). */
const SAMPLE_LENGTH = 16;

/** InitialKeys are the client's Initial packet protection keys for one Destination Connection ID. */
export interface InitialKeys {
  /** AEAD key, 16 bytes (AES-128-GCM). */
  key: Buffer;
  /** AEAD IV, 12 bytes; the nonce is it XORed with the packet number. */
  iv: Buffer;
  /** Header protection key, 16 bytes (AES-128-ECB). */
  hp: Buffer;
}

/** LongHeader is what the cleartext part of a long-header packet says (RFC 9000 §17.2). */
export interface LongHeader {
  /** The QUIC version; 0 is a Version Negotiation packet. */
  version: number;
  /** The long packet type bits (0 is Initial in version 1). */
  type: number;
  /** Offset of the packet's first byte in the datagram. */
  start: number;
  dcid: Buffer;
  /** Offset of the (protected) packet number in the datagram; Initial packets only. */
  pnOffset: number;
  /** Offset just after this packet in the datagram, where a coalesced packet would start. */
  end: number;
}

/**
 * hkdfExtract is HKDF-Extract with SHA-256 (RFC 5869 §2.2). node:crypto's hkdfSync always runs
 * extract and expand together, and the TLS 1.3 schedule needs the intermediate secrets.
 */
function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** hkdfExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context (RFC 8446 §7.1), for outputs up to 32 bytes. */
function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + fullLabel.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = fullLabel.length;
  fullLabel.copy(info, 3);
  info[3 + fullLabel.length] = 0; // empty context
  info[info.length - 1] = 1; // HKDF-Expand's counter: one block is enough for ≤ 32 bytes
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** clientInitialSecret is the client's Initial secret for a Destination Connection ID (RFC 9001 §5.2). */
export function clientInitialSecret(dcid: Buffer): Buffer {
  return hkdfExpandLabel(hkdfExtract(INITIAL_SALT_V1, dcid), 'client in', 32);
}

/** deriveClientInitialKeys derives the client's Initial key, IV and header protection key from its Destination Connection ID. */
export function deriveClientInitialKeys(dcid: Buffer): InitialKeys {
  const secret = clientInitialSecret(dcid);
  return {
    key: hkdfExpandLabel(secret, 'quic key', 16),
    iv: hkdfExpandLabel(secret, 'quic iv', 12),
    hp: hkdfExpandLabel(secret, 'quic hp', 16),
  };
}

/**
 * readBoundedVarint reads a QUIC varint at `offset` of `data` bounded by `limit`; it returns the
 * value and sets `cursor.next`, or returns -1 when the varint runs past the limit.
 */
function readBoundedVarint(data: Uint8Array, offset: number, limit: number, cursor: { next: number }): number {
  if (offset >= limit) return -1;
  const size = varintSizeAt(data, offset);
  if (offset + size > limit) return -1;
  cursor.next = offset + size;
  return readVarint(data, offset);
}

/**
 * parseLongHeader reads the cleartext header of the long-header packet starting at `offset`.
 * For a version 1 Initial it also reads the token and Length fields, so `pnOffset` and `end`
 * are known; for other types and versions `end` is the datagram's end (their layout is not ours
 * to read). It is `undefined` for a short header or a header cut short.
 */
export function parseLongHeader(datagram: Buffer, offset: number): LongHeader | undefined {
  const limit = datagram.length;
  if (offset + 7 > limit) return undefined;
  const first = datagram[offset]!;
  if ((first & 0x80) === 0) return undefined;
  const version = datagram.readUInt32BE(offset + 1);
  let at = offset + 5;
  const dcidLength = datagram[at]!;
  at += 1;
  if (dcidLength > MAX_CID_LENGTH && version === QUIC_V1) return undefined;
  if (at + dcidLength >= limit) return undefined;
  const dcid = datagram.subarray(at, at + dcidLength);
  at += dcidLength;
  const scidLength = datagram[at]!;
  at += 1;
  if (scidLength > MAX_CID_LENGTH && version === QUIC_V1) return undefined;
  at += scidLength;
  if (at > limit) return undefined;
  const type = (first & 0x30) >>> 4;
  if (version !== QUIC_V1 || type !== 0) return { version, type, start: offset, dcid, pnOffset: -1, end: limit };
  const cursor = { next: 0 };
  const tokenLength = readBoundedVarint(datagram, at, limit, cursor);
  if (tokenLength < 0) return undefined;
  at = cursor.next + tokenLength;
  const length = readBoundedVarint(datagram, at, limit, cursor);
  if (length < 0) return undefined;
  const pnOffset = cursor.next;
  const end = pnOffset + length;
  // The packet number (≤ 4 bytes) is followed by the sample, so a shorter packet cannot be read.
  if (end > limit || length < 4 + SAMPLE_LENGTH) return undefined;
  return { version, type, start: offset, dcid, pnOffset, end };
}

/**
 * decryptInitial removes header protection from, and decrypts, the version 1 Initial packet
 * `header` describes, returning its plaintext frames, or `undefined` when it does not
 * authenticate under `keys`. `largestPn` is the largest packet number already read from this
 * client (-1 for none), to expand the truncated number (RFC 9000 §A.3). The datagram is not
 * modified. The packet number is reported through `out.pn`.
 */
export function decryptInitial(
  datagram: Buffer,
  header: LongHeader,
  keys: InitialKeys,
  largestPn: number,
  out: { pn: number },
): Buffer | undefined {
  const { start, pnOffset, end } = header;
  const sampleOffset = pnOffset + 4;
  let mask: Buffer;
  try {
    const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
    ecb.setAutoPadding(false);
    mask = ecb.update(datagram.subarray(sampleOffset, sampleOffset + SAMPLE_LENGTH));
  } catch {
    return undefined;
  }
  const first = datagram[start]! ^ (mask[0]! & 0x0f);
  const pnLength = (first & 0x03) + 1;
  const payloadOffset = pnOffset + pnLength;
  if (end - payloadOffset < AEAD_TAG_LENGTH) return undefined;
  // The associated data is the header with protection removed, up to the packet number's end.
  const aad = Buffer.from(datagram.subarray(start, payloadOffset));
  aad[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLength; i += 1) {
    const byte = aad[pnOffset - start + i]! ^ mask[1 + i]!;
    aad[pnOffset - start + i] = byte;
    truncated = truncated * 256 + byte;
  }
  const pn = expandPacketNumber(largestPn, truncated, pnLength * 8);
  const nonce = Buffer.from(keys.iv);
  let rest = pn;
  for (let i = nonce.length - 1; i >= nonce.length - 8 && rest > 0; i -= 1) {
    nonce[i] = nonce[i]! ^ rest % 256;
    rest = Math.floor(rest / 256);
  }
  try {
    const gcm = createDecipheriv('aes-128-gcm', keys.key, nonce);
    gcm.setAAD(aad);
    gcm.setAuthTag(datagram.subarray(end - AEAD_TAG_LENGTH, end));
    const plain = gcm.update(datagram.subarray(payloadOffset, end - AEAD_TAG_LENGTH));
    gcm.final();
    out.pn = pn;
    return plain;
  } catch {
    return undefined;
  }
}

/** expandPacketNumber reconstructs a full packet number from its truncated form (RFC 9000 §A.3). */
export function expandPacketNumber(largestPn: number, truncated: number, bits: number): number {
  const expected = largestPn + 1;
  const window = 2 ** bits;
  const half = window / 2;
  const candidate = expected - (expected % window) + truncated;
  if (candidate <= expected - half && candidate < 2 ** 62 - window) return candidate + window;
  if (candidate > expected + half && candidate >= window) return candidate - window;
  return candidate;
}

/** CryptoFrameSink receives the CRYPTO frames' data of a decrypted Initial payload, in packet order. */
export type CryptoFrameSink = (offset: number, data: Buffer) => boolean;

/**
 * readInitialFrames walks the frames of a decrypted Initial payload (RFC 9000 §19) and passes
 * every CRYPTO frame's data to `sink`. Initial packets may carry only PADDING, PING, ACK,
 * CRYPTO and CONNECTION_CLOSE; the walk stops at anything else, at a frame cut short, or when
 * the sink returns false. It returns false when it stopped early for a malformed frame.
 */
export function readInitialFrames(payload: Buffer, sink: CryptoFrameSink): boolean {
  const limit = payload.length;
  const cursor = { next: 0 };
  let at = 0;
  while (at < limit) {
    const type = payload[at]!;
    if (type === 0x00 || type === 0x01) {
      at += 1;
      continue;
    }
    if (type === 0x02 || type === 0x03) {
      // ACK: largest, delay, range count, first range, then count × (gap, length), then ECN counts.
      at += 1;
      let fields = 4;
      let rangeCount = -1;
      for (let i = 0; i < fields; i += 1) {
        const value = readBoundedVarint(payload, at, limit, cursor);
        if (value < 0) return false;
        at = cursor.next;
        if (i === 2) {
          rangeCount = value;
          if (rangeCount > limit) return false;
          fields += 2 * rangeCount + (type === 0x03 ? 3 : 0);
        }
      }
      continue;
    }
    if (type === 0x06) {
      const offset = readBoundedVarint(payload, at + 1, limit, cursor);
      if (offset < 0) return false;
      const length = readBoundedVarint(payload, cursor.next, limit, cursor);
      if (length < 0 || cursor.next + length > limit) return false;
      at = cursor.next + length;
      if (!sink(offset, payload.subarray(cursor.next, at))) return true;
      continue;
    }
    // CONNECTION_CLOSE, or a frame Initial packets may not carry: nothing more to read.
    return type === 0x1c;
  }
  return true;
}
