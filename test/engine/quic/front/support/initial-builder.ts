/**
 * Builds client Initial packets and ClientHellos for the SNI reader's tests: the protection
 * side of RFC 9001 §5 (AES-128-GCM, then header protection), written apart from the product's
 * reader so the two check each other, and the RFC 9001 Appendix A.2 vectors.
 */
import { createCipheriv } from 'node:crypto';
import { deriveClientInitialKeys } from '../../../../../engine/quic/front/initial-packet.ts';
import { encodeVarint } from '../../../../../engine/http3/varint.ts';

/** RFC9001_DCID is the Destination Connection ID of RFC 9001 Appendix A. */
export const RFC9001_DCID = Buffer.from('8394c8f03e515708', 'hex');

/** RFC9001_CRYPTO_FRAME is the CRYPTO frame (with the ClientHello) of RFC 9001 Appendix A.2. */
export const RFC9001_CRYPTO_FRAME = Buffer.from(
  '060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868' +
    '04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578' +
    '616d706c652e636f6dff01000100000a00080006001d00170018001000070005' +
    '04616c706e000500050100000000003300260024001d00209370b2c9caa47fba' +
    'baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400' +
    '0d0010000e0403050306030203080408050806002d00020101001c0002400100' +
    '3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000' +
    '75300901100f088394c8f03e51570806048000ffff',
  'hex',
);

/** InitialSpec describes one client Initial packet to build. */
export interface InitialSpec {
  dcid: Buffer;
  scid?: Buffer;
  token?: Buffer;
  pn: number;
  /** Packet number length on the wire, 1–4 bytes. Default 4. */
  pnLength?: number;
  /** Plaintext frames. */
  frames: Buffer;
  /** Pad the plaintext with PADDING so the whole packet is this long. */
  padTo?: number;
}

/** protectInitial builds one protected client Initial packet. */
export function protectInitial(spec: InitialSpec): Buffer {
  const pnLength = spec.pnLength ?? 4;
  const scid = spec.scid ?? Buffer.alloc(0);
  const token = spec.token ?? Buffer.alloc(0);
  const keys = deriveClientInitialKeys(spec.dcid);
  const headerWithoutLength = Buffer.concat([
    Buffer.from([0xc0 | (pnLength - 1), 0, 0, 0, 1, spec.dcid.length]),
    spec.dcid,
    Buffer.from([scid.length]),
    scid,
    Buffer.from(encodeVarint(token.length)),
    token,
  ]);
  let plain = spec.frames;
  const lengthFieldSize = 2;
  if (spec.padTo !== undefined) {
    const used = headerWithoutLength.length + lengthFieldSize + pnLength + plain.length + 16;
    if (used < spec.padTo) plain = Buffer.concat([plain, Buffer.alloc(spec.padTo - used)]);
  }
  const length = pnLength + plain.length + 16;
  const lengthField = Buffer.from([0x40 | (length >> 8), length & 0xff]);
  const pnBytes = Buffer.alloc(pnLength);
  for (let i = 0; i < pnLength; i += 1) pnBytes[pnLength - 1 - i] = Math.floor(spec.pn / 256 ** i) & 0xff;
  const header = Buffer.concat([headerWithoutLength, lengthField, pnBytes]);
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 8; i += 1) nonce[11 - i]! ^= Math.floor(spec.pn / 256 ** i) & 0xff;
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const sealed = Buffer.concat([gcm.update(plain), gcm.final(), gcm.getAuthTag()]);
  const packet = Buffer.concat([header, sealed]);
  const pnOffset = header.length - pnLength;
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLength; i += 1) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

/** cryptoFrame is one CRYPTO frame carrying `data` at `offset`. */
export function cryptoFrame(offset: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), Buffer.from(encodeVarint(offset)), Buffer.from(encodeVarint(data.length)), data]);
}

function u16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

/** HelloSpec describes a ClientHello to build. */
export interface HelloSpec {
  /** The host name, or undefined for no server_name extension. */
  serverName?: string;
  /** Bytes of key share, as large as a post-quantum share makes it (X25519MLKEM768: 1216 + 32). */
  keyShareBytes?: number;
  /** Put the server_name extension last, after the key share. Default true. */
  nameLast?: boolean;
}

/** clientHello builds a TLS 1.3 ClientHello handshake message. */
export function clientHello(spec: HelloSpec): Buffer {
  const shareBytes = spec.keyShareBytes ?? 32;
  const keyShare = extension(
    51,
    Buffer.concat([u16(shareBytes + 4), u16(0x11ec), u16(shareBytes), Buffer.alloc(shareBytes, 0xab)]),
  );
  const versions = extension(43, Buffer.from([2, 0x03, 0x04]));
  const alpn = extension(16, Buffer.concat([u16(3), Buffer.from([2]), Buffer.from('h3')]));
  const extensions: Buffer[] = [versions, alpn];
  let sni: Buffer | undefined;
  if (spec.serverName !== undefined) {
    const name = Buffer.from(spec.serverName, 'latin1');
    sni = extension(0, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name]));
  }
  if (sni && spec.nameLast === false) extensions.unshift(sni);
  extensions.push(keyShare);
  if (sni && spec.nameLast !== false) extensions.push(sni);
  const allExtensions = Buffer.concat(extensions);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    u16(2),
    u16(0x1301),
    Buffer.from([1, 0]),
    u16(allExtensions.length),
    allExtensions,
  ]);
  return Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}
