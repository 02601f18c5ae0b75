/**
 * Marshalling between JS values and google.protobuf.Struct with Pulumi's sentinels.
 */
import { describe, expect, it } from 'vitest';
import {
  OUTPUT_VALUE_SIG, RESOURCE_SIG, ResourceReference, SECRET_SIG, SIG_KEY, Secret, UNKNOWN, UNKNOWN_SENTINEL,
  annotateSecrets, changedKeys, decodeWire, deepEqual, encodeWire, mapToStruct, markSecret, structToMap, toPlain,
} from '../harness/property-value.ts';

const FULL = { keepSecrets: true, keepResources: true };
const BARE = { keepSecrets: false, keepResources: false };

describe('property values', () => {
  it.each([
    ['unknown sentinel string', UNKNOWN_SENTINEL, UNKNOWN],
    ['unknown inside a list', ['x', UNKNOWN_SENTINEL], ['x', UNKNOWN]],
    ['secret', { [SIG_KEY]: SECRET_SIG, value: 'pw' }, new Secret('pw')],
    ['resource reference', { [SIG_KEY]: RESOURCE_SIG, urn: 'urn:pulumi:s::p::t:i:T::n', id: 'i-1' }, new ResourceReference('urn:pulumi:s::p::t:i:T::n', 'i-1')],
    ['known output value', { [SIG_KEY]: OUTPUT_VALUE_SIG, value: 3, dependencies: ['u'] }, 3],
    ['unknown output value', { [SIG_KEY]: OUTPUT_VALUE_SIG, dependencies: ['u'] }, UNKNOWN],
    ['secret output value', { [SIG_KEY]: OUTPUT_VALUE_SIG, value: 'k', secret: true }, new Secret('k')],
    ['nested object', { a: { b: [1, true, null] } }, { a: { b: [1, true, null] } }],
  ])('decodes a %s', (_name, wire, value) => {
    expect(decodeWire(wire)).toEqual(value);
  });

  it('encodes secrets and references for a peer that accepts them, and lowers them for one that does not', () => {
    const v = { s: new Secret('pw'), r: new ResourceReference('urn:pulumi:s::p::t:i:T::n', 'i-1'), c: new ResourceReference('urn:pulumi:s::p::my:C::n', undefined), u: UNKNOWN };
    expect(encodeWire(v, FULL)).toEqual({
      s: { [SIG_KEY]: SECRET_SIG, value: 'pw' },
      r: { [SIG_KEY]: RESOURCE_SIG, urn: 'urn:pulumi:s::p::t:i:T::n', id: 'i-1' },
      c: { [SIG_KEY]: RESOURCE_SIG, urn: 'urn:pulumi:s::p::my:C::n' },
      u: UNKNOWN_SENTINEL,
    });
    expect(encodeWire(v, BARE)).toEqual({ s: 'pw', r: 'i-1', c: 'urn:pulumi:s::p::my:C::n', u: UNKNOWN_SENTINEL });
  });

  it('round-trips through a protobuf Struct', () => {
    const m = { n: 1.5, s: new Secret({ deep: [UNKNOWN, 'x'] }), list: [{ a: null }] };
    const back = structToMap(mapToStruct(m, FULL));
    expect(back).toEqual(m);
    expect(deepEqual(back, m)).toBe(true);
  });

  it('compares secrets by secretness as well as content', () => {
    expect(deepEqual(new Secret('a'), new Secret('a'))).toBe(true);
    expect(deepEqual(new Secret('a'), 'a')).toBe(false);
    expect(deepEqual(UNKNOWN, UNKNOWN)).toBe(true);
    expect(deepEqual({ a: UNKNOWN }, { a: 'x' })).toBe(false);
  });

  it('carries secretness from inputs to outputs and marks additional secret outputs', () => {
    const outs = annotateSecrets({ pw: 'x', nested: { key: 'k', open: 1 }, plain: 2 }, { pw: new Secret('x'), nested: { key: new Secret('k') } });
    expect(outs).toEqual({ pw: new Secret('x'), nested: { key: new Secret('k'), open: 1 }, plain: 2 });
    expect(markSecret({ a: 1, b: 2 }, ['b'])).toEqual({ a: 1, b: new Secret(2) });
  });

  it('lists changed top-level keys, ignoring __defaults', () => {
    expect(changedKeys({ a: 1, b: 2, __defaults: [] }, { a: 1, b: 3, c: 4 })).toEqual(['b', 'c']);
  });

  it('reveals secrets for test code', () => {
    expect(toPlain({ s: new Secret('pw'), u: UNKNOWN })).toEqual({ s: 'pw', u: UNKNOWN_SENTINEL });
  });
});
