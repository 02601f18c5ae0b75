/**
 * QUIC variable-length integers (RFC 9000 §16), which HTTP/3 uses for stream types, frame types
 * and lengths, settings and ids: the two top bits of the first byte give the length (1, 2, 4 or
 * 8 bytes), the rest is the value in network byte order.
 *
 * Values are JavaScript numbers. Up to 2^53 they are exact; an 8-byte varint above that (only
 * reserved frame or setting types, or lengths and ids no limit here would accept) decodes to the
 * nearest double, which every caller treats as "unknown" or "too large" — exactness there would
 * cost a BigInt on every frame header.
 */

/**
 * VARINT_LIMIT is 2^62, one more than the largest value a varint carries; encodable numbers are
 * below it (as doubles, the largest is 2^62 - 1024, since 2^62 - 1 rounds up to the limit).
 */
export const VARINT_LIMIT = 2 ** 62;

/** VARINT_MAX_BYTES is the longest encoding, 8 bytes. */
export const VARINT_MAX_BYTES = 8;

const TWO_32 = 2 ** 32;

/** varintLength is how many bytes `value` takes encoded. It throws for a negative, fractional or too large value. */
export function varintLength(value: number): 1 | 2 | 4 | 8 {
  if (value < 64 && value >= 0 && Number.isInteger(value)) return 1;
  if (value < 16384 && value >= 0 && Number.isInteger(value)) return 2;
  if (value < 1073741824 && value >= 0 && Number.isInteger(value)) return 4;
  if (value < VARINT_LIMIT && value >= 0 && Number.isInteger(value)) return 8;
  throw new RangeError(`not encodable as a QUIC varint: ${value}`);
}

/** writeVarint writes `value` at `offset` in its shortest form and returns the offset after it. */
export function writeVarint(out: Uint8Array, offset: number, value: number): number {
  const length = varintLength(value);
  switch (length) {
    case 1:
      out[offset] = value;
      return offset + 1;
    case 2:
      out[offset] = 0x40 | (value >>> 8);
      out[offset + 1] = value & 0xff;
      return offset + 2;
    case 4:
      out[offset] = 0x80 | (value >>> 24);
      out[offset + 1] = (value >>> 16) & 0xff;
      out[offset + 2] = (value >>> 8) & 0xff;
      out[offset + 3] = value & 0xff;
      return offset + 4;
    default: {
      const high = Math.floor(value / TWO_32);
      const low = value - high * TWO_32;
      out[offset] = 0xc0 | (high >>> 24);
      out[offset + 1] = (high >>> 16) & 0xff;
      out[offset + 2] = (high >>> 8) & 0xff;
      out[offset + 3] = high & 0xff;
      out[offset + 4] = low >>> 24;
      out[offset + 5] = (low >>> 16) & 0xff;
      out[offset + 6] = (low >>> 8) & 0xff;
      out[offset + 7] = low & 0xff;
      return offset + 8;
    }
  }
}

/** encodeVarint returns `value`'s shortest encoding as a new buffer (for tests and one-off frames). */
export function encodeVarint(value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value));
  writeVarint(out, 0, value);
  return out;
}

/** varintSizeAt is the length announced by the first byte at `offset` (1, 2, 4 or 8). */
export function varintSizeAt(input: Uint8Array, offset: number): number {
  return 1 << (input[offset]! >>> 6);
}

/**
 * readVarint decodes the varint at `offset` of a buffer known to hold it whole (check with
 * varintSizeAt first). Payloads of buffered frames are read this way.
 */
export function readVarint(input: Uint8Array, offset: number): number {
  const first = input[offset]!;
  switch (first >>> 6) {
    case 0:
      return first;
    case 1:
      return ((first & 0x3f) << 8) | input[offset + 1]!;
    case 2:
      return (((first & 0x3f) << 24) | (input[offset + 1]! << 16) | (input[offset + 2]! << 8) | input[offset + 3]!) >>> 0;
    default: {
      const high = (((first & 0x3f) << 24) | (input[offset + 1]! << 16) | (input[offset + 2]! << 8) | input[offset + 3]!) >>> 0;
      const low = ((input[offset + 4]! << 24) | (input[offset + 5]! << 16) | (input[offset + 6]! << 8) | input[offset + 7]!) >>> 0;
      return high * TWO_32 + low;
    }
  }
}

/**
 * VarintReader decodes one varint from input that arrives in pieces (a stream type, a frame's
 * type and length): it keeps the bytes seen so far in its own 8 bytes, never more.
 */
export class VarintReader {
  private readonly bytes = new Uint8Array(VARINT_MAX_BYTES);
  private have = 0;
  private need = 0;
  /** The decoded value once `complete`. */
  value = 0;
  /** True once a whole varint has been read; `reset` starts the next one. */
  complete = false;

  /**
   * read consumes bytes of `input` from `offset` up to `end` (at most what the varint still
   * needs) and returns the offset after them; `complete` tells whether the varint is whole.
   */
  read(input: Uint8Array, offset: number, end: number): number {
    if (this.complete) return offset;
    if (this.have === 0) {
      if (offset >= end) return offset;
      const size = varintSizeAt(input, offset);
      if (end - offset >= size) {
        // The common case: the whole varint is in this piece.
        this.value = readVarint(input, offset);
        this.complete = true;
        return offset + size;
      }
      this.need = size;
    }
    while (offset < end && this.have < this.need) this.bytes[this.have++] = input[offset++]!;
    if (this.have === this.need) {
      this.value = readVarint(this.bytes, 0);
      this.complete = true;
    }
    return offset;
  }

  /** started tells whether some bytes of a varint not yet whole were read (a stream cut there is truncated). */
  get started(): boolean {
    return this.have > 0 && !this.complete;
  }

  /** reset prepares the reader for the next varint. */
  reset(): void {
    this.have = 0;
    this.need = 0;
    this.value = 0;
    this.complete = false;
  }
}
