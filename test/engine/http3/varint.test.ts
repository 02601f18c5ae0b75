/**
 * QUIC variable-length integers (RFC 9000 §16): the boundaries of each length, the RFC's
 * sample encodings, and incremental decoding that gives the same value however the bytes are split.
 */
import { describe, expect, it } from 'vitest';
import { encodeVarint, readVarint, VARINT_LIMIT, VarintReader, varintLength } from '../../../engine/http3/varint.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('varint', () => {
  it.each([
    [0, 1],
    [63, 1],
    [64, 2],
    [16383, 2],
    [16384, 4],
    [1073741823, 4],
    [1073741824, 8],
    [2 ** 53 - 1, 8],
  ])('encodes %i in %i bytes and decodes it back', (value, length) => {
    const bytes = encodeVarint(value);
    expect(bytes.length).toBe(length);
    expect(varintLength(value)).toBe(length);
    expect(readVarint(bytes, 0)).toBe(value);
  });

  it('refuses values it cannot encode', () => {
    expect(() => encodeVarint(-1)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
    expect(() => encodeVarint(2 ** 62)).toThrow(RangeError);
    expect(() => encodeVarint(VARINT_LIMIT - 1)).toThrow(RangeError); // rounds to 2^62
    expect(readVarint(encodeVarint(VARINT_LIMIT - 1024), 0)).toBe(VARINT_LIMIT - 1024);
  });

  it.each([
    ['c2197c5eff14e88c', 151288809941952652],
    ['9d7f3e7d', 494878333],
    ['7bbd', 15293],
    ['25', 37],
    ['4025', 37],
  ])('decodes the RFC 9000 §A.1 sample %s', (bytes, value) => {
    expect(readVarint(hex(bytes), 0)).toBe(value);
  });

  it('decodes the largest value to the nearest double', () => {
    expect(readVarint(hex('ffffffffffffffff'), 0)).toBe(2 ** 62);
  });

  it('reads a varint split at every position, and only its own bytes', () => {
    for (const value of [5, 300, 70000, 5_000_000_000]) {
      const bytes = Buffer.concat([encodeVarint(value), Buffer.from([0xaa])]);
      const size = bytes.length - 1;
      for (let split = 0; split <= size; split++) {
        const reader = new VarintReader();
        let at = reader.read(bytes.subarray(0, split), 0, split);
        expect(at).toBe(split);
        expect(reader.complete).toBe(split === size);
        expect(reader.started).toBe(split > 0 && split < size);
        const rest = bytes.subarray(split);
        at = reader.read(rest, 0, rest.length);
        expect(reader.complete).toBe(true);
        expect(reader.value).toBe(value);
        expect(split + at).toBe(size);
        reader.reset();
        expect(reader.complete).toBe(false);
      }
    }
  });
});
