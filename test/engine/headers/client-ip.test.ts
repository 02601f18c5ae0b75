/**
 * SPEC 1.2.1 "Retrieve Client IP" and E11: the trusted-proxy walk over every X-Forwarded-For
 * field, right to left; `0.0.0.0/0` takes the leftmost address; IPv4-mapped IPv6 is IPv4.
 */
import { describe, expect, it } from 'vitest';
import { ForwardedHeaders, TrustedProxies, normaliseIp, parseIPv4, parseIPv6 } from '../../../engine/headers/index.ts';
import { GatehouseError } from '../../../schema/errors.ts';
import { forwardedConfig } from '../support/snapshots.ts';

describe('IP literal parsing', () => {
  it.each([
    ['1.2.3.4', 0x01020304],
    ['255.255.255.255', 0xffffffff],
    ['0.0.0.0', 0],
    ['01.2.3.4', -1],
    ['1.2.3', -1],
    ['1.2.3.4.5', -1],
    ['256.1.1.1', -1],
    ['1..2.3', -1],
    ['a.b.c.d', -1],
    ['', -1],
  ])('parseIPv4(%s) = %s', (text, value) => {
    expect(parseIPv4(text)).toBe(value);
  });

  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['2001:db8::', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]],
    ['2001:DB8:0:0:1::2', [0x2001, 0xdb8, 0, 0, 1, 0, 0, 2]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['::ffff:10.1.2.3', [0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203]],
    ['fe80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
  ])('parseIPv6(%s)', (text, groups) => {
    const out = new Uint16Array(8);
    expect(parseIPv6(text, 0, text.length, out)).toBe(true);
    expect([...out]).toEqual(groups);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1:', '12345::', '1:2:3:4:5:6:7:1.2.3.4', 'g::', '1.2.3.4', '1:2:3:4:5:6:7::8'])(
    'parseIPv6 refuses %s',
    (text) => {
      expect(parseIPv6(text, 0, text.length, new Uint16Array(8))).toBe(false);
    },
  );

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['::1', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:abcd', '::ffff:abcd'],
  ])('normaliseIp(%s) = %s', (input, output) => {
    expect(normaliseIp(input)).toBe(output);
  });
});

describe('TrustedProxies matching', () => {
  const trusted = new TrustedProxies(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '::ffff:172.16.0.0/108']);
  it.each([
    ['10.255.0.1', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['2001:db8:1::5', true],
    ['2001:db9::5', false],
    ['::1', true],
    ['::2', false],
    ['::ffff:10.9.9.9', true],
    ['172.16.3.4', true],
    ['172.32.0.1', false],
    ['not-an-ip', false],
  ])('%s trusted = %s', (address, expected) => {
    expect(trusted.trusts(address)).toBe(expected);
  });

  it('a bad entry is VALIDATION_FAILED naming its index', () => {
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/', '::/129', '1.2.3.4/x']) {
      let caught: unknown;
      try {
        new TrustedProxies(['10.0.0.1', bad]);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(GatehouseError);
      expect((caught as GatehouseError).errors[0]!.path).toBe('forwardedHeaders.clientIp.trustedProxies[1]');
    }
  });
});

describe('client IP resolution (SPEC 1.2.1 walk)', () => {
  const cases: { name: string; trusted: string[]; peer: string; xff: string[]; expected: string }[] = [
    { name: 'no header: the peer', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: [], expected: '127.0.0.1' },
    { name: 'no header, mapped peer: IPv4', trusted: ['10.0.0.0/8'], peer: '::ffff:127.0.0.1', xff: [], expected: '127.0.0.1' },
    { name: '0.0.0.0/0: leftmost', trusted: ['0.0.0.0/0'], peer: '127.0.0.1', xff: ['1.1.1.1, 2.2.2.2, 3.3.3.3'], expected: '1.1.1.1' },
    { name: '0.0.0.0/0: leftmost across fields', trusted: ['0.0.0.0/0'], peer: '127.0.0.1', xff: ['4.4.4.4', '1.1.1.1, 2.2.2.2'], expected: '4.4.4.4' },
    { name: '0.0.0.0/0: leftmost IPv6 too', trusted: ['0.0.0.0/0'], peer: '127.0.0.1', xff: ['2001:db8::9, 1.1.1.1'], expected: '2001:db8::9' },
    { name: 'right to left: first untrusted', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['1.1.1.1, 2.2.2.2, 10.0.0.2, 10.0.0.1'], expected: '2.2.2.2' },
    { name: 'rightmost untrusted wins', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['1.1.1.1, 10.0.0.1, 3.3.3.3'], expected: '3.3.3.3' },
    { name: 'walk crosses fields, last field first', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['5.5.5.5', '10.0.0.1', '10.0.0.2'], expected: '5.5.5.5' },
    { name: 'all trusted: leftmost', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['10.1.1.1, 10.2.2.2'], expected: '10.1.1.1' },
    { name: 'semicolon list of proxies', trusted: ['10.0.0.1', '10.0.0.2'], peer: '127.0.0.1', xff: ['9.9.9.9, 10.0.0.3, 10.0.0.2, 10.0.0.1'], expected: '10.0.0.3' },
    { name: 'IPv6 proxy trusted', trusted: ['2001:db8::/32'], peer: '::1', xff: ['2001:db9::1, 2001:db8::7'], expected: '2001:db9::1' },
    { name: 'mapped entry normalised', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['::ffff:8.8.8.8, 10.0.0.1'], expected: '8.8.8.8' },
    { name: 'IPv4 with port', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['8.8.4.4:5555, 10.0.0.1:80'], expected: '8.8.4.4' },
    { name: 'bracketed IPv6 with port', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['[2001:db8::5]:443, 10.0.0.1'], expected: '2001:db8::5' },
    { name: 'garbage stops the walk at the last trusted', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['1.1.1.1, unknown, 10.0.0.9'], expected: '10.0.0.9' },
    { name: 'garbage rightmost: the peer', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: ['1.1.1.1, unknown'], expected: '127.0.0.1' },
    { name: 'empty entries skipped', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: [' , 7.7.7.7 ,, 10.0.0.1 ,'], expected: '7.7.7.7' },
    { name: 'empty field: the peer', trusted: ['10.0.0.0/8'], peer: '127.0.0.1', xff: [''], expected: '127.0.0.1' },
  ];

  it.each(cases)('$name', ({ trusted, peer, xff, expected }) => {
    const matcher = new TrustedProxies(trusted);
    expect(matcher.clientIpFromValues(peer, xff)).toBe(expected);
    const raw: string[] = ['Host', 'example.com'];
    for (const v of xff) raw.push(raw.length % 4 === 0 ? 'x-forwarded-for' : 'X-Forwarded-For', v, 'Accept', '*/*');
    expect(matcher.clientIpFromRaw(peer, raw)).toBe(expected);
  });

  it('ForwardedHeaders.clientIp is the peer when retrieval is off, whatever the header says', () => {
    const off = new ForwardedHeaders(forwardedConfig(), { loadBalancerId: 'alb-x', port: 80, protocol: 'HTTP' });
    expect(off.clientIp('::ffff:127.0.0.1', ['X-Forwarded-For', '1.2.3.4'])).toBe('127.0.0.1');
    const on = new ForwardedHeaders(forwardedConfig({ clientIp: { enabled: true, trustedProxies: ['0.0.0.0/0'] } }), {
      loadBalancerId: 'alb-x',
      port: 80,
      protocol: 'HTTP',
    });
    expect(on.clientIp('127.0.0.1', ['X-Forwarded-For', '1.2.3.4, 5.6.7.8'])).toBe('1.2.3.4');
  });
});
