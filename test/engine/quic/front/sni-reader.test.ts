/**
 * The UDP front's SNI reader: Initial packet keys and protection against RFC 9001 Appendix A,
 * ClientHellos reassembled across packets and datagrams in any order and at every split, and
 * garbage, truncations and limits that end in a verdict without an exception.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NEED_MORE, NO_NAME, readClientHelloName } from '../../../../engine/quic/front/client-hello.ts';
import {
  clientInitialSecret,
  decryptInitial,
  deriveClientInitialKeys,
  expandPacketNumber,
  parseLongHeader,
  readInitialFrames,
} from '../../../../engine/quic/front/initial-packet.ts';
import { SniReader } from '../../../../engine/quic/front/sni-reader.ts';
import { clientHello, cryptoFrame, protectInitial, RFC9001_CRYPTO_FRAME, RFC9001_DCID } from './support/initial-builder.ts';

const hex = (b: Buffer): string => b.toString('hex');

/** initialsFor cuts a ClientHello's CRYPTO stream at `cuts` into one padded Initial packet per piece. */
function initialsFor(hello: Buffer, cuts: number[], dcid = RFC9001_DCID): Buffer[] {
  const bounds = [0, ...cuts, hello.length];
  const packets: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const frame = cryptoFrame(bounds[i]!, hello.subarray(bounds[i], bounds[i + 1]));
    packets.push(protectInitial({ dcid, pn: i, frames: frame, padTo: Math.max(1200, frame.length + 60) }));
  }
  return packets;
}

describe('Initial keys and packet protection (RFC 9001 Appendix A)', () => {
  it('derives the client Initial secret, key, IV and header protection key of A.1', () => {
    expect(hex(clientInitialSecret(RFC9001_DCID))).toBe('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    const keys = deriveClientInitialKeys(RFC9001_DCID);
    expect(hex(keys.key)).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(hex(keys.iv)).toBe('fa044b2f42a3fd3b46fb255c');
    expect(hex(keys.hp)).toBe('9f50449e04a0e810283a1e9933adedd2');
  });

  it('reads the protected client Initial of A.2: header, sample, decrypted frames and the name', () => {
    const packet = protectInitial({ dcid: RFC9001_DCID, pn: 2, pnLength: 4, frames: RFC9001_CRYPTO_FRAME, padTo: 1200 });
    expect(packet.length).toBe(1200);
    // The protected header and the sample RFC 9001 A.2 prints.
    expect(hex(packet.subarray(0, 22))).toBe('c000000001088394c8f03e5157080000449e7b9aec34');
    expect(hex(packet.subarray(22, 38))).toBe('d1b1c98dd7689fb8ec11d242b123dc9b');
    const header = parseLongHeader(packet, 0)!;
    expect(header).toMatchObject({ version: 1, type: 0, start: 0, pnOffset: 18, end: 1200 });
    expect(hex(header.dcid)).toBe('8394c8f03e515708');
    const out = { pn: -1 };
    const plain = decryptInitial(packet, header, deriveClientInitialKeys(RFC9001_DCID), -1, out)!;
    expect(out.pn).toBe(2);
    expect(plain.length).toBe(1162);
    expect(hex(plain.subarray(0, RFC9001_CRYPTO_FRAME.length))).toBe(hex(RFC9001_CRYPTO_FRAME));
    expect(plain.subarray(RFC9001_CRYPTO_FRAME.length).every((b) => b === 0)).toBe(true);
    const pieces: Array<[number, number]> = [];
    expect(readInitialFrames(plain, (offset, data) => (pieces.push([offset, data.length]), true))).toBe(true);
    expect(pieces).toEqual([[0, 241]]);
    expect(new SniReader().push(packet)).toEqual({ kind: 'name', serverName: 'example.com' });
  });

  it('leaves the datagram it reads untouched, and a flipped bit fails authentication', () => {
    const packet = protectInitial({ dcid: RFC9001_DCID, pn: 2, frames: RFC9001_CRYPTO_FRAME, padTo: 1200 });
    const copy = Buffer.from(packet);
    new SniReader().push(packet);
    expect(packet.equals(copy)).toBe(true);
    for (const at of [0, 5, 17, 18, 30, 600, 1199]) {
      const bad = Buffer.from(packet);
      bad[at]! ^= 0x01;
      const reader = new SniReader();
      const verdict = reader.push(bad);
      // A flip in the DCID derives other keys; anywhere else the tag check fails. Either way nothing authentic.
      expect(verdict.kind === 'pending' || verdict.kind === 'drop').toBe(true);
      expect(reader.giveUp()).toEqual({ kind: 'drop' });
    }
  });

  it('expands truncated packet numbers (RFC 9000 A.3)', () => {
    expect(expandPacketNumber(0xa82f30ea, 0x9b32, 16)).toBe(0xa82f9b32);
    expect(expandPacketNumber(-1, 0, 8)).toBe(0);
    expect(expandPacketNumber(255, 0, 8)).toBe(256);
  });
});

describe('ClientHello reassembly', () => {
  const bigHello = clientHello({ serverName: 'a.example', keyShareBytes: 1216 + 32 });

  it('reads a name from a post-quantum ClientHello split in two Initial datagrams at every offset, in either order', () => {
    expect(bigHello.length).toBeGreaterThan(1300);
    for (let cut = 1; cut < bigHello.length; cut += 1) {
      const [first, second] = initialsFor(bigHello, [cut]);
      const inOrder = new SniReader();
      const early = inOrder.push(first!);
      if (early.kind === 'pending') expect(inOrder.push(second!)).toEqual({ kind: 'name', serverName: 'a.example' });
      else expect(early).toEqual({ kind: 'name', serverName: 'a.example' });
      const reversed = new SniReader();
      expect(reversed.push(second!)).toEqual({ kind: 'pending' });
      expect(reversed.push(first!)).toEqual({ kind: 'name', serverName: 'a.example' });
    }
  });

  it('answers from the first datagram when the name comes before the rest of the ClientHello', () => {
    const hello = clientHello({ serverName: 'b.example', keyShareBytes: 1248, nameLast: false });
    const [first] = initialsFor(hello, [200]);
    expect(new SniReader().push(first!)).toEqual({ kind: 'name', serverName: 'b.example' });
  });

  it('reads packets coalesced in one datagram, and frames scattered out of order among ACK, PING and PADDING', () => {
    const hello = clientHello({ serverName: 'c.example', keyShareBytes: 64 });
    // Coalesced packets carry no padding in between; each has its own packet number length.
    const pieces = [hello.subarray(0, 40), hello.subarray(40, 90), hello.subarray(90)];
    let offset = 0;
    const packets = pieces.map((piece, i) => {
      const frame = cryptoFrame(offset, piece);
      offset += piece.length;
      return protectInitial({ dcid: RFC9001_DCID, pn: i, pnLength: 1 + i, frames: frame });
    });
    expect(new SniReader().push(Buffer.concat(packets))).toEqual({ kind: 'name', serverName: 'c.example' });

    const chunks: Buffer[] = [];
    for (let at = 0; at < hello.length; at += 7) chunks.push(cryptoFrame(at, hello.subarray(at, Math.min(hello.length, at + 7))));
    chunks.reverse();
    const ack = Buffer.from([0x03, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00]); // ACK with one range and ECN counts
    const frames = Buffer.concat([ack, ...chunks.flatMap((c) => [c, Buffer.from([0x01, 0x00, 0x00])])]);
    const scattered = protectInitial({ dcid: RFC9001_DCID, pn: 0, frames, padTo: 1200 });
    expect(new SniReader().push(scattered)).toEqual({ kind: 'name', serverName: 'c.example' });
  });

  it('takes retransmitted and overlapping CRYPTO data', () => {
    const hello = clientHello({ serverName: 'd.example', keyShareBytes: 1248 });
    const a = protectInitial({ dcid: RFC9001_DCID, pn: 0, frames: cryptoFrame(0, hello.subarray(0, 900)), padTo: 1200 });
    const again = protectInitial({ dcid: RFC9001_DCID, pn: 2, frames: cryptoFrame(0, hello.subarray(0, 900)), padTo: 1200 });
    const b = protectInitial({ dcid: RFC9001_DCID, pn: 3, frames: cryptoFrame(600, hello.subarray(600)), padTo: 1400 });
    const reader = new SniReader();
    expect(reader.push(a)).toEqual({ kind: 'pending' });
    expect(reader.push(again)).toEqual({ kind: 'pending' });
    expect(reader.push(b)).toEqual({ kind: 'name', serverName: 'd.example' });
  });

  it('gives the default route to a ClientHello without a usable name', () => {
    for (const serverName of [undefined, 'bad name', 'caf\u00e9.example', '.', '']) {
      const [packet] = initialsFor(clientHello({ serverName }), []);
      expect(new SniReader().push(packet!)).toEqual({ kind: 'default' });
    }
    const [upper] = initialsFor(clientHello({ serverName: 'A.Example.' }), []);
    expect(new SniReader().push(upper!)).toEqual({ kind: 'name', serverName: 'a.example' });
  });
});

describe('bounds and garbage', () => {
  it('never throws on random datagrams, and drops a source with nothing authentic', () => {
    for (let i = 0; i < 2000; i += 1) {
      const junk = randomBytes(8 + (i % 1500));
      if (i % 3 === 0) junk[0] = 0xc0 | junk[0]!; // a long header
      if (i % 6 === 0) {
        junk.writeUInt32BE(1, 1); // … of version 1 Initial, with a plausible DCID length
        junk[0] = 0xc0 | (junk[0]! & 0x0f);
        junk[5] = 8;
      }
      const reader = new SniReader();
      const verdict = reader.push(junk);
      expect(['pending', 'drop', 'default']).toContain(verdict.kind);
      if (verdict.kind === 'pending') expect(reader.giveUp()).toEqual({ kind: 'drop' });
    }
  });

  it('never throws on a valid datagram cut at any length', () => {
    const [packet] = initialsFor(clientHello({ serverName: 'a.example', keyShareBytes: 900 }), []);
    for (let length = 0; length < packet!.length; length += 1) {
      const reader = new SniReader();
      expect(reader.push(packet!.subarray(0, length)).kind).not.toBe('name');
    }
  });

  it('sends another QUIC version to the default route (its server negotiates) and ignores short headers', () => {
    const v2 = Buffer.alloc(1200);
    v2[0] = 0xd0;
    v2.writeUInt32BE(0x6b3343cf, 1);
    v2[5] = 8;
    expect(new SniReader().push(v2)).toEqual({ kind: 'default' });
    const short = Buffer.alloc(1200, 0x41);
    const reader = new SniReader();
    expect(reader.push(short)).toEqual({ kind: 'pending' });
    expect(reader.giveUp()).toEqual({ kind: 'drop' });
  });

  it('gives up after maxDatagrams, and when the CRYPTO data would exceed maxCryptoBytes', () => {
    const hello = clientHello({ serverName: 'a.example', keyShareBytes: 1248 });
    const tail = protectInitial({ dcid: RFC9001_DCID, pn: 1, frames: cryptoFrame(700, hello.subarray(700)), padTo: 1200 });
    const reader = new SniReader({ maxDatagrams: 3 });
    expect(reader.push(tail)).toEqual({ kind: 'pending' });
    expect(reader.push(tail)).toEqual({ kind: 'pending' });
    expect(reader.push(tail)).toEqual({ kind: 'default' });
    const far = protectInitial({ dcid: RFC9001_DCID, pn: 0, frames: cryptoFrame(20_000, Buffer.alloc(100)), padTo: 1200 });
    expect(new SniReader().push(far)).toEqual({ kind: 'default' });
    const small = new SniReader({ maxCryptoBytes: 1000 });
    const [first] = initialsFor(hello, [900]);
    expect(small.push(first!)).toEqual({ kind: 'pending' });
    const [, second] = initialsFor(hello, [900]);
    expect(small.push(second!)).toEqual({ kind: 'default' });
  });

  it('gives up when CRYPTO data is scattered in too many pieces', () => {
    const frames = Buffer.concat(Array.from({ length: 80 }, (_, i) => cryptoFrame(10 + i * 20, Buffer.alloc(5))));
    const packet = protectInitial({ dcid: RFC9001_DCID, pn: 0, frames, padTo: 1200 });
    expect(new SniReader().push(packet)).toEqual({ kind: 'default' });
  });
});

describe('readClientHelloName', () => {
  it('needs more bytes until the name is whole, then reads it, at every prefix', () => {
    const hello = clientHello({ serverName: 'www.a.example', keyShareBytes: 300 });
    const nameEnd = hello.length; // the name is the last extension
    for (let length = 0; length < nameEnd; length += 1) expect(readClientHelloName(hello.subarray(0, length))).toBe(NEED_MORE);
    expect(readClientHelloName(hello)).toBe('www.a.example');
  });

  it('never throws on a ClientHello whose inner lengths lie', () => {
    const hello = clientHello({ serverName: 'a.example', keyShareBytes: 40 });
    for (let at = 1; at < hello.length; at += 1) {
      for (const value of [0x00, 0x01, 0x7f, 0xff]) {
        const bad = Buffer.from(hello);
        bad[at] = value;
        const name = readClientHelloName(bad);
        expect(name === NEED_MORE || name === NO_NAME || typeof name === 'string').toBe(true);
      }
    }
    expect(readClientHelloName(Buffer.from([2, 0, 0, 1, 0]))).toBe(NO_NAME);
  });
});
