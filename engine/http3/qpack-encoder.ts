/**
 * QPACK field section encoding (RFC 9204 §4.5) without a dynamic table: the prefix is always
 * Required Insert Count 0, Base 0 (two zero bytes), and each line takes the shortest static form —
 *
 * - an exact (name, value) match in the static table → indexed field line;
 * - a name match → literal field line with name reference;
 * - otherwise → literal field line with literal name;
 *
 * every string Huffman-coded when that is shorter. A line marked never-index (the caller's
 * marks, passed through from a decoded section, plus the names in SENSITIVE_FIELD_NAMES) is
 * never sent as an indexed line and carries the N bit, so no intermediary after us puts it in
 * a compression table (RFC 9204 §7.1.3).
 *
 * Names are sent in lower case (a backend's `Content-Type` becomes `content-type`). A name that
 * is not a token or a value HTTP/1 would not send either (field-rules.ts) throws, as the HTTP/1
 * response writer does, so a backend's field can never become something else on the client's side.
 * One buffer per section, sized from an upper bound; no other allocation unless a name needs
 * lower-casing.
 */
import { isValidFieldName, isValidFieldValue } from './field-rules.ts';
import { huffmanEncode, huffmanEncodedLength } from './huffman.ts';
import { encodePrefixedInt } from './prefixed-integer.ts';
import { staticFieldIndex, staticNameIndex } from './qpack-static-table.ts';

/** SENSITIVE_FIELD_NAMES are always encoded never-index: credentials an intermediary must not compress into shared state. */
export const SENSITIVE_FIELD_NAMES: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** LINE_BOUND is the most a line's representation adds to its name and value bytes (first bytes and two length integers). */
const LINE_BOUND = 12;

/** fieldSectionBound is an upper bound on the encoded size of `fields` (flat name, value list). */
export function fieldSectionBound(fields: readonly string[]): number {
  let bound = 2;
  for (let i = 0; i < fields.length; i++) bound += fields[i]!.length;
  return bound + (fields.length >>> 1) * LINE_BOUND;
}

/**
 * encodeFieldSectionInto writes the section for `fields` (flat name, value list) at `offset` of
 * `out` (room: fieldSectionBound) and returns the offset after it. `neverIndexed` lists line
 * numbers to mark never-index besides the sensitive names.
 */
export function encodeFieldSectionInto(fields: readonly string[], neverIndexed: readonly number[] | undefined, out: Buffer, offset: number): number {
  let at = offset;
  out[at++] = 0; // Required Insert Count 0
  out[at++] = 0; // S = 0, Delta Base 0
  for (let i = 0; i + 1 < fields.length; i += 2) {
    let name = fields[i]!;
    const value = fields[i + 1]!;
    if (hasUpperCase(name)) name = name.toLowerCase();
    if (!isValidFieldName(name)) throw new TypeError(`invalid HTTP/3 field name ${JSON.stringify(name)}`);
    if (!isValidFieldValue(value)) throw new TypeError(`invalid HTTP/3 field value for ${name}`);
    const neverIndex = SENSITIVE_FIELD_NAMES.has(name) || (neverIndexed !== undefined && neverIndexed.length !== 0 && neverIndexed.includes(i >>> 1));
    if (!neverIndex) {
      const exact = staticFieldIndex(name, value);
      if (exact >= 0) {
        at = encodePrefixedInt(out, at, exact, 6, 0xc0);
        continue;
      }
    }
    const nameIndex = staticNameIndex(name);
    if (nameIndex >= 0) {
      at = encodePrefixedInt(out, at, nameIndex, 4, neverIndex ? 0x70 : 0x50);
    } else {
      at = writeString(name, out, at, 3, neverIndex ? 0x30 : 0x20);
    }
    at = writeString(value, out, at, 7, 0);
  }
  return at;
}

/** encodeFieldSection returns the encoded section for `fields` in a buffer of its own. */
export function encodeFieldSection(fields: readonly string[], neverIndexed?: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(fieldSectionBound(fields));
  return out.subarray(0, encodeFieldSectionInto(fields, neverIndexed, out, 0));
}

/**
 * writeString writes a string literal: `flags` above the H bit, the H bit just above a
 * `prefixBits` length prefix, then the bytes — Huffman when strictly shorter.
 */
function writeString(text: string, out: Buffer, offset: number, prefixBits: number, flags: number): number {
  const huffmanLength = huffmanEncodedLength(text);
  if (huffmanLength < text.length) {
    const at = encodePrefixedInt(out, offset, huffmanLength, prefixBits, flags | (1 << prefixBits));
    return huffmanEncode(text, out, at);
  }
  const at = encodePrefixedInt(out, offset, text.length, prefixBits, flags);
  return at + out.write(text, at, 'latin1');
}

function hasUpperCase(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}
