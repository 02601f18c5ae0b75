/** Cross-resource rules: rule P (SPEC 1.2), editions (1.1, 1.2, 1.5), references, referrers. */
import { describe, expect, it } from 'vitest';
import {
  addressesOverlap,
  checkEditionChange,
  checkRelations,
  describeReferrers,
  findReferrers,
  worldFromLists,
  type Edition,
  type World,
  type WorldLists,
} from '../../schema/index.ts';

const meta = { version: 1, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' };
const lb = (id: string, address: string, edition: Edition = 'Standard') =>
  ({ ...meta, id, name: id, address, edition, deletionProtection: false, tags: {}, status: 'Active' }) as const;
const sg = { ...meta, id: 'sgp-1' } as never;
const cert = (id: string, type: 'Server' | 'CA') => ({ ...meta, id, type }) as never;
const policy = { ...meta, id: 'tlsp-custom', system: false } as never;
const listener = (id: string, loadBalancerId: string, protocol: 'HTTP' | 'HTTPS', port: number, extra: Record<string, unknown> = {}) =>
  ({ ...meta, id, loadBalancerId, protocol, port, defaultServerGroupId: 'sgp-1', ...extra }) as never;
const quic = (id: string, loadBalancerId: string, port: number) =>
  ({ ...meta, id, loadBalancerId, port, defaultServerGroupId: 'sgp-1', certificates: { defaultCertificateId: 'cert-s', additionalCertificateIds: [] } }) as never;

function world(extra: WorldLists = {}): World {
  return worldFromLists({
    LoadBalancer: [lb('alb-a', '127.0.0.1'), lb('alb-a2', '127.0.0.1'), lb('alb-b', '127.0.0.2'), lb('alb-any4', '0.0.0.0'), lb('alb-any6', '::'), lb('alb-v6', '::1'), lb('alb-basic', '127.0.0.3', 'Basic')],
    ServerGroup: [sg],
    Certificate: [cert('cert-s', 'Server'), cert('cert-s2', 'Server'), cert('cert-ca', 'CA')],
    TlsSecurityPolicy: [policy],
    ...extra,
  });
}

const httpsBody = (loadBalancerId: string, port: number, extra: Record<string, unknown> = {}) => ({
  loadBalancerId,
  protocol: 'HTTPS',
  port,
  defaultServerGroupId: 'sgp-1',
  certificates: { defaultCertificateId: 'cert-s', additionalCertificateIds: [] },
  tlsPolicyId: 'tls_cipher_policy_1_2',
  ...extra,
});
const httpBody = (loadBalancerId: string, port: number) => ({ loadBalancerId, protocol: 'HTTP', port, defaultServerGroupId: 'sgp-1' });
const quicBody = (loadBalancerId: string, port: number) => ({ loadBalancerId, port, defaultServerGroupId: 'sgp-1', certificates: { defaultCertificateId: 'cert-s', additionalCertificateIds: [] } });

describe('rule P: port conflicts (SPEC 1.2)', () => {
  type Row = [string, WorldLists, 'Listener' | 'QuicListener', Record<string, unknown>, string | null];
  const rows: Row[] = [
    ['HTTP and HTTPS on one port of one load balancer', { Listener: [listener('lsn-http', 'alb-a', 'HTTP', 8080)] }, 'Listener', httpsBody('alb-a', 8080), 'lsn-http'],
    ['HTTPS and HTTPS on one port', { Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] }, 'Listener', httpsBody('alb-a', 443), 'lsn-h1'],
    ['HTTP and HTTP on one port', { Listener: [listener('lsn-h1', 'alb-a', 'HTTP', 80)] }, 'Listener', httpBody('alb-a', 80), 'lsn-h1'],
    ['QUIC may share an HTTPS port', { Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] }, 'QuicListener', quicBody('alb-a', 443), null],
    ['HTTPS may share a QUIC port', { QuicListener: [quic('lsn-q1', 'alb-a', 443)] }, 'Listener', httpsBody('alb-a', 443), null],
    ['QUIC and QUIC on one port', { QuicListener: [quic('lsn-q1', 'alb-a', 443)] }, 'QuicListener', quicBody('alb-a', 443), 'lsn-q1'],
    ['different ports are free', { Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] }, 'Listener', httpsBody('alb-a', 8443), null],
    ['equal addresses on two load balancers', { Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] }, 'Listener', httpsBody('alb-a2', 443), 'lsn-h1'],
    ['different addresses are free', { Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] }, 'Listener', httpsBody('alb-b', 443), null],
    ['0.0.0.0 overlaps a specific address (new on 0.0.0.0)', { Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] }, 'Listener', httpsBody('alb-any4', 443), 'lsn-h1'],
    ['0.0.0.0 overlaps a specific address (held on 0.0.0.0)', { Listener: [listener('lsn-h1', 'alb-any4', 'HTTPS', 443)] }, 'Listener', httpsBody('alb-b', 443), 'lsn-h1'],
    [':: overlaps an IPv4 address', { Listener: [listener('lsn-h1', 'alb-any6', 'HTTP', 80)] }, 'Listener', httpBody('alb-a', 80), 'lsn-h1'],
    [':: overlaps an IPv6 address', { Listener: [listener('lsn-h1', 'alb-v6', 'HTTP', 80)] }, 'Listener', httpBody('alb-any6', 80), 'lsn-h1'],
    ['::1 and 127.0.0.1 do not overlap', { Listener: [listener('lsn-h1', 'alb-v6', 'HTTP', 80)] }, 'Listener', httpBody('alb-a', 80), null],
    ['QUIC across overlapping load balancers', { QuicListener: [quic('lsn-q1', 'alb-any6', 443)] }, 'QuicListener', quicBody('alb-b', 443), 'lsn-q1'],
    ['QUIC across separate addresses', { QuicListener: [quic('lsn-q1', 'alb-a', 443)] }, 'QuicListener', quicBody('alb-b', 443), null],
  ];
  it.each(rows)('%s', (_label, lists, kind, body, holder) => {
    const errors = checkRelations(kind, body, world(lists), { op: 'create' }).filter((e) => e.code === 'PORT_CONFLICT');
    if (holder === null) expect(errors).toEqual([]);
    else {
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe('port');
      expect(errors[0]!.message).toContain(holder);
    }
  });
  it('a listener updating itself does not conflict with its own port', () => {
    const w = world({ Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443)] });
    expect(checkRelations('Listener', httpsBody('alb-a', 443), w, { op: 'update', previous: { id: 'lsn-h1' } })).toEqual([]);
    expect(checkRelations('Listener', httpsBody('alb-a', 443), w, { op: 'update', id: 'lsn-other' }).map((e) => e.code)).toEqual(['PORT_CONFLICT']);
  });
  it.each([
    ['0.0.0.0', '10.0.0.1', true],
    ['::', '10.0.0.1', true],
    ['0:0:0:0:0:0:0:0', '10.0.0.1', true],
    ['::1', '0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', '127.0.0.1', true],
    ['10.0.0.1', '10.0.0.2', false],
    ['::1', '127.0.0.1', false],
  ])('addresses %s and %s overlap: %s', (a, b, expected) => {
    expect(addressesOverlap(a, b)).toBe(expected);
    expect(addressesOverlap(b, a)).toBe(expected);
  });
});

describe('edition gating (SPEC 1.1, 1.2, 1.5)', () => {
  const w = world();
  it.each([
    ['mutual TLS', { mutualAuthentication: { enabled: true, caCertificateId: 'cert-ca' } }, 'mutualAuthentication.enabled'],
    ['client IP retrieval', { forwardedHeaders: { clientIp: { enabled: true, trustedProxies: ['10.0.0.0/8'] } } }, 'forwardedHeaders.clientIp.enabled'],
    ['a custom TLS policy', { tlsPolicyId: 'tlsp-custom' }, 'tlsPolicyId'],
  ])('%s is refused on Basic and allowed on Standard and StandardWithWaf', (_f, extra, path) => {
    const basic = checkRelations('Listener', httpsBody('alb-basic', 443, extra), w, { op: 'create' });
    expect(basic).toEqual([expect.objectContaining({ path, code: 'EDITION_UNSUPPORTED' })]);
    const w2 = world({ LoadBalancer: [lb('alb-s', '127.0.0.9', 'Standard'), lb('alb-w', '127.0.0.10', 'StandardWithWaf')] });
    expect(checkRelations('Listener', httpsBody('alb-s', 443, extra), w2, { op: 'create' })).toEqual([]);
    expect(checkRelations('Listener', httpsBody('alb-w', 443, extra), w2, { op: 'create' })).toEqual([]);
  });
  it('every system policy is usable on Basic', () => {
    for (const id of ['tls_cipher_policy_1_0', 'tls_cipher_policy_1_2_strict_with_1_3']) {
      expect(checkRelations('Listener', httpsBody('alb-basic', 443, { tlsPolicyId: id }), w, { op: 'create' })).toEqual([]);
    }
  });
  const EDITIONS: Edition[] = ['Basic', 'Standard', 'StandardWithWaf'];
  const allowed = new Set(['Basic>Standard', 'Basic>StandardWithWaf', 'StandardWithWaf>Standard']);
  for (const from of EDITIONS) {
    for (const to of EDITIONS) {
      const ok = from === to || allowed.has(`${from}>${to}`);
      it(`edition ${from} → ${to}: ${ok ? 'allowed' : 'refused'}`, () => {
        expect(checkEditionChange(from, to).length === 0).toBe(ok);
        const errors = checkRelations('LoadBalancer', { name: 'lb', edition: to }, w, { op: 'update', previous: { id: 'alb-a', edition: from } });
        expect(errors.length === 0).toBe(ok);
        if (!ok) expect(errors[0]?.path).toBe('edition');
      });
    }
  }
});

describe('reference resolution (SPEC 1.2, 1.3)', () => {
  const w = world({ QuicListener: [quic('lsn-q1', 'alb-a', 443), quic('lsn-q2', 'alb-b', 443), quic('lsn-q3', 'alb-a', 444)], Listener: [listener('lsn-h1', 'alb-a', 'HTTPS', 443, { quic: { upgradeEnabled: true, quicListenerId: 'lsn-q3' } })] });
  const check = (body: Record<string, unknown>, kind: 'Listener' | 'QuicListener' = 'Listener', opts = {}) =>
    checkRelations(kind, body, w, { op: 'create', ...opts }).map((e) => `${e.path} ${e.code}`);

  it.each([
    ['loadBalancerId', { loadBalancerId: 'alb-missing' }],
    ['defaultServerGroupId', { defaultServerGroupId: 'sgp-missing' }],
    ['certificates.defaultCertificateId', { certificates: { defaultCertificateId: 'cert-missing', additionalCertificateIds: [] } }],
    ['certificates.additionalCertificateIds[1]', { certificates: { defaultCertificateId: 'cert-s', additionalCertificateIds: ['cert-s2', 'cert-missing'] } }],
    ['tlsPolicyId', { tlsPolicyId: 'tlsp-missing' }],
    ['mutualAuthentication.caCertificateId', { mutualAuthentication: { enabled: true, caCertificateId: 'cert-missing' } }],
    ['quic.quicListenerId', { quic: { upgradeEnabled: true, quicListenerId: 'lsn-missing' } }],
  ])('a missing %s is REFERENCE_NOT_FOUND naming the field', (path, extra) => {
    expect(check({ ...httpsBody('alb-a', 8443), ...extra })).toContain(`${path} REFERENCE_NOT_FOUND`);
  });
  it('certificates must be of the right type', () => {
    expect(check({ ...httpsBody('alb-a', 8443), certificates: { defaultCertificateId: 'cert-ca', additionalCertificateIds: ['cert-ca'] } })).toEqual([
      'certificates.defaultCertificateId VALIDATION_FAILED',
      'certificates.additionalCertificateIds[0] VALIDATION_FAILED',
    ]);
    expect(check({ ...httpsBody('alb-a', 8443), mutualAuthentication: { enabled: true, caCertificateId: 'cert-s' } })).toEqual(['mutualAuthentication.caCertificateId VALIDATION_FAILED']);
  });
  it('a QUIC listener must be on the same load balancer and associated with no other listener', () => {
    expect(check({ ...httpsBody('alb-a', 8443), quic: { upgradeEnabled: true, quicListenerId: 'lsn-q1' } })).toEqual([]);
    expect(check({ ...httpsBody('alb-a', 8443), quic: { upgradeEnabled: true, quicListenerId: 'lsn-q2' } })).toEqual(['quic.quicListenerId VALIDATION_FAILED']);
    expect(check({ ...httpsBody('alb-a', 8443), quic: { upgradeEnabled: true, quicListenerId: 'lsn-q3' } })).toEqual(['quic.quicListenerId VALIDATION_FAILED']);
    // The listener that holds the association may keep it on update.
    expect(check({ ...httpsBody('alb-a', 443), quic: { upgradeEnabled: true, quicListenerId: 'lsn-q3' } }, 'Listener', { op: 'update', previous: { id: 'lsn-h1' } })).toEqual([]);
  });
  it('QUIC listeners resolve their load balancer, server group and certificates', () => {
    expect(check({ ...quicBody('alb-missing', 9443), defaultServerGroupId: 'sgp-x', certificates: { defaultCertificateId: 'cert-ca', additionalCertificateIds: [] } }, 'QuicListener')).toEqual([
      'loadBalancerId REFERENCE_NOT_FOUND',
      'defaultServerGroupId REFERENCE_NOT_FOUND',
      'certificates.defaultCertificateId VALIDATION_FAILED',
    ]);
  });
  it('system policies resolve without being stored', () => {
    expect(check({ ...httpsBody('alb-a', 8443), tlsPolicyId: 'tls_cipher_policy_1_1' })).toEqual([]);
  });
});

describe('referrers (IN_USE, SPEC §3)', () => {
  const w = world({
    Listener: [
      listener('lsn-h1', 'alb-a', 'HTTPS', 443, {
        certificates: { defaultCertificateId: 'cert-s', additionalCertificateIds: ['cert-x', 'cert-s2'] },
        tlsPolicyId: 'tlsp-custom',
        mutualAuthentication: { enabled: true, caCertificateId: 'cert-ca' },
        quic: { upgradeEnabled: true, quicListenerId: 'lsn-q1' },
      }),
    ],
    QuicListener: [quic('lsn-q1', 'alb-a', 443)],
  });
  it.each([
    ['LoadBalancer', 'alb-a', ['Listener lsn-h1 (loadBalancerId)', 'QuicListener lsn-q1 (loadBalancerId)']],
    ['ServerGroup', 'sgp-1', ['Listener lsn-h1 (defaultServerGroupId)', 'QuicListener lsn-q1 (defaultServerGroupId)']],
    ['Certificate', 'cert-s', ['Listener lsn-h1 (certificates.defaultCertificateId)', 'QuicListener lsn-q1 (certificates.defaultCertificateId)']],
    ['Certificate', 'cert-s2', ['Listener lsn-h1 (certificates.additionalCertificateIds[1])']],
    ['Certificate', 'cert-ca', ['Listener lsn-h1 (mutualAuthentication.caCertificateId)']],
    ['TlsSecurityPolicy', 'tlsp-custom', ['Listener lsn-h1 (tlsPolicyId)']],
    ['QuicListener', 'lsn-q1', ['Listener lsn-h1 (quic.quicListenerId)']],
    ['LoadBalancer', 'alb-b', []],
    ['Listener', 'lsn-h1', []],
  ] as const)('%s %s is referenced by %j', (kind, id, expected) => {
    const refs = findReferrers(kind, id, w);
    expect(refs.map((r) => describeReferrers([r]))).toEqual(expected);
  });
});
