/**
 * The HPACK Huffman code (RFC 7541 Appendix B) as QPACK uses it: the canonical rebuild matches
 * the RFC's table, the C.4 vectors encode and decode to the octets the RFC prints, random strings
 * round-trip, and the three padding/EOS rules of §5.2 refuse.
 */
import { describe, expect, it } from 'vitest';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, huffmanDecode, huffmanDecodedMaxLength, huffmanEncode, huffmanEncodedLength } from '../../../engine/http3/huffman.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function encode(text: string): Buffer {
  const out = Buffer.alloc(huffmanEncodedLength(text));
  expect(huffmanEncode(text, out, 0)).toBe(out.length);
  return out;
}

function decode(bytes: Uint8Array): string | null {
  const out = Buffer.alloc(huffmanDecodedMaxLength(bytes.length));
  const n = huffmanDecode(bytes, 0, bytes.length, out, 0);
  return n < 0 ? null : out.toString('latin1', 0, n);
}

describe('Huffman code', () => {
  it('rebuilds the RFC 7541 Appendix B codes from their lengths', () => {
    const samples: [number, number, number][] = [
      [0, 0x1ff8, 13], [1, 0x7fffd8, 23], [9, 0xffffea, 24], [10, 0x3ffffffc, 30], [32, 0x14, 6], [48, 0x0, 5],
      [58, 0x5c, 7], [92, 0x7fff0, 19], [97, 0x3, 5], [122, 0x7b, 7], [127, 0xffffffc, 28], [128, 0xfffe6, 20],
      [199, 0x1ffffec, 25], [203, 0x7ffffde, 27], [220, 0xffffffd, 28], [255, 0x3ffffee, 26], [256, 0x3fffffff, 30],
    ];
    for (const [sym, code, length] of samples) {
      expect([sym, HUFFMAN_CODES[sym], HUFFMAN_LENGTHS[sym]]).toEqual([sym, code, length]);
    }
    // A complete prefix code: the Kraft sum is exactly 1.
    let kraft = 0;
    for (const length of HUFFMAN_LENGTHS) kraft += 2 ** -length;
    expect(kraft).toBe(1);
  });

  it.each([
    ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
    ['no-cache', 'a8eb 1064 9cbf'],
    ['custom-key', '25a8 49e9 5ba9 7d7f'],
    ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
    ['302', '6402'],
    ['private', 'aec3 771a 4b'],
    ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff'],
    ['https://www.example.com', '9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3'],
    ['gzip', '9bd9 ab'],
    ['foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1', '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07'],
  ])('encodes and decodes %j as the RFC 7541 Appendix C vectors print it', (text, octets) => {
    expect(encode(text).toString('hex')).toBe(hex(octets).toString('hex'));
    expect(decode(hex(octets))).toBe(text);
  });

  it('round-trips random strings of every byte', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 500; round++) {
      const length = next() % 64;
      let text = '';
      for (let i = 0; i < length; i++) text += String.fromCharCode(round % 2 === 0 ? next() % 256 : 32 + (next() % 95));
      expect(decode(encode(text))).toBe(text);
    }
  });

  it('decodes the empty string', () => {
    expect(decode(new Uint8Array(0))).toBe('');
  });

  it('refuses EOS inside the string', () => {
    // EOS (30 ones) then 2 bits of padding: 4 bytes of 0xff.
    expect(decode(hex('ffffffff'))).toBeNull();
    // 'a' (00011) then EOS then padding.
    const bits = '00011' + '1'.repeat(30);
    const padded = bits + '1'.repeat((8 - (bits.length % 8)) % 8);
    const bytes = Buffer.from(padded.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
    expect(decode(bytes)).toBeNull();
  });

  it('refuses padding longer than 7 bits', () => {
    // 'a' + 3 ones fills one byte; a further 0xff is 8 bits of padding.
    expect(decode(hex('1f'))).toBe('a');
    expect(decode(hex('1fff'))).toBeNull();
  });

  it('refuses padding that is not all ones', () => {
    expect(decode(hex('18'))).toBeNull(); // 'a' then 000
    expect(decode(hex('1e'))).toBeNull(); // 'a' then 110
  });
});
