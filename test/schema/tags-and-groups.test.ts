/** SPEC §1 tags rule on every kind, and SPEC 1.6 server group rules beyond plain ranges. */
import { describe, expect, it } from 'vitest';
import { formatPath, type ResourceKindName } from '../../schema/index.ts';
import { BASE, create, expectFailureAt, failures, getPath, parsed, withPath } from './fixtures.ts';

const KINDS: ResourceKindName[] = ['LoadBalancer', 'Listener', 'QuicListener', 'Certificate', 'TlsSecurityPolicy', 'ServerGroup'];
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

describe('tags (SPEC §1)', () => {
  it.each(KINDS)('%s: 20 entries accepted, 21 refused', (kind) => {
    parsed(create(kind, { ...BASE[kind], tags: tags(20) }));
    expectFailureAt(create(kind, { ...BASE[kind], tags: tags(21) }), 'tags');
  });
  it.each(KINDS)('%s: key 1–128 characters, value 0–128 characters', (kind) => {
    parsed(create(kind, { ...BASE[kind], tags: { ['k'.repeat(128)]: 'v'.repeat(128), e: '' } }));
    expectFailureAt(create(kind, { ...BASE[kind], tags: { ['k'.repeat(129)]: 'v' } }), `tags.${'k'.repeat(129)}`);
    expectFailureAt(create(kind, { ...BASE[kind], tags: { k: 'v'.repeat(129) } }), 'tags.k');
    expectFailureAt(create(kind, { ...BASE[kind], tags: { '': 'v' } }), 'tags[""]');
  });
  it.each(KINDS)('%s: a key may not start with gatehouse:', (kind) => {
    expectFailureAt(create(kind, { ...BASE[kind], tags: { 'gatehouse:owner': 'x' } }), 'tags["gatehouse:owner"]');
    // Matched without regard to case, so the reserved space cannot be entered by spelling.
    expectFailureAt(create(kind, { ...BASE[kind], tags: { 'GateHouse:owner': 'x' } }), 'tags["GateHouse:owner"]');
    parsed(create(kind, { ...BASE[kind], tags: { 'gatehouse-owner': 'x', 'team:gatehouse:': 'y', gatehouse: 'z' } }));
  });
  it('tag values must be strings', () => {
    expectFailureAt(create('LoadBalancer', { name: 'lb', tags: { n: 1 } }), 'tags.n');
  });
  it('formatPath quotes keys that are not identifiers', () => {
    expect(formatPath(['tags', 'gatehouse:x'])).toBe('tags["gatehouse:x"]');
    expect(formatPath(['forwardedHeaders', 'clientIp', 'trustedProxies', 1])).toBe('forwardedHeaders.clientIp.trustedProxies[1]');
  });
});

describe('server groups (SPEC 1.6)', () => {
  const sg = (body: Record<string, unknown>) => create('ServerGroup', { name: 'sg', ...body });

  it('(address, port) is unique; the same address on another port is fine', () => {
    const errors = failures(sg({ servers: [{ address: '10.0.0.1', port: 80 }, { address: '10.0.0.1', port: 81 }, { address: '10.0.0.1', port: 80 }] }));
    expect(errors.map((e) => e.path)).toEqual(['servers[2]']);
  });
  it('duplicates are found across spellings: host names without case, IPv6 by address', () => {
    expectFailureAt(sg({ servers: [{ address: 'API.internal', port: 80 }, { address: 'api.internal', port: 80 }] }), 'servers[1]');
    expectFailureAt(sg({ servers: [{ address: '2001:db8::1', port: 80 }, { address: '2001:DB8:0:0::1', port: 80 }] }), 'servers[1]');
  });
  it.each([['10.0.0.1'], ['::1'], ['backend-1.internal'], ['localhost'], ['a.b.c.example.com']])('address %j is accepted', (address) => {
    parsed(sg({ servers: [{ address, port: 80 }] }));
  });
  it.each([['bad host'], ['under_score.example'], ['1.2.3.999'], ['-lead.example'], ['http://x'], [''], ['a..b'], ['[::1]']])('address %j is refused', (address) => {
    expectFailureAt(sg({ servers: [{ address, port: 80 }] }), 'servers[0].address');
  });
  it('healthCheck.protocol defaults to the group protocol; an explicit one is kept', () => {
    expect(getPath(parsed(sg({ protocol: 'HTTPS' })), 'healthCheck.protocol')).toBe('HTTPS');
    expect(getPath(parsed(sg({ protocol: 'HTTPS', healthCheck: { protocol: 'TCP' } })), 'healthCheck.protocol')).toBe('TCP');
    expect(getPath(parsed(sg({ protocol: 'HTTP', healthCheck: { protocol: 'HTTPS' } })), 'healthCheck.protocol')).toBe('HTTPS');
  });
  it('healthCheck.path starts with /, codes are a non-empty subset without repeats', () => {
    expectFailureAt(sg({ healthCheck: { path: 'health' } }), 'healthCheck.path');
    expectFailureAt(sg({ healthCheck: { codes: [] } }), 'healthCheck.codes');
    expectFailureAt(sg({ healthCheck: { codes: ['http_2xx', 'http_2xx'] } }), 'healthCheck.codes');
    expectFailureAt(sg({ healthCheck: { codes: ['http_1xx'] } }), 'healthCheck.codes[0]');
    expect(getPath(parsed(sg({ healthCheck: { codes: ['http_4xx', 'http_5xx'] } })), 'healthCheck.codes')).toEqual(['http_4xx', 'http_5xx']);
  });
  it.each([
    ['healthCheck.method', 'POST'],
    ['healthCheck.httpVersion', 'HTTP2'],
    ['healthCheck.protocol', 'UDP'],
    ['scheduler', 'RoundRobin'],
    ['protocol', 'TCP'],
    ['stickySession.type', 'Cookie'],
  ])('%s = %j is refused', (path, value) => {
    expectFailureAt(create('ServerGroup', withPath(BASE.ServerGroup, path, value)), path);
  });
  it('stickySession.cookie is required when the type is Server, and must be a cookie name', () => {
    expectFailureAt(sg({ stickySession: { enabled: true, type: 'Server' } }), 'stickySession.cookie');
    expectFailureAt(sg({ stickySession: { type: 'Server' } }), 'stickySession.cookie');
    expectFailureAt(sg({ stickySession: { enabled: true, type: 'Server', cookie: 'a b' } }), 'stickySession.cookie');
    parsed(sg({ stickySession: { enabled: true, type: 'Server', cookie: 'SESSIONID' } }));
    parsed(sg({ stickySession: { enabled: true, type: 'Insert' } }));
  });
});
