/**
 * QPACK field sections with a dynamic table capacity of 0 (RFC 9204): prefixed integers, the
 * static table, the Appendix B example that uses no dynamic table, each field line form by
 * hand, every refusal with its result, the limits (checked before a line's strings are made),
 * the never-index bit, and encode→decode round trips of realistic requests and responses.
 */
import { describe, expect, it } from 'vitest';
import { FieldSection } from '../../../engine/http3/field-section.ts';
import {
  FieldSectionDecoder,
  SECTION_DECOMPRESSION_FAILED,
  SECTION_MALFORMED,
  SECTION_OK,
  SECTION_TOO_LARGE,
  SECTION_TOO_MANY_FIELDS,
} from '../../../engine/http3/qpack-decoder.ts';
import { encodeFieldSection } from '../../../engine/http3/qpack-encoder.ts';
import { QPACK_STATIC_TABLE, staticFieldIndex, staticNameIndex } from '../../../engine/http3/qpack-static-table.ts';
import { decodePrefixedInt, encodePrefixedInt, INT_INCOMPLETE, INT_OK, INT_OVERFLOW, IntegerCursor, PREFIXED_INT_MAX, prefixedIntLength } from '../../../engine/http3/prefixed-integer.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const LIMITS = { maxFieldSectionSize: 16384, maxFieldCount: 100 };

function decode(block: Buffer, limits = LIMITS): { result: number; fields: string[]; neverIndexed: number[]; reason: string } {
  const decoder = new FieldSectionDecoder(limits);
  const out = new FieldSection();
  const result = decoder.decode(block, 0, block.length, out);
  return { result, fields: out.fields, neverIndexed: out.neverIndexed, reason: decoder.reason };
}

/** literal builds a raw (non-Huffman) string literal with an H bit above a `prefixBits` length and `flags` above that. */
function literal(text: string, prefixBits: number, flags = 0): Buffer {
  const out = Buffer.alloc(8 + text.length);
  const at = encodePrefixedInt(out, 0, text.length, prefixBits, flags);
  return Buffer.concat([out.subarray(0, at), Buffer.from(text, 'latin1')]);
}

describe('prefixed integers (RFC 7541 §5.1, C.1)', () => {
  it.each([
    [10, 5, '0a'],
    [1337, 5, '1f9a0a'],
    [42, 8, '2a'],
    [31, 5, '1f00'],
    [PREFIXED_INT_MAX, 7, '7f80ffffff0f'],
  ])('encodes %i with a %i-bit prefix as %s and back', (value, bits, encoded) => {
    const out = Buffer.alloc(10);
    const end = encodePrefixedInt(out, 0, value, bits, 0);
    expect(out.subarray(0, end).toString('hex')).toBe(encoded);
    expect(prefixedIntLength(value, bits)).toBe(end);
    const cursor = new IntegerCursor();
    expect(decodePrefixedInt(out, 0, end, bits, cursor)).toBe(INT_OK);
    expect([cursor.value, cursor.next]).toEqual([value, end]);
    for (let cut = 0; cut < end; cut++) expect(decodePrefixedInt(out, 0, cut, bits, cursor)).toBe(INT_INCOMPLETE);
  });

  it('refuses integers past 2^32 - 1 and endless zero groups', () => {
    const cursor = new IntegerCursor();
    expect(decodePrefixedInt(hex('7f81ffffff0f'), 0, 6, 7, cursor)).toBe(INT_OVERFLOW);
    expect(decodePrefixedInt(hex('7fffffffffffffffffff7f'), 0, 11, 7, cursor)).toBe(INT_OVERFLOW);
    expect(decodePrefixedInt(hex('7f8080808080808080808000'), 0, 12, 7, cursor)).toBe(INT_OVERFLOW);
  });
});

describe('static table (RFC 9204 Appendix A)', () => {
  it('has 99 entries with their indices', () => {
    expect(QPACK_STATIC_TABLE).toHaveLength(99);
    expect(QPACK_STATIC_TABLE[0]).toEqual([':authority', '']);
    expect(QPACK_STATIC_TABLE[17]).toEqual([':method', 'GET']);
    expect(QPACK_STATIC_TABLE[85]![1]).toBe("script-src 'none'; object-src 'none'; base-uri 'none'");
    expect(QPACK_STATIC_TABLE[98]).toEqual(['x-frame-options', 'sameorigin']);
    expect(staticFieldIndex(':status', '200')).toBe(25);
    expect(staticFieldIndex(':status', '201')).toBe(-1);
    expect(staticNameIndex(':status')).toBe(24);
    expect(staticNameIndex('x-custom')).toBe(-1);
  });
});

describe('FieldSectionDecoder', () => {
  it('decodes RFC 9204 B.1: a literal field line with a static name reference', () => {
    expect(decode(hex('0000 510b 2f69 6e64 6578 2e68 746d 6c'))).toMatchObject({ result: SECTION_OK, fields: [':path', '/index.html'] });
  });

  it('decodes an indexed static line of every index', () => {
    for (let i = 0; i < 99; i++) {
      const out = Buffer.alloc(4);
      const end = encodePrefixedInt(out, 2, i, 6, 0xc0);
      const { result, fields } = decode(out.subarray(0, end));
      expect(result).toBe(SECTION_OK);
      expect(fields).toEqual(QPACK_STATIC_TABLE[i]);
    }
  });

  it('decodes a literal with a static name reference, raw and Huffman, keeping the N bit', () => {
    const raw = Buffer.concat([hex('0000'), hex('5f50'), literal('Mozilla/5.0', 7)]); // index 95 user-agent, N=0
    expect(decode(raw)).toMatchObject({ result: SECTION_OK, fields: ['user-agent', 'Mozilla/5.0'], neverIndexed: [] });
    const never = Buffer.concat([hex('0000 d1'), hex('7f45'), literal('Basic eA==', 7)]); // :method GET, then N=1 authorization (84)
    expect(decode(never)).toMatchObject({ result: SECTION_OK, fields: [':method', 'GET', 'authorization', 'Basic eA=='], neverIndexed: [1] });
    const huffman = hex('0000 50 8c f1e3 c2e5 f23a 6ba0 ab90 f4ff'); // :authority, Huffman www.example.com
    expect(decode(huffman)).toMatchObject({ result: SECTION_OK, fields: [':authority', 'www.example.com'] });
  });

  it('decodes a literal with a literal name, raw and Huffman, keeping the N bit', () => {
    const raw = Buffer.concat([hex('0000'), literal('x-trace', 3, 0x20), literal('abc', 7)]);
    expect(decode(raw)).toMatchObject({ result: SECTION_OK, fields: ['x-trace', 'abc'], neverIndexed: [] });
    const never = Buffer.concat([hex('0000'), literal('x-secret', 3, 0x30), literal('s', 7)]);
    expect(decode(never)).toMatchObject({ result: SECTION_OK, fields: ['x-secret', 's'], neverIndexed: [0] });
    // custom-key / custom-value Huffman-coded (RFC 7541 C.4.3's strings): name H bit 0x08, length 8.
    const huffman = hex('0000 2f01 25a8 49e9 5ba9 7d7f 89 25a8 49e9 5bb8 e8b4 bf');
    expect(decode(huffman)).toMatchObject({ result: SECTION_OK, fields: ['custom-key', 'custom-value'] });
  });

  it.each([
    ['a Required Insert Count other than 0', '0100'],
    ['a negative Base', '0080'],
    ['a truncated prefix', '00'],
    ['an empty block', ''],
    ['an indexed line into the dynamic table', '0000 80'],
    ['a name reference into the dynamic table', '0000 4003 616263'],
    ['an indexed line with post-base index', '0000 10'],
    ['a literal with post-base name reference', '0000 0003 616263'],
    ['a static index past 98', '0000 ff24'],
    ['a static name index past 98', '0000 5f54 00'],
    ['a value running past the end', '0000 d5 05 6162'],
    ['a name running past the end', '0000 2561 62'],
    ['a truncated line', '0000 5f'],
    ['an overflowing length', '0000 5f50 7fffffffff7f'],
    ['EOS in a Huffman value', '0000 5f50 84ffffffff'],
    ['Huffman padding of 8 bits', '0000 5f50 821fff'],
    ['Huffman padding not all ones', '0000 5f50 8118'],
  ])('fails decompression on %s', (_what, block) => {
    expect(decode(hex(block)).result).toBe(SECTION_DECOMPRESSION_FAILED);
  });

  it.each([
    ['an upper-case name', literal('X-Trace', 3, 0x20), literal('1', 7)],
    ['a name that is not a token', literal('x trace', 3, 0x20), literal('1', 7)],
    ['an empty name', literal('', 3, 0x20), literal('1', 7)],
    ['a lone colon', literal(':', 3, 0x20), literal('1', 7)],
    ['a value with NUL', hex('5f50'), literal('a\u0000b', 7)],
    ['a value with CR', hex('5f50'), literal('a\rb', 7)],
    ['a value with LF', hex('5f50'), literal('a\nb', 7)],
    ['a value with another control', hex('5f50'), literal('a\u0001b', 7)],
    ['a value with DEL', hex('5f50'), literal('a\u007fb', 7)],
    ['a value with leading whitespace', hex('5f50'), literal(' ab', 7)],
    ['a value with trailing whitespace', hex('5f50'), literal('ab\t', 7)],
  ])('finds %s malformed', (_what, name, value) => {
    expect(decode(Buffer.concat([hex('0000'), name, value])).result).toBe(SECTION_MALFORMED);
  });

  it('accepts HTAB and obs-text inside a value, and an empty value', () => {
    const block = Buffer.concat([hex('0000 5f50'), literal('a\tb\u00e9', 7), hex('5f50'), literal('', 7)]);
    expect(decode(block)).toMatchObject({ result: SECTION_OK, fields: ['user-agent', 'a\tb\u00e9', 'user-agent', ''] });
  });

  it('refuses a section whose name + value + 32 sum passes the limit, at the line that passes it', () => {
    const value = 'v'.repeat(60);
    const line = Buffer.concat([hex('5f50'), literal(value, 7)]); // 10 + 60 + 32 = 102 bytes
    const block = Buffer.concat([hex('0000'), line, line]);
    expect(decode(block, { maxFieldSectionSize: 204, maxFieldCount: 100 }).result).toBe(SECTION_OK);
    expect(decode(block, { maxFieldSectionSize: 203, maxFieldCount: 100 }).result).toBe(SECTION_TOO_LARGE);
    // Indexed lines count too: :path / is 5 + 1 + 32.
    expect(decode(hex('0000 c1'), { maxFieldSectionSize: 37, maxFieldCount: 100 }).result).toBe(SECTION_TOO_LARGE);
    // A huge literal name is refused before it becomes a string.
    const huge = Buffer.concat([hex('0000'), literal('x'.repeat(5000), 3, 0x20), literal('1', 7)]);
    expect(decode(huge, { maxFieldSectionSize: 4096, maxFieldCount: 100 }).result).toBe(SECTION_TOO_LARGE);
  });

  it('refuses more fields than the limit, pseudo-fields not counted', () => {
    const block = Buffer.concat([hex('0000 d1 c1'), ...Array.from({ length: 3 }, () => hex('e2'))]); // GET, :path /, 3 × age: 0 (index 2)
    expect(decode(block, { maxFieldSectionSize: 16384, maxFieldCount: 3 }).result).toBe(SECTION_OK);
    const result = decode(block, { maxFieldSectionSize: 16384, maxFieldCount: 2 });
    expect(result.result).toBe(SECTION_TOO_MANY_FIELDS);
    expect(result.reason).toMatch(/more than 2 fields/);
  });
});

describe('encodeFieldSection', () => {
  it('uses the prefix 0, 0 and the shortest static form', () => {
    // :status 200 → indexed 25; content-type text/css → indexed 51; server → name ref 92 + literal value.
    const block = encodeFieldSection([':status', '200', 'content-type', 'text/css', 'server', 'gh']);
    expect(block.subarray(0, 4).toString('hex')).toBe('0000d9f3');
    expect(block.subarray(4, 6).toString('hex')).toBe('5f4d'); // 01 N=0 T=1 1111, then 92 - 15 = 77
    expect(decode(block).fields).toEqual([':status', '200', 'content-type', 'text/css', 'server', 'gh']);
  });

  it('sends an unknown name as a literal name, Huffman only when shorter', () => {
    const block = encodeFieldSection(['x-request-id', 'abc']);
    expect(block[2]! & 0xe0).toBe(0x20);
    expect(block[2]! & 0x08).toBe(0x08); // the name is shorter in Huffman
    expect(decode(block).fields).toEqual(['x-request-id', 'abc']);
    const binary = encodeFieldSection(['x-b', '\u00ff\u00fe']); // bytes with 26-bit codes stay raw
    expect(binary.includes(Buffer.from('\u00ff\u00fe', 'latin1'))).toBe(true);
    expect(decode(binary).fields).toEqual(['x-b', '\u00ff\u00fe']);
  });

  it('lower-cases names and refuses fields HTTP/1 would not send', () => {
    expect(decode(encodeFieldSection(['Content-Type', 'text/plain'])).fields).toEqual(['content-type', 'text/plain']);
    expect(() => encodeFieldSection(['x-a', 'a\r\nx-b: c'])).toThrow(TypeError);
    expect(() => encodeFieldSection(['x a', 'b'])).toThrow(TypeError);
  });

  it('marks sensitive and caller-marked lines never-index, never as indexed lines', () => {
    const block = encodeFieldSection(['set-cookie', 'a=b', 'authorization', '', 'x-token', 't', 'x-other', 'o'], [2]);
    const decoded = decode(block);
    expect(decoded.fields).toEqual(['set-cookie', 'a=b', 'authorization', '', 'x-token', 't', 'x-other', 'o']);
    expect(decoded.neverIndexed).toEqual([0, 1, 2]);
    // authorization with an empty value matches static entry 84 exactly but is still a literal with N.
    expect(block.includes(hex('c0'))).toBe(false);
  });

  it('round-trips a browser request and a backend response', () => {
    const request = [
      ':method', 'GET', ':scheme', 'https', ':authority', 'shop.example.com', ':path', '/catalog/items?page=2&sort=price',
      'user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      'accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-encoding', 'gzip, deflate, br', 'accept-language', 'en-GB,en;q=0.9',
      'cookie', 'session=abc123; theme=dark', 'referer', 'https://shop.example.com/', 'sec-fetch-mode', 'navigate',
      'upgrade-insecure-requests', '1',
    ];
    const response = [
      ':status', '200', 'content-type', 'text/html; charset=utf-8', 'content-length', '5120', 'cache-control', 'no-cache',
      'date', 'Mon, 21 Oct 2013 20:13:21 GMT', 'set-cookie', 'session=abc123; Path=/; HttpOnly', 'vary', 'accept-encoding',
      'strict-transport-security', 'max-age=31536000', 'x-content-type-options', 'nosniff', 'server', 'gatehouse',
    ];
    for (const fields of [request, response]) {
      const block = encodeFieldSection(fields);
      const decoded = decode(block);
      expect(decoded.result).toBe(SECTION_OK);
      expect(decoded.fields).toEqual(fields);
      expect(block.length).toBeLessThan(fields.join('').length);
    }
  });
});
