/**
 * Prefixed integers (RFC 7541 §5.1, used unchanged by QPACK, RFC 9204 §4.1.1): a value that fits
 * in the N low bits of the first byte stays there; otherwise those bits are all ones and the rest
 * follows in 7-bit groups, least significant first, the top bit of each byte saying "more".
 *
 * Overflow protection: a peer can send endless continuation bytes, or a value no table index,
 * length or capacity could ever be. Decoding stops at PREFIXED_INT_MAX (2^32 - 1): anything
 * larger is refused as soon as the byte that makes it larger is read, so the work per integer is
 * bounded (at most 6 bytes) and every value is an exact small number.
 */

/** PREFIXED_INT_MAX is the largest integer decoded; larger values are refused. */
export const PREFIXED_INT_MAX = 2 ** 32 - 1;

/** INT_OK: the integer was decoded. */
export const INT_OK = 0;
/** INT_INCOMPLETE: the input ended inside the integer. */
export const INT_INCOMPLETE = 1;
/** INT_OVERFLOW: the integer exceeds PREFIXED_INT_MAX (or is padded with endless zero groups). */
export const INT_OVERFLOW = 2;

/** IntegerCursor carries one decoded integer and where its encoding ended, reused between reads so reading allocates nothing. */
export class IntegerCursor {
  value = 0;
  /** The offset after the integer's last byte. */
  next = 0;
}

/**
 * decodePrefixedInt reads the integer whose first byte is at `offset` (its low `prefixBits`
 * bits), not reading at or past `end`. On INT_OK, `cursor` holds the value and the next offset.
 */
export function decodePrefixedInt(input: Uint8Array, offset: number, end: number, prefixBits: number, cursor: IntegerCursor): number {
  if (offset >= end) return INT_INCOMPLETE;
  const mask = (1 << prefixBits) - 1;
  let value = input[offset]! & mask;
  let at = offset + 1;
  if (value < mask) {
    cursor.value = value;
    cursor.next = at;
    return INT_OK;
  }
  let multiplier = 1;
  for (;;) {
    if (at >= end) return INT_INCOMPLETE;
    const byte = input[at++]!;
    value += (byte & 0x7f) * multiplier;
    if (value > PREFIXED_INT_MAX) return INT_OVERFLOW;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
    // Zero groups that add nothing still cost a byte each: refuse past the longest useful encoding.
    if (multiplier > 2 ** 35) return INT_OVERFLOW;
  }
  cursor.value = value;
  cursor.next = at;
  return INT_OK;
}

/** prefixedIntLength is how many bytes `value` takes with a `prefixBits`-bit prefix. */
export function prefixedIntLength(value: number, prefixBits: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return 1;
  let rest = value - mask;
  let length = 2;
  while (rest >= 128) {
    rest = Math.floor(rest / 128);
    length++;
  }
  return length;
}

/**
 * encodePrefixedInt writes `value` with a `prefixBits`-bit prefix at `offset`; `flags` are the
 * bits above the prefix in the first byte (the representation's pattern). Returns the offset after.
 */
export function encodePrefixedInt(out: Uint8Array, offset: number, value: number, prefixBits: number, flags: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out[offset] = flags | value;
    return offset + 1;
  }
  out[offset++] = flags | mask;
  let rest = value - mask;
  while (rest >= 128) {
    out[offset++] = 0x80 | (rest & 0x7f);
    rest = Math.floor(rest / 128);
  }
  out[offset++] = rest;
  return offset;
}

/**
 * PrefixedIntReader decodes one prefixed integer from input arriving in pieces (instructions on
 * the QPACK encoder and decoder streams), holding only its running value.
 */
export class PrefixedIntReader {
  private started = false;
  private multiplier = 1;
  private prefixBits = 0;
  /** The decoded value once `read` returned INT_OK. */
  value = 0;
  /** The offset after the bytes the last `read` consumed. */
  next = 0;

  /** begin starts an integer whose first byte is the instruction byte, with a `prefixBits`-bit prefix. */
  begin(prefixBits: number): void {
    this.started = false;
    this.multiplier = 1;
    this.prefixBits = prefixBits;
    this.value = 0;
  }

  /** read consumes bytes from `offset` up to `end`; returns INT_OK, INT_INCOMPLETE or INT_OVERFLOW, and sets `next`. */
  read(input: Uint8Array, offset: number, end: number): number {
    let at = offset;
    if (!this.started) {
      if (at >= end) {
        this.next = at;
        return INT_INCOMPLETE;
      }
      const mask = (1 << this.prefixBits) - 1;
      this.value = input[at++]! & mask;
      this.started = true;
      if (this.value < mask) {
        this.next = at;
        return INT_OK;
      }
    }
    while (at < end) {
      const byte = input[at++]!;
      this.value += (byte & 0x7f) * this.multiplier;
      if (this.value > PREFIXED_INT_MAX) {
        this.next = at;
        return INT_OVERFLOW;
      }
      if ((byte & 0x80) === 0) {
        this.next = at;
        return INT_OK;
      }
      this.multiplier *= 128;
      if (this.multiplier > 2 ** 35) {
        this.next = at;
        return INT_OVERFLOW;
      }
    }
    this.next = at;
    return INT_INCOMPLETE;
  }
}
