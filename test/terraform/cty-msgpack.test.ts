/**
 * Terraform's values as MessagePack, given their cty type: each type, null, unknown values at
 * every depth, the `dynamic` pair, and the bytes Terraform itself writes for an unknown
 * (extension 0, and extension 12 when it carries refinements).
 */
import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { CtyCodecError, decodeCty, encodeCty, UNKNOWN, type CtyType, type CtyValue } from '../../terraform/protocol/cty-msgpack.ts';

const roundTrips: [string, CtyType, CtyValue][] = [
  ['a string', 'string', 'gatehouse'],
  ['an empty string', 'string', ''],
  ['an integer', 'number', 443],
  ['a negative integer', 'number', -7],
  ['a fraction', 'number', 0.25],
  ['true', 'bool', true],
  ['false', 'bool', false],
  ['a list of strings', ['list', 'string'], ['a', 'b']],
  ['an empty list', ['list', 'number'], []],
  ['a set of numbers', ['set', 'number'], [1, 2, 3]],
  ['a map of strings', ['map', 'string'], { team: 'edge', 'gatehouse:owner': 'ops' }],
  ['a tuple', ['tuple', ['string', 'number', 'bool']], ['x', 1, false]],
  ['an object', ['object', { name: 'string', port: 'number', http2_enabled: 'bool' }], { name: 'web', port: 80, http2_enabled: true }],
  ['null at the root', ['object', { name: 'string' }], null],
  ['null attributes', ['object', { name: 'string', tags: ['map', 'string'] }], { name: null, tags: null }],
  [
    'nested objects in a list',
    ['object', { servers: ['list', ['object', { address: 'string', port: 'number', weight: 'number' }]] }],
    { servers: [{ address: '10.0.0.1', port: 8080, weight: null }, { address: '10.0.0.2', port: 8081, weight: 5 }] },
  ],
];

describe('cty msgpack: each type round-trips', () => {
  it.each(roundTrips)('%s', (_name, type, value) => {
    expect(decodeCty(encodeCty(value, type), type)).toEqual(value);
  });

  it('an object is a map keyed by attribute name, null is nil', () => {
    const bytes = encodeCty({ name: 'web', port: null }, ['object', { name: 'string', port: 'number' }]);
    expect(decode(bytes)).toEqual({ name: 'web', port: null });
  });

  it('a missing attribute is written as null and read as null', () => {
    const type: CtyType = ['object', { name: 'string', port: 'number' }];
    expect(decode(encodeCty({ name: 'web' }, type))).toEqual({ name: 'web', port: null });
    expect(decodeCty(encode({ name: 'web' }), type)).toEqual({ name: 'web', port: null });
  });

  it('a number sent as its decimal text is read as a number', () => {
    expect(decodeCty(encode('12345678901234567890'), 'number')).toBe(12345678901234567890);
  });

  it('a dynamic value is the pair of its type JSON and the value', () => {
    const bytes = encode([new TextEncoder().encode('["list","string"]'), ['a', 'b']]);
    expect(decodeCty(bytes, 'dynamic')).toEqual(['a', 'b']);
    expect(decodeCty(encodeCty('x', 'dynamic'), 'dynamic')).toBe('x');
    expect(decodeCty(encodeCty({ a: 1 }, 'dynamic'), 'dynamic')).toEqual({ a: 1 });
  });
});

describe('cty msgpack: unknown values', () => {
  /** The bytes Terraform writes for an unknown: fixext1, type 0, one zero byte. */
  const TERRAFORM_UNKNOWN = Uint8Array.of(0xd4, 0x00, 0x00);

  it('extension 0 reads as UNKNOWN, and UNKNOWN is written as Terraform writes it', () => {
    expect(decodeCty(TERRAFORM_UNKNOWN, 'string')).toBe(UNKNOWN);
    expect([...encodeCty(UNKNOWN, 'number')]).toEqual([...TERRAFORM_UNKNOWN]);
  });

  it('extension 12 (an unknown with refinements) reads as UNKNOWN too', () => {
    // fixext1 would not hold a refinement map; Terraform writes ext8 with a msgpack map payload.
    const payload = encode({ 1: true });
    const bytes = Uint8Array.of(0xc7, payload.length, 12, ...payload);
    expect(decodeCty(bytes, 'string')).toBe(UNKNOWN);
  });

  it.each<[string, CtyType, CtyValue]>([
    ['a whole object', ['object', { name: 'string' }], UNKNOWN],
    ['an attribute', ['object', { name: 'string', port: 'number' }], { name: 'web', port: UNKNOWN }],
    ['a list element', ['list', 'string'], ['a', UNKNOWN]],
    ['a set', ['object', { ciphers: ['set', 'string'] }], { ciphers: UNKNOWN }],
    ['a map value', ['map', 'string'], { team: UNKNOWN }],
    [
      'deep in a list of objects',
      ['object', { servers: ['list', ['object', { address: 'string', port: 'number' }]], health_check: ['object', { path: 'string' }] }],
      { servers: [{ address: UNKNOWN, port: 80 }, UNKNOWN], health_check: { path: UNKNOWN } },
    ],
    ['a tuple element', ['tuple', ['string', 'bool']], [UNKNOWN, true]],
  ])('round-trip with an unknown in %s', (_name, type, value) => {
    expect(decodeCty(encodeCty(value, type), type)).toEqual(value);
  });
});

describe('cty msgpack: values that do not fit their type', () => {
  it.each<[string, CtyType, unknown]>([
    ['a number for a string', 'string', 1],
    ['a string for a bool', 'bool', 'yes'],
    ['a map for a list', ['list', 'string'], { a: 'b' }],
    ['an array for an object', ['object', { a: 'string' }], ['a']],
    ['a tuple of the wrong length', ['tuple', ['string']], ['a', 'b']],
  ])('reading %s fails', (_name, type, raw) => {
    expect(() => decodeCty(encode(raw), type)).toThrow(CtyCodecError);
  });

  it('the error names the path to the faulty place', () => {
    const type: CtyType = ['object', { servers: ['list', ['object', { port: 'number' }]] }];
    expect(() => decodeCty(encode({ servers: [{ port: 1 }, { port: 'x' }] }), type)).toThrow(/at servers\.1\.port/);
    expect(() => encodeCty({ servers: [{ port: 'x' }] }, type)).toThrow(/at servers\.0\.port/);
  });
});
