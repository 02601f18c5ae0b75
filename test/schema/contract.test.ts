/** The error registry against SPEC §3, ids (SPEC §1), snapshot consistency and model/snapshot type fit. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  consistent,
  ERROR_CODES,
  fromFieldErrors,
  idPrefixOf,
  isWellFormedId,
  kindByCollection,
  kindNamesOfId,
  newId,
  RESOURCE_KINDS,
  systemPolicyById,
  toForwardedHeadersConfig,
  toOpenSslSettings,
  type ClientCertHeaderField,
  type EngineSnapshot,
  type ForwardedHeadersConfig,
  type HealthCheckConfig,
  type ListenerForwardedHeaders,
  type LoadBalancerOutput,
  type ServerGroupOutput,
  type SnapshotLoadBalancer,
  type SnapshotServerGroup,
} from '../../schema/index.ts';
import { BASE, create, parsed } from './fixtures.ts';

const spec = readFileSync(new URL('../../docs/SPEC.md', import.meta.url), 'utf8');

describe('error registry (SPEC §3)', () => {
  const section3 = spec.slice(spec.indexOf('## 3. Management API'), spec.indexOf('## 4. Command line'));
  const codesSentence = section3.slice(section3.indexOf('Codes:'), section3.indexOf('Unknown fields'));
  const listed = [...codesSentence.matchAll(/`([A-Z_*]+)`\s+\((\d{3})/g)].map((m) => [m[1]!, Number(m[2])] as const);

  it('SPEC lists the codes (sanity of the parse)', () => {
    expect(listed).toHaveLength(17);
  });
  it.each(listed)('%s has status %d in the registry', (code, status) => {
    if (code.endsWith('*')) {
      const family = Object.entries(ERROR_CODES).filter(([c]) => c.startsWith(code.slice(0, -1)));
      expect(family.length).toBeGreaterThan(0);
      for (const [, v] of family) expect(v.status).toBe(status);
    } else {
      expect(ERROR_CODES[code as keyof typeof ERROR_CODES]?.status).toBe(status);
    }
  });
  it('the registry holds no code SPEC does not name', () => {
    const named = new Set(listed.map(([c]) => c));
    for (const code of Object.keys(ERROR_CODES)) {
      const ok = named.has(code) || [...named].some((n) => n.endsWith('*') && code.startsWith(n.slice(0, -1)));
      expect(ok, code).toBe(true);
    }
  });
  it('every CERT_ code SPEC 1.4 names is registered, and every registered CERT_ code is named there', () => {
    const inSpec = new Set([...spec.matchAll(/`(CERT_[A-Z_]+)`/g)].map((m) => m[1]!));
    const inRegistry = new Set(Object.keys(ERROR_CODES).filter((c) => c.startsWith('CERT_')));
    expect([...inRegistry].sort()).toEqual([...inSpec].sort());
  });
  it('every "NNN `CODE`" pair anywhere in SPEC agrees with the registry', () => {
    const pairs = [...spec.matchAll(/\b(\d{3})\s+`([A-Z_]+)`/g)].map((m) => [Number(m[1]), m[2]!] as const);
    expect(pairs.length).toBeGreaterThan(5);
    for (const [status, code] of pairs) expect(ERROR_CODES[code as keyof typeof ERROR_CODES]?.status, code).toBe(status);
  });
  it('failures of a model become one error with the most specific code', () => {
    const result = create('Listener', { ...BASE.Listener, forwardedHeaders: { clientCertSubjectDn: { headerName: 'host' } } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(fromFieldErrors(result.errors).code).toBe('RESERVED_HEADER_NAME');
  });
});

describe('ids (SPEC §1)', () => {
  it('are the prefix plus 20 characters of [a-z2-7], and differ', () => {
    const seen = new Set<string>();
    for (const kind of Object.values(RESOURCE_KINDS)) {
      for (let i = 0; i < 50; i++) {
        const id = newId(kind.name);
        expect(id).toMatch(new RegExp(`^${kind.idPrefix}[a-z2-7]{20}$`));
        seen.add(id);
      }
      expect(kindByCollection(kind.collection)).toBe(kind);
    }
    expect(seen.size).toBe(300);
  });
  it('prefixes are alb-, lsn-, lsn-, cert-, tlsp-, sgp-', () => {
    expect(Object.values(RESOURCE_KINDS).map((k) => k.idPrefix)).toEqual(['alb-', 'lsn-', 'lsn-', 'cert-', 'tlsp-', 'sgp-']);
    expect(Object.values(RESOURCE_KINDS).map((k) => k.collection)).toEqual(['load-balancers', 'listeners', 'quic-listeners', 'certificates', 'tls-policies', 'server-groups']);
  });
  it('the kind of an id: lsn- is either listener kind, system policy names are policies', () => {
    expect(kindNamesOfId(newId('Listener'))).toEqual(['Listener', 'QuicListener']);
    expect(kindNamesOfId(newId('Certificate'))).toEqual(['Certificate']);
    expect(kindNamesOfId('tls_cipher_policy_1_0')).toEqual(['TlsSecurityPolicy']);
    expect(kindNamesOfId('alb-short')).toEqual([]);
    expect(idPrefixOf('sgp-abcdefghijklmnopqrst')).toBe('sgp-');
    expect(isWellFormedId('sgp-abcdefghijklmnopqrs1')).toBe(false);
  });
  it('replace and secret fields are as SPEC §1 marks them', () => {
    expect(RESOURCE_KINDS.LoadBalancer.replaceFields).toEqual(['address']);
    expect(RESOURCE_KINDS.Listener.replaceFields).toEqual(['loadBalancerId', 'protocol', 'port']);
    expect(RESOURCE_KINDS.QuicListener.replaceFields).toEqual(['loadBalancerId', 'port']);
    expect(RESOURCE_KINDS.Certificate.replaceFields).toEqual(['type']);
    expect(RESOURCE_KINDS.TlsSecurityPolicy.replaceFields).toEqual([]);
    expect(RESOURCE_KINDS.ServerGroup.replaceFields).toEqual(['protocol']);
    expect(RESOURCE_KINDS.Certificate.secretFields).toEqual(['privateKeyPem']);
  });
});

describe('EngineSnapshot consistency', () => {
  const listenerValue = parsed(create('Listener', BASE.Listener));
  const policy = systemPolicyById('tls_cipher_policy_1_2_strict_with_1_3')!;
  const snapshot = (certificateIds: string[]): EngineSnapshot => ({
    format: 1,
    version: 1,
    loadBalancers: [{ id: 'alb-x', address: '127.0.0.1', edition: 'Standard' }],
    serverGroups: [],
    quicListeners: [],
    tlsPolicies: [{ id: policy.id, tlsVersions: policy.tlsVersions, ciphers: policy.ciphers, openssl: toOpenSslSettings(policy) }],
    certificates: certificateIds.map((id) => ({ id, type: 'Server' as const, certificatePem: 'pem', privateKeyPem: 'key', domains: ['a.example'] })),
    listeners: [
      {
        id: 'lsn-x',
        version: 1,
        loadBalancerId: 'alb-x',
        protocol: 'HTTPS',
        port: 443,
        defaultServerGroupId: 'sgp-x',
        idleTimeout: 15,
        requestTimeout: 60,
        compressionEnabled: true,
        underscoreHeadersEnabled: false,
        forwardedHeaders: toForwardedHeadersConfig(listenerValue.forwardedHeaders as ListenerForwardedHeaders),
        tls: {
          http2Enabled: true,
          defaultCertificateId: 'cert-d',
          additionalCertificateIds: [],
          tlsPolicyId: policy.id,
          mutualAuthentication: { enabled: false },
          quic: { upgradeEnabled: false },
        },
      },
    ],
  });
  it('a listener naming a missing certificate fails consistent()', () => {
    const problems = consistent(snapshot([]));
    expect(problems).toContainEqual(expect.objectContaining({ resourceId: 'lsn-x', path: 'certificates.defaultCertificateId' }));
  });
  it('the same snapshot with the certificate is consistent except for the missing server group', () => {
    expect(consistent(snapshot(['cert-d'])).map((p) => p.path)).toEqual(['defaultServerGroupId']);
  });
});

// Compile-time fit of the model outputs to the engine snapshot types (checked by `tsc`).
type Extends<A, B> = [A] extends [B] ? true : false;
type HttpsForwardedHeaders = ListenerForwardedHeaders & Required<Pick<ListenerForwardedHeaders, ClientCertHeaderField>>;
const FIT: [
  Extends<ServerGroupOutput['healthCheck'], HealthCheckConfig>,
  Extends<ServerGroupOutput, SnapshotServerGroup>,
  Extends<LoadBalancerOutput, SnapshotLoadBalancer>,
  Extends<HttpsForwardedHeaders, ForwardedHeadersConfig>,
] = [true, true, true, true];

describe('model outputs fit the snapshot types', () => {
  it('is checked by the type checker', () => {
    expect(FIT).toEqual([true, true, true, true]);
  });
});
