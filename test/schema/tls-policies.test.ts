/** SPEC 1.5: the system policies exactly, their OpenSSL settings, and custom policy consistency. */
import { describe, expect, it } from 'vitest';
import { CIPHERS_BY_VERSION, SYSTEM_TLS_POLICIES, systemPolicyById, toOpenSslSettings } from '../../schema/index.ts';
import { create, expectFailureAt, failures, parsed } from './fixtures.ts';

// Written out from SPEC 1.5, not imported, so that a slip in the data shows here.
const TLS10 = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA'];
const TLS12_EXTRA = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES256-SHA384',
  'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA256', 'AES256-SHA256',
];
const ALL19 = [...TLS10, ...TLS12_EXTRA];
const ECDHE12 = ALL19.filter((c) => c.startsWith('ECDHE-'));
const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];

const SYSTEM: [string, string[], string[], { min: string; max: string; secLevel0: boolean }][] = [
  ['tls_cipher_policy_1_0', ['TLSv1.0', 'TLSv1.1', 'TLSv1.2'], ALL19, { min: 'TLSv1', max: 'TLSv1.2', secLevel0: true }],
  ['tls_cipher_policy_1_1', ['TLSv1.1', 'TLSv1.2'], ALL19, { min: 'TLSv1.1', max: 'TLSv1.2', secLevel0: true }],
  // TLS 1.2 only, but the 19 suites include 3DES, which OpenSSL 3 only offers at SECLEVEL 0.
  ['tls_cipher_policy_1_2', ['TLSv1.2'], ALL19, { min: 'TLSv1.2', max: 'TLSv1.2', secLevel0: true }],
  ['tls_cipher_policy_1_2_strict', ['TLSv1.2'], ECDHE12, { min: 'TLSv1.2', max: 'TLSv1.2', secLevel0: false }],
  ['tls_cipher_policy_1_2_strict_with_1_3', ['TLSv1.2', 'TLSv1.3'], [...ECDHE12, ...TLS13], { min: 'TLSv1.2', max: 'TLSv1.3', secLevel0: false }],
];

describe('system TLS policies (SPEC 1.5)', () => {
  it('the cipher table has 7 suites for 1.0/1.1, 19 for 1.2, 5 for 1.3 and 12 ECDHE suites for 1.2', () => {
    expect(ALL19).toHaveLength(19);
    expect(ECDHE12).toHaveLength(12);
    expect([...CIPHERS_BY_VERSION['TLSv1.0']].sort()).toEqual([...TLS10].sort());
    expect([...CIPHERS_BY_VERSION['TLSv1.1']].sort()).toEqual([...TLS10].sort());
    expect([...CIPHERS_BY_VERSION['TLSv1.2']].sort()).toEqual([...ALL19].sort());
    expect([...CIPHERS_BY_VERSION['TLSv1.3']].sort()).toEqual([...TLS13].sort());
  });
  it('there are exactly the five system policies, in order', () => {
    expect(SYSTEM_TLS_POLICIES.map((p) => p.id)).toEqual(SYSTEM.map((s) => s[0]));
  });
  it.each(SYSTEM)('%s: versions, ciphers and OpenSSL settings', (id, versions, ciphers, ssl) => {
    const policy = systemPolicyById(id)!;
    expect(policy.tlsVersions).toEqual(versions);
    expect([...policy.ciphers].sort()).toEqual([...ciphers].sort());
    const settings = toOpenSslSettings(policy);
    expect(settings.minVersion).toBe(ssl.min);
    expect(settings.maxVersion).toBe(ssl.max);
    expect(settings.secLevel0).toBe(ssl.secLevel0);
    expect(settings.cipherList.endsWith(':@SECLEVEL=0')).toBe(ssl.secLevel0);
    const tls12 = settings.cipherList.replace(':@SECLEVEL=0', '').split(':');
    expect(tls12.sort()).toEqual(ciphers.filter((c) => !c.startsWith('TLS_')).sort());
    expect(settings.tls13Suites === '' ? [] : settings.tls13Suites.split(':').sort()).toEqual(versions.includes('TLSv1.3') ? [...TLS13].sort() : []);
  });
  it('a custom policy of ECDHE suites on TLS 1.1–1.2 still needs SECLEVEL=0 for TLS 1.1', () => {
    expect(toOpenSslSettings({ tlsVersions: ['TLSv1.1', 'TLSv1.2'], ciphers: ['ECDHE-RSA-AES128-SHA'] }).secLevel0).toBe(true);
    expect(toOpenSslSettings({ tlsVersions: ['TLSv1.2'], ciphers: ['ECDHE-RSA-AES128-SHA'] }).secLevel0).toBe(false);
  });
});

describe('custom TLS policies (SPEC 1.5)', () => {
  const policy = (tlsVersions: string[], ciphers: string[], name = 'custom-1') => create('TlsSecurityPolicy', { name, tlsVersions, ciphers });

  it.each([
    [['TLSv1.2'], ['ECDHE-RSA-AES128-GCM-SHA256']],
    [['TLSv1.0', 'TLSv1.1', 'TLSv1.2'], ['AES128-SHA']],
    [['TLSv1.3'], ['TLS_AES_128_GCM_SHA256']],
    [['TLSv1.2', 'TLSv1.3'], ['AES128-GCM-SHA256', 'TLS_CHACHA20_POLY1305_SHA256']],
    [['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], ['DES-CBC3-SHA', 'TLS_AES_256_GCM_SHA384']],
  ])('%j with %j is consistent', (versions, ciphers) => {
    parsed(policy(versions, ciphers));
  });

  it('every cipher must be supported by a chosen version', () => {
    expect(failures(policy(['TLSv1.0', 'TLSv1.1'], ['AES128-SHA', 'AES128-GCM-SHA256'])).map((e) => e.path)).toEqual(['ciphers[1]']);
    expect(failures(policy(['TLSv1.2'], ['AES128-SHA', 'TLS_AES_128_GCM_SHA256'])).map((e) => e.path)).toEqual(['ciphers[1]']);
  });
  it('every chosen version must have a chosen cipher', () => {
    expect(failures(policy(['TLSv1.2', 'TLSv1.3'], ['AES128-SHA'])).map((e) => e.path)).toEqual(['tlsVersions[1]']);
    expect(failures(policy(['TLSv1.2', 'TLSv1.3'], ['TLS_AES_128_GCM_SHA256'])).map((e) => e.path)).toEqual(['tlsVersions[0]']);
  });
  it.each([
    [['TLSv1.0', 'TLSv1.2'], ['AES128-SHA']],
    [['TLSv1.1', 'TLSv1.3'], ['AES128-SHA', 'TLS_AES_128_GCM_SHA256']],
    [['TLSv1.0', 'TLSv1.3'], ['AES128-SHA', 'TLS_AES_128_GCM_SHA256']],
    [['TLSv1.0', 'TLSv1.1', 'TLSv1.3'], ['AES128-SHA', 'TLS_AES_128_GCM_SHA256']],
  ])('versions with a gap %j are refused (OpenSSL serves a contiguous range)', (versions, ciphers) => {
    expectFailureAt(policy(versions, ciphers), 'tlsVersions');
  });
  it('unknown names, empty lists and repeats are refused', () => {
    expectFailureAt(policy(['TLSv1.2'], ['RC4-MD5']), 'ciphers[0]');
    expectFailureAt(policy(['SSLv3'], ['AES128-SHA']), 'tlsVersions[0]');
    expectFailureAt(policy([], ['AES128-SHA']), 'tlsVersions');
    expectFailureAt(policy(['TLSv1.2'], []), 'ciphers');
    expectFailureAt(policy(['TLSv1.2', 'TLSv1.2'], ['AES128-SHA']), 'tlsVersions[1]');
    expectFailureAt(policy(['TLSv1.2'], ['AES128-SHA', 'AES128-SHA']), 'ciphers[1]');
  });
  it.each([['1policy'], ['a'], ['with space'], ['-lead'], ['ünï'], ['a'.repeat(129)]])('name %j is refused', (name) => {
    expectFailureAt(policy(['TLSv1.2'], ['AES128-SHA'], name), 'name');
  });
  it.each([['ab'], ['Policy.v1_2-b'], ['a'.repeat(128)]])('name %j is accepted', (name) => {
    parsed(policy(['TLSv1.2'], ['AES128-SHA'], name));
  });
});
