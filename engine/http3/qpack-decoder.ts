/**
 * FieldSectionDecoder: QPACK field section decoding (RFC 9204 §4.5) for an endpoint that
 * advertises a dynamic table capacity of 0 and no blocked streams (SETTINGS_QPACK_MAX_TABLE_CAPACITY
 * = 0, SETTINGS_QPACK_BLOCKED_STREAMS = 0). With no dynamic table there is no state between
 * sections and no stream can block: every section is decoded whole, from the HEADERS frame's
 * payload, the moment it arrives.
 *
 * What it refuses, each with its own result, so the caller can tell a 431-like refusal from a
 * malformed message from a broken encoder:
 *
 * - SECTION_DECOMPRESSION_FAILED (QPACK_DECOMPRESSION_FAILED, connection): a Required Insert
 *   Count other than 0, a negative Base, any reference to the dynamic table (indexed or
 *   name-reference with T=0, and every post-base form), a static index past 98, a truncated
 *   line or string, an integer over 2^32 - 1, a Huffman string with EOS, long or non-ones padding;
 * - SECTION_MALFORMED (H3_MESSAGE_ERROR, stream): a name that is not a lower-case token (after an
 *   optional `:`), a value with NUL, CR, LF or another control, or leading/trailing whitespace
 *   (field-rules.ts, the HTTP/1 front's rules);
 * - SECTION_TOO_LARGE: name + value + 32 summed over the lines passes `maxFieldSectionSize`
 *   (SETTINGS_MAX_FIELD_SECTION_SIZE's measure), checked before each line's strings are made;
 * - SECTION_TOO_MANY_FIELDS: more than `maxFieldCount` lines other than pseudo-fields (counted as
 *   the HTTP/1 and HTTP/2 fronts count fields).
 *
 * Strings are latin1 (one code unit per octet), as the HTTP/1.x front reads them.
 */
import { FIELD_LINE_OVERHEAD, FieldSection } from './field-section.ts';
import { isValidFieldName, isValidFieldValue } from './field-rules.ts';
import { huffmanDecode, huffmanDecodedMaxLength } from './huffman.ts';
import { decodePrefixedInt, INT_OK, INT_OVERFLOW, IntegerCursor } from './prefixed-integer.ts';
import { QPACK_STATIC_TABLE } from './qpack-static-table.ts';

/** SECTION_OK: the section was decoded into the given FieldSection. */
export const SECTION_OK = 0;
/** SECTION_DECOMPRESSION_FAILED: the encoding itself is broken (QPACK_DECOMPRESSION_FAILED). */
export const SECTION_DECOMPRESSION_FAILED = 1;
/** SECTION_MALFORMED: a name or value HTTP/3 forbids (H3_MESSAGE_ERROR). */
export const SECTION_MALFORMED = 2;
/** SECTION_TOO_LARGE: the decoded section passes maxFieldSectionSize. */
export const SECTION_TOO_LARGE = 3;
/** SECTION_TOO_MANY_FIELDS: more lines than maxFieldCount. */
export const SECTION_TOO_MANY_FIELDS = 4;

/** FieldSectionLimits bound what one decoded section may hold. */
export interface FieldSectionLimits {
  /** Bound on the sum of name + value + 32 over the lines (what SETTINGS_MAX_FIELD_SECTION_SIZE advertises). */
  readonly maxFieldSectionSize: number;
  /** Bound on the number of lines that are not pseudo-fields. */
  readonly maxFieldCount: number;
}

/** FieldSectionDecoder decodes the sections of one connection; it keeps only scratch memory between them. */
export class FieldSectionDecoder {
  private readonly limits: FieldSectionLimits;
  private readonly int = new IntegerCursor();
  /** Where Huffman strings are decoded before becoming strings; grows to the largest string seen. */
  private scratch = Buffer.allocUnsafe(256);
  private pos = 0;
  private size = 0;
  private count = 0;
  /** Why the last decode did not return SECTION_OK. */
  reason = '';

  constructor(limits: FieldSectionLimits) {
    this.limits = limits;
  }

  /** decode reads the encoded section block[start, end) into `out` and returns SECTION_OK or why not. */
  decode(block: Buffer, start: number, end: number, out: FieldSection): number {
    this.pos = start;
    this.size = 0;
    this.count = 0;
    const int = this.int;
    // Encoded field section prefix: Required Insert Count (8-bit prefix), then S + Delta Base (7-bit prefix).
    let r = decodePrefixedInt(block, this.pos, end, 8, int);
    if (r !== INT_OK) return this.fail(r === INT_OVERFLOW ? 'Required Insert Count overflows' : 'truncated field section prefix');
    if (int.value !== 0) return this.fail('Required Insert Count is not 0 while the dynamic table capacity is 0');
    this.pos = int.next;
    if (this.pos >= end) return this.fail('truncated field section prefix');
    const negative = (block[this.pos]! & 0x80) !== 0;
    r = decodePrefixedInt(block, this.pos, end, 7, int);
    if (r !== INT_OK) return this.fail(r === INT_OVERFLOW ? 'Delta Base overflows' : 'truncated field section prefix');
    if (negative) return this.fail('Base is negative');
    this.pos = int.next;

    while (this.pos < end) {
      const first = block[this.pos]!;
      let result: number;
      if ((first & 0x80) !== 0) result = this.indexed(block, end, first, out);
      else if ((first & 0x40) !== 0) result = this.literalWithNameReference(block, end, first, out);
      else if ((first & 0x20) !== 0) result = this.literalWithLiteralName(block, end, first, out);
      else if ((first & 0x10) !== 0) return this.fail('indexed field line with post-base index references the dynamic table');
      else return this.fail('literal field line with post-base name reference references the dynamic table');
      if (result !== SECTION_OK) return result;
    }
    return SECTION_OK;
  }

  /** Indexed field line: `1 T index(6)`. */
  private indexed(block: Buffer, end: number, first: number, out: FieldSection): number {
    if ((first & 0x40) === 0) return this.fail('indexed field line references the dynamic table');
    const index = this.staticIndex(block, end, 6);
    if (index < 0) return SECTION_DECOMPRESSION_FAILED;
    const [name, value] = QPACK_STATIC_TABLE[index]!;
    const limited = this.account(name, name.length, value.length);
    if (limited !== SECTION_OK) return limited;
    out.add(name, value);
    return SECTION_OK;
  }

  /** Literal field line with name reference: `01 N T index(4)`, then the value. */
  private literalWithNameReference(block: Buffer, end: number, first: number, out: FieldSection): number {
    if ((first & 0x10) === 0) return this.fail('literal field line references a dynamic table name');
    const neverIndex = (first & 0x20) !== 0;
    const index = this.staticIndex(block, end, 4);
    if (index < 0) return SECTION_DECOMPRESSION_FAILED;
    const name = QPACK_STATIC_TABLE[index]![0];
    const value = this.string(block, end, 7, name, name.length);
    if (value === undefined) return this.lastResult;
    out.add(name, value, neverIndex);
    return SECTION_OK;
  }

  /** Literal field line with literal name: `001 N H length(3)` name, then the value. */
  private literalWithLiteralName(block: Buffer, end: number, first: number, out: FieldSection): number {
    const neverIndex = (first & 0x10) !== 0;
    const name = this.string(block, end, 3, undefined, 0);
    if (name === undefined) return this.lastResult;
    if (!isValidFieldName(name)) return this.malformed(`field name ${JSON.stringify(name)} is not a lower-case token`);
    const value = this.string(block, end, 7, name, name.length);
    if (value === undefined) return this.lastResult;
    out.add(name, value, neverIndex);
    return SECTION_OK;
  }

  /** staticIndex reads a static table index with a `prefixBits` prefix; -1 (reason set) when broken. */
  private staticIndex(block: Buffer, end: number, prefixBits: number): number {
    const r = decodePrefixedInt(block, this.pos, end, prefixBits, this.int);
    if (r !== INT_OK) {
      this.fail(r === INT_OVERFLOW ? 'index overflows' : 'truncated field line');
      return -1;
    }
    if (this.int.value >= QPACK_STATIC_TABLE.length) {
      this.fail(`static table index ${this.int.value} does not exist`);
      return -1;
    }
    this.pos = this.int.next;
    return this.int.value;
  }

  /** The result behind the last `undefined` from `string`. */
  private lastResult = SECTION_OK;

  /**
   * string reads a string literal whose H bit sits just above a `prefixBits` length prefix at the
   * current position. For a value (`name` given), the line is accounted against the limits and
   * the value judged before it is returned; a name is only read. `undefined` means refused
   * (`lastResult` says how).
   */
  private string(block: Buffer, end: number, prefixBits: number, name: string | undefined, nameLength: number): string | undefined {
    const huffman = (block[this.pos]! & (1 << prefixBits)) !== 0;
    const r = decodePrefixedInt(block, this.pos, end, prefixBits, this.int);
    if (r !== INT_OK) return this.refuse(this.fail(r === INT_OVERFLOW ? 'string length overflows' : 'truncated field line'));
    const length = this.int.value;
    const start = this.int.next;
    if (length > end - start) return this.refuse(this.fail('string runs past the end of the field section'));
    this.pos = start + length;
    let text: string;
    if (!huffman) {
      if (name !== undefined) {
        const limited = this.account(name, nameLength, length);
        if (limited !== SECTION_OK) return this.refuse(limited);
      } else if (nameLength + length + FIELD_LINE_OVERHEAD + this.size > this.limits.maxFieldSectionSize) {
        return this.refuse(this.tooLarge());
      }
      text = block.toString('latin1', start, start + length);
    } else {
      const room = huffmanDecodedMaxLength(length);
      if (this.scratch.length < room) this.scratch = Buffer.allocUnsafe(Math.max(room, this.scratch.length * 2));
      const decoded = huffmanDecode(block, start, start + length, this.scratch, 0);
      if (decoded < 0) return this.refuse(this.fail('invalid Huffman string (EOS, or padding that is long or not all ones)'));
      if (name !== undefined) {
        const limited = this.account(name, nameLength, decoded);
        if (limited !== SECTION_OK) return this.refuse(limited);
      } else if (decoded + FIELD_LINE_OVERHEAD + this.size > this.limits.maxFieldSectionSize) {
        return this.refuse(this.tooLarge());
      }
      text = this.scratch.toString('latin1', 0, decoded);
    }
    if (name !== undefined && !isValidFieldValue(text)) return this.refuse(this.malformed(`value of ${name} holds a control character or surrounding whitespace`));
    return text;
  }

  /** account adds one line to the section's size and count; SECTION_OK or the limit passed. */
  private account(name: string, nameLength: number, valueLength: number): number {
    this.size += nameLength + valueLength + FIELD_LINE_OVERHEAD;
    if (this.size > this.limits.maxFieldSectionSize) return this.tooLarge();
    if (name.charCodeAt(0) !== 58 && ++this.count > this.limits.maxFieldCount) {
      this.reason = `more than ${this.limits.maxFieldCount} fields`;
      return SECTION_TOO_MANY_FIELDS;
    }
    return SECTION_OK;
  }

  private tooLarge(): number {
    this.reason = `field section larger than ${this.limits.maxFieldSectionSize} bytes`;
    return SECTION_TOO_LARGE;
  }

  private refuse(result: number): undefined {
    this.lastResult = result;
    return undefined;
  }

  private fail(reason: string): number {
    this.reason = reason;
    return SECTION_DECOMPRESSION_FAILED;
  }

  private malformed(reason: string): number {
    this.reason = reason;
    return SECTION_MALFORMED;
  }
}
