/**
 * The Huffman code of HPACK (RFC 7541 Appendix B), which QPACK uses for string literals
 * (RFC 9204 §4.1.2).
 *
 * The code is canonical: within one length, codes rise with the symbol, and each length starts
 * where the previous one left off, shifted. So the table is kept as its 257 code lengths and the
 * codes are rebuilt from them once, at load (the test compares them with the RFC's hex column).
 *
 * Decoding walks a 4-bit state machine built from the code tree at load: each state is an
 * internal node of the tree, and one table lookup per nibble gives the next node and the symbol,
 * if any, that nibble completes (codes are at least 5 bits, so at most one). The three rules of
 * RFC 7541 §5.2 fall out of it: a completed EOS symbol fails; and the string may only end on a
 * node whose path from the root is all ones and at most 7 bits long (padding that is neither
 * longer than 7 bits nor anything but the EOS prefix).
 */

/** HUFFMAN_EOS is the end-of-string symbol, which never appears in an encoded string. */
export const HUFFMAN_EOS = 256;

/** CODE_LENGTHS[sym] is the length in bits of the code of byte `sym` (256: EOS), RFC 7541 Appendix B. */
const CODE_LENGTHS: readonly number[] = [
  // 0-31: controls
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  // 32-63: ' ' to '?'
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  // 64-95: '@' to '_'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  // 96-127: '`' to DEL
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  // 128-159
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  // 160-191
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  // 192-223
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  // 224-255
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  // EOS
  30,
];

/** HUFFMAN_CODES[sym] is the code of `sym`, right-aligned (its low HUFFMAN_LENGTHS[sym] bits). */
export const HUFFMAN_CODES = new Uint32Array(257);
/** HUFFMAN_LENGTHS[sym] is the code length of `sym` in bits. */
export const HUFFMAN_LENGTHS = Uint8Array.from(CODE_LENGTHS);

{
  // Canonical assignment: symbols ordered by (length, symbol), each code one more than the last, shifted by the length step.
  const order = Array.from({ length: 257 }, (_, i) => i).sort((a, b) => CODE_LENGTHS[a]! - CODE_LENGTHS[b]! || a - b);
  let code = 0;
  let length = CODE_LENGTHS[order[0]!]!;
  for (const sym of order) {
    const symLength = CODE_LENGTHS[sym]!;
    code *= 2 ** (symLength - length);
    length = symLength;
    HUFFMAN_CODES[sym] = code;
    code++;
  }
}

/** Transition entry layout: bits 0-7 next state, 8-15 symbol, bit 16 "emits the symbol", bit 17 "fails". */
const EMITS = 1 << 16;
const FAILS = 1 << 17;

/** TRANSITIONS[state * 16 + nibble] is the decoder's step; ACCEPTING[state] says a string may end there. */
const TRANSITIONS = new Uint32Array(256 * 16);
const ACCEPTING = new Uint8Array(256);

{
  // The code tree: a child >= 0 is an internal node, a child < 0 the leaf of symbol -child - 1.
  const zero: number[] = [0];
  const one: number[] = [0];
  let nodes = 1;
  for (let sym = 0; sym <= HUFFMAN_EOS; sym++) {
    const length = HUFFMAN_LENGTHS[sym]!;
    const code = HUFFMAN_CODES[sym]!;
    let node = 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      const children = Math.floor(code / 2 ** bit) % 2 === 0 ? zero : one;
      if (bit === 0) {
        children[node] = -sym - 1;
      } else {
        if (children[node] === 0 || children[node] === undefined) {
          children[node] = nodes;
          zero[nodes] = 0;
          one[nodes] = 0;
          nodes++;
        }
        node = children[node]!;
      }
    }
  }
  // Accepting nodes: the all-ones path from the root, up to 7 bits deep (the root itself included).
  for (let node = 0, depth = 0; depth <= 7; depth++) {
    ACCEPTING[node] = 1;
    node = one[node]!;
    if (node < 0) break;
  }
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const child = ((nibble >>> bit) & 1) === 0 ? zero[node]! : one[node]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        const sym = -child - 1;
        if (sym === HUFFMAN_EOS) {
          entry = FAILS;
          break;
        }
        entry = EMITS | (sym << 8);
        node = 0;
      }
      TRANSITIONS[state * 16 + nibble] = (entry & FAILS) !== 0 ? FAILS : entry | node;
    }
  }
}

/** huffmanDecodedMaxLength bounds the decoded length of `encodedLength` bytes (the shortest code is 5 bits). */
export function huffmanDecodedMaxLength(encodedLength: number): number {
  return Math.floor((encodedLength * 8) / 5);
}

/**
 * huffmanDecode decodes input[start, end) into `out` from `outOffset` (which must have room for
 * huffmanDecodedMaxLength bytes) and returns the offset after the last byte written, or -1 when
 * the string holds EOS, ends in padding longer than 7 bits, or pads with anything but ones.
 */
export function huffmanDecode(input: Uint8Array, start: number, end: number, out: Uint8Array, outOffset: number): number {
  let state = 0;
  let at = outOffset;
  for (let i = start; i < end; i++) {
    const byte = input[i]!;
    let step = TRANSITIONS[(state << 4) | (byte >>> 4)]!;
    if ((step & FAILS) !== 0) return -1;
    if ((step & EMITS) !== 0) out[at++] = (step >>> 8) & 0xff;
    state = step & 0xff;
    step = TRANSITIONS[(state << 4) | (byte & 0x0f)]!;
    if ((step & FAILS) !== 0) return -1;
    if ((step & EMITS) !== 0) out[at++] = (step >>> 8) & 0xff;
    state = step & 0xff;
  }
  return ACCEPTING[state] === 1 ? at : -1;
}

/** huffmanEncodedLength is the length in bytes of `value` (latin1: one byte per code unit) Huffman-encoded. */
export function huffmanEncodedLength(value: string): number {
  let bits = 0;
  for (let i = 0; i < value.length; i++) bits += HUFFMAN_LENGTHS[value.charCodeAt(i) & 0xff]!;
  return (bits + 7) >>> 3;
}

/**
 * huffmanEncode writes `value` (latin1) Huffman-encoded at `offset`, padded with the EOS prefix,
 * and returns the offset after it (offset + huffmanEncodedLength(value)).
 */
export function huffmanEncode(value: string, out: Uint8Array, offset: number): number {
  let acc = 0;
  let bits = 0;
  let at = offset;
  for (let i = 0; i < value.length; i++) {
    const sym = value.charCodeAt(i) & 0xff;
    let length = HUFFMAN_LENGTHS[sym]!;
    const code = HUFFMAN_CODES[sym]!;
    // Keep the accumulator within 31 bits: a code longer than 24 bits goes in two parts.
    if (length > 24) {
      const highLength = length - 16;
      acc = (acc << highLength) | (code >>> 16);
      bits += highLength;
      while (bits >= 8) {
        bits -= 8;
        out[at++] = (acc >>> bits) & 0xff;
      }
      acc &= (1 << bits) - 1;
      acc = (acc << 16) | (code & 0xffff);
      length = 16;
    } else {
      acc = (acc << length) | code;
    }
    bits += length;
    while (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[at++] = ((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) & 0xff;
  return at;
}
