/** SPEC 1.4 / E1 and the seed FAQ "What requirements does a wildcard listener certificate need to meet?". */
import { describe, expect, it } from 'vitest';
import { isRecognisedWildcard, SniTable, wildcardMatches } from '../../schema/index.ts';

describe('wildcard recognition (seed FAQ, SPEC 1.4)', () => {
  it.each([
    ['*.example.com', true],
    ['*test.example.com', true],
    ['*.EXAMPLE.com', true],
    ['test*.example.com', false],
    ['*.*.example.com', false],
    ['te*st.example.com', false],
    ['**.example.com', false],
    ['*', false],
    ['*.', false],
    ['*_x.example.com', false],
  ])('%s recognised: %s', (name, expected) => {
    expect(isRecognisedWildcard(name)).toBe(expected);
  });
});

describe('wildcard matching (seed FAQ, E1)', () => {
  it.each([
    // Wildcard level: one label only.
    ['*.example.com', 'test.example.com', true],
    ['*.example.com', 'test.test.example.com', false],
    ['*.example.com', 'example.com', false],
    // IDNA: a lone * matches an xn-- label, *test does not.
    ['*.example.com', 'xn--fsqu00a.example.com', true],
    ['*test.example.com', 'xn--fsqu00atest.example.com', false],
    // Character support: digits, letters, hyphen; not underscore.
    ['*.example.com', 'test_test.example.com', false],
    ['*.example.com', 'Test-123.example.com', true],
    ['*test.example.com', 'abctest.example.com', true],
    ['*test.example.com', 'abctest.other.com', false],
    ['*test.example.com', 'abc.example.com', false],
    ['*.example.com', 'TEST.EXAMPLE.COM', true],
  ])('%s vs %s: %s', (pattern, host, expected) => {
    expect(wildcardMatches(pattern, host)).toBe(expected);
  });
});

describe('SNI selection table (E1)', () => {
  const table = new SniTable<string>();
  table.add(['*.example.com'], 'wild');
  table.add(['api.example.com'], 'exact');
  table.add(['*test.example.com'], 'wild-test');
  table.add(['test*.example.com'], 'never');

  it('exact names win over wildcards, the more specific wildcard first, no match → undefined (the default)', () => {
    expect(table.lookup('api.example.com')).toBe('exact');
    expect(table.lookup('API.example.com')).toBe('exact');
    expect(table.lookup('www.example.com')).toBe('wild');
    expect(table.lookup('mytest.example.com')).toBe('wild-test');
    expect(table.lookup('xn--fsqu00atest.example.com')).toBe('wild');
    expect(table.lookup('a.b.example.com')).toBeUndefined();
    expect(table.lookup('testx.example.com')).toBe('wild');
    expect(table.lookup('other.org')).toBeUndefined();
  });
});
