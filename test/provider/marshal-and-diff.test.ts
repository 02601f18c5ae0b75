/**
 * The provider's value handling and diff logic without processes: the wire sentinels (unknowns,
 * secrets, resource references, output values), default filling around unknowns, and the
 * detailed diff per property path with replace kinds and delete-before-replace (SPEC §5).
 */
import { describe, expect, it } from 'vitest';
import { RESOURCE_KINDS } from '../../schema/index.ts';
import { decodeWire, encodeMap, topLevelKey, UNKNOWN, unknownPaths, withoutUnknowns, type PropertyMap } from '../../provider/marshal.ts';
import { isAtOrUnder } from '../../schema/field-path.ts';
import type { OperationContext } from '../../provider/resources/context.ts';
import { deleteBeforeReplace, diffInputs } from '../../provider/resources/diff.ts';
import { fillDefaults, inputsFromLive } from '../../provider/resources/inputs.ts';
import { secret, UNKNOWN as WIRE_UNKNOWN } from './support/plugin.ts';

const SIG = '4dabf18193072939515e22adb298388d';

describe('wire values', () => {
  it('decodes unknowns to a symbol, unwraps secrets remembering their paths, and re-wraps them', () => {
    const wire = { a: WIRE_UNKNOWN, key: secret('pem'), nested: { list: [1, secret(2)] } };
    const d = decodeWire(wire);
    expect(d.value.a).toBe(UNKNOWN);
    expect(d.value.key).toBe('pem');
    expect(d.secretPaths.sort()).toEqual(['key', 'nested.list[1]']);
    expect(encodeMap(d.value, d.secretPaths)).toEqual(wire);
  });

  it('takes the id of a resource reference and treats one without an id as unknown', () => {
    const ref = (id?: string) => ({ [SIG]: '5cf8f73096256a8f31e491e813e4eb8e', urn: 'urn:pulumi:s::p::gatehouse:index:LoadBalancer::lb', ...(id === undefined ? {} : { id }) });
    expect(decodeWire({ a: ref('alb-aaaaaaaaaaaaaaaaaaaa'), b: ref(), c: ref('') }).value).toEqual({ a: 'alb-aaaaaaaaaaaaaaaaaaaa', b: UNKNOWN, c: UNKNOWN });
  });

  it('reads output values: known value, unknown without value, secret flag', () => {
    const out = (o: object) => ({ [SIG]: 'd0e6a833031e9bbcd3f4e8bde6ca49a4', ...o });
    const d = decodeWire({ a: out({ value: 5 }), b: out({}), c: out({ value: 'x', secret: true }) });
    expect(d.value).toEqual({ a: 5, b: UNKNOWN, c: 'x' });
    expect(d.secretPaths).toEqual(['c']);
  });

  it('an unknown value can never reach a request body: JSON drops the symbol', () => {
    expect(JSON.stringify({ port: UNKNOWN })).toBe('{}');
  });

  it('lists unknown paths (an array holding one counts whole) and strips them', () => {
    const v: PropertyMap = { a: UNKNOWN, b: { c: UNKNOWN, d: 1 }, e: [1, UNKNOWN], f: [1] };
    expect(unknownPaths(v)).toEqual(['a', 'b.c', 'e']);
    expect(withoutUnknowns(v)).toEqual({ b: { d: 1 }, f: [1] });
  });

  it('property paths: top-level key and containment', () => {
    expect(topLevelKey('forwardedHeaders.proto')).toBe('forwardedHeaders');
    expect(topLevelKey('servers[1].port')).toBe('servers');
    expect(topLevelKey('["a.b"].c')).toBe('a.b');
    expect(isAtOrUnder('certificates.defaultCertificateId', 'certificates')).toBe(true);
    expect(isAtOrUnder('servers[0]', 'servers')).toBe(true);
    expect(isAtOrUnder('portal', 'port')).toBe(false);
  });
});

describe('defaults around unknowns', () => {
  it('fills static and HTTPS defaults of a listener whose load balancer id is unknown', () => {
    const filled = fillDefaults(RESOURCE_KINDS.Listener, {
      loadBalancerId: UNKNOWN,
      protocol: 'HTTPS',
      port: 443,
      defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa',
      certificates: { defaultCertificateId: UNKNOWN },
    });
    expect(filled.loadBalancerId).toBe(UNKNOWN);
    expect(filled.idleTimeout).toBe(15);
    expect(filled.http2Enabled).toBe(true);
    expect(filled.tlsPolicyId).toBe('tls_cipher_policy_1_2_strict_with_1_3');
    expect(filled.certificates).toEqual({ defaultCertificateId: UNKNOWN, additionalCertificateIds: [] });
    expect((filled.forwardedHeaders as Record<string, unknown>).xForwardedFor).toEqual({ enabled: true, mode: 'append' });
  });

  it('gives the same result as parsing when everything is known', () => {
    const input = { name: 'grp', servers: [{ address: '127.0.0.1', port: 8080 }] };
    const parsed = RESOURCE_KINDS.ServerGroup.create.parse(input);
    expect(fillDefaults(RESOURCE_KINDS.ServerGroup, input)).toEqual(parsed);
  });

  it('reads a live object back as inputs: outputs dropped, write-only key absent', () => {
    const live = { id: 'cert-x', version: 3, name: 'c', type: 'Server', certificatePem: 'PEM', tags: {}, commonName: 'a', expired: false };
    expect(inputsFromLive(RESOURCE_KINDS.Certificate, live)).toEqual({ name: 'c', type: 'Server', certificatePem: 'PEM', tags: {} });
  });
});

describe('detailed diff', () => {
  const L = RESOURCE_KINDS.Listener;
  const base = { loadBalancerId: 'alb-1', protocol: 'HTTP', port: 80, defaultServerGroupId: 'sgp-1', idleTimeout: 15, tags: {}, forwardedHeaders: { proto: false, host: false } };

  it('reports ADD, UPDATE and DELETE per nested path, and nothing when equal', () => {
    expect(diffInputs(L, base, structuredClone(base)).changes).toEqual([]);
    const news = { ...base, description: 'new', idleTimeout: 30, forwardedHeaders: { proto: true }, tags: { team: 'a' } };
    const { changes, diffs, replaces } = diffInputs(L, base, news);
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: 'description', kind: 'add', replace: false },
        { path: 'idleTimeout', kind: 'update', replace: false },
        { path: 'forwardedHeaders.proto', kind: 'update', replace: false },
        { path: 'forwardedHeaders.host', kind: 'delete', replace: false },
        { path: 'tags.team', kind: 'add', replace: false },
      ]),
    );
    expect(changes).toHaveLength(5);
    expect(diffs.sort()).toEqual(['description', 'forwardedHeaders', 'idleTimeout', 'tags']);
    expect(replaces).toEqual([]);
  });

  it('marks replace fields, and an unknown new value of one, as replacements', () => {
    const { changes, replaces } = diffInputs(L, base, { ...base, port: 8080, loadBalancerId: UNKNOWN });
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: 'port', kind: 'update', replace: true },
        { path: 'loadBalancerId', kind: 'update', replace: true },
      ]),
    );
    expect(replaces.sort()).toEqual(['loadBalancerId', 'port']);
  });

  it('diffs array elements by index and honours ignoreChanges', () => {
    const G = RESOURCE_KINDS.ServerGroup;
    const olds = { name: 'g', servers: [{ address: 'a', port: 1, weight: 100 }] };
    const news = { name: 'h', servers: [{ address: 'a', port: 1, weight: 50 }, { address: 'b', port: 2, weight: 100 }] };
    const { changes } = diffInputs(G, olds, news, ['name']);
    expect(changes).toEqual([
      { path: 'servers[0].weight', kind: 'update', replace: false },
      { path: 'servers[1]', kind: 'add', replace: false },
    ]);
  });

  const ctx = (kindName: 'Listener' | 'QuicListener' | 'LoadBalancer'): OperationContext => ({
    kind: RESOURCE_KINDS[kindName],
    urn: 'urn:pulumi:s::p::t::n',
    name: 'n',
    api: undefined,
    log: { log: () => Promise.resolve() },
    signal: new AbortController().signal,
  });

  const dbrCases: { name: string; kind: 'Listener' | 'QuicListener' | 'LoadBalancer'; olds: Record<string, unknown>; news: Record<string, unknown>; expected: boolean }[] = [
    { name: 'same load balancer and port (HTTP → HTTPS)', kind: 'Listener', olds: base, news: { ...base, protocol: 'HTTPS' }, expected: true },
    { name: 'QUIC listener on the same port of the same load balancer', kind: 'QuicListener', olds: { loadBalancerId: 'alb-1', port: 443 }, news: { loadBalancerId: 'alb-1', port: 443, description: 'x' }, expected: true },
    { name: 'new port', kind: 'Listener', olds: base, news: { ...base, port: 81 }, expected: false },
    { name: 'new port not known yet', kind: 'Listener', olds: base, news: { ...base, port: UNKNOWN }, expected: true },
    { name: 'new load balancer not known yet, same port', kind: 'Listener', olds: base, news: { ...base, loadBalancerId: UNKNOWN }, expected: true },
    { name: 'load balancer addresses cannot be read (no API), same port', kind: 'Listener', olds: base, news: { ...base, loadBalancerId: 'alb-2' }, expected: true },
    {
      name: 'the same QUIC listener stays associated',
      kind: 'Listener',
      olds: { ...base, protocol: 'HTTPS', quic: { upgradeEnabled: true, quicListenerId: 'lsn-q' } },
      news: { ...base, protocol: 'HTTPS', port: 444, quic: { upgradeEnabled: true, quicListenerId: 'lsn-q' } },
      expected: true,
    },
    { name: 'a load balancer never collides with itself', kind: 'LoadBalancer', olds: { name: 'a', address: '127.0.0.1' }, news: { name: 'a', address: '127.0.0.2' }, expected: false },
  ];
  for (const c of dbrCases) {
    it(`delete-before-replace: ${c.name} → ${c.expected}`, async () => {
      expect((await deleteBeforeReplace(ctx(c.kind), c.olds as never, c.news as never)).value).toBe(c.expected);
    });
  }
});
