/**
 * SecureContextCache: which inputs share a context and which build a new one. Keys are the
 * content that reaches OpenSSL (certificate and key, policy versions and ciphers, client CA),
 * not object identity or ids: a snapshot rebuilt from scratch shares, a rotation rebuilds, a
 * failing combination is tried once per apply, and contexts no listener uses are let go.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deepFreeze, type SnapshotCertificate, type SnapshotTlsPolicy } from '../../../schema/snapshot.ts';
import { type CipherName, toOpenSslSettings } from '../../../schema/tls-policies.ts';
import { SecureContextCache } from '../../../engine/tls/secure-contexts.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { caCertificate, serverCertificate, SYSTEM_POLICIES } from '../support/snapshots.ts';

let leaf: Issued;
let rotatedLeaf: Issued;
let clientCa: Issued;
let otherCa: Issued;
const caches: SecureContextCache[] = [];

beforeAll(async () => {
  const ca = await createCa();
  [leaf, rotatedLeaf, clientCa, otherCa] = await Promise.all([
    issueCertificate({ commonName: 'cache.test', dnsNames: ['cache.test'] }, ca),
    issueCertificate({ commonName: 'cache.test', dnsNames: ['cache.test'] }, ca),
    createCa('Client CA'),
    createCa('Other CA'),
  ]);
});

afterEach(() => {
  while (caches.length) caches.pop()!.close();
});

function cache(): SecureContextCache {
  const c = new SecureContextCache({ ticketKeyRotationMs: 60_000 });
  caches.push(c);
  return c;
}

const policy = (id: string) => deepFreeze({ ...SYSTEM_POLICIES.find((p) => p.id === id)! });
const cert = (issued: Issued, domains = ['cache.test'], id = 'cert-1'): SnapshotCertificate => deepFreeze(serverCertificate(id, issued, domains));
const DEFAULT = 'tls_cipher_policy_1_2_strict_with_1_3';

type Inputs = [SnapshotCertificate[], SnapshotTlsPolicy, SnapshotCertificate | undefined];

describe('SecureContextCache: server contexts', () => {
  const cases: { name: string; second: () => Inputs; shared: boolean }[] = [
    { name: 'new objects with the same content', second: () => [[cert({ ...leaf })], policy(DEFAULT), undefined], shared: true },
    { name: 'another certificate id with the same content', second: () => [[cert(leaf, ['cache.test'], 'cert-copy')], policy(DEFAULT), undefined], shared: true },
    { name: 'the same certificate serving other names', second: () => [[cert(leaf, ['other.test'])], policy(DEFAULT), undefined], shared: false },
    { name: 'an additional certificate (other names served)', second: () => [[cert(leaf), cert(rotatedLeaf, ['b.test'], 'cert-b')], policy(DEFAULT), undefined], shared: false },
    { name: 'another policy id with the same settings', second: () => [[cert(leaf)], deepFreeze({ ...policy(DEFAULT), id: 'tlsp-copy' }), undefined], shared: true },
    { name: 'a rotated certificate (same id, new content)', second: () => [[cert(rotatedLeaf)], policy(DEFAULT), undefined], shared: false },
    { name: 'another policy', second: () => [[cert(leaf)], policy('tls_cipher_policy_1_2'), undefined], shared: false },
    {
      name: 'a policy edited in place (same id, other ciphers)',
      second: () => {
        const p = policy(DEFAULT);
        const ciphers: CipherName[] = ['ECDHE-ECDSA-AES128-GCM-SHA256'];
        return [[cert(leaf)], deepFreeze({ ...p, ciphers, tlsVersions: ['TLSv1.2'], openssl: toOpenSslSettings({ tlsVersions: ['TLSv1.2'], ciphers }) }), undefined];
      },
      shared: false,
    },
    { name: 'a client CA added', second: () => [[cert(leaf)], policy(DEFAULT), deepFreeze(caCertificate('cert-ca', clientCa))], shared: false },
  ];

  it.each(cases)('$name → shared: $shared', ({ second, shared }) => {
    const c = cache();
    const first = c.serverContext([cert(leaf)], policy(DEFAULT), undefined);
    expect(c.builds).toBe(1);
    const next = c.serverContext(...second());
    expect(next.context === first.context).toBe(shared);
    expect(next.key === first.key).toBe(shared);
    expect(c.builds).toBe(shared ? 1 : 2);
  });

  it('a client CA rotated in place (same id, new content) gets its own context', () => {
    const c = cache();
    const a = c.serverContext([cert(leaf)], policy(DEFAULT), deepFreeze(caCertificate('cert-ca', clientCa)));
    const b = c.serverContext([cert(leaf)], policy(DEFAULT), deepFreeze(caCertificate('cert-ca', otherCa)));
    expect(b.context).not.toBe(a.context);
  });

  it('a thousand listeners on one certificate and policy build one context', () => {
    const c = cache();
    const shared = [[cert(leaf)], policy(DEFAULT), undefined] as const;
    const contexts = new Set(Array.from({ length: 1000 }, () => c.serverContext(...shared).context));
    expect(contexts.size).toBe(1);
    expect(c.builds).toBe(1);
  });
});

describe('SecureContextCache: failures and lifetime', () => {
  it('a key that does not match its certificate fails once, naming each caller\'s certificate', () => {
    const c = cache();
    const broken = (id: string): SnapshotCertificate => deepFreeze({ id, type: 'Server', certificatePem: leaf.chainPem, privateKeyPem: rotatedLeaf.keyPem, domains: ['cache.test'] });
    expect(() => c.serverContext([broken('cert-x')], policy(DEFAULT), undefined)).toThrow(/certificate cert-x cannot be loaded/);
    expect(() => c.serverContext([broken('cert-y')], policy(DEFAULT), undefined)).toThrow(/certificate cert-y cannot be loaded/);
    expect(() => c.certificateContext(broken('cert-z'), undefined)).toThrow(/certificate cert-z cannot be loaded/);
    expect(c.builds).toBe(0);
  });

  it('a policy this runtime cannot serve names the policy, not the certificate', () => {
    const c = cache();
    const ciphers: CipherName[] = ['DES-CBC3-SHA'];
    const desOnly: SnapshotTlsPolicy = deepFreeze({ id: 'tlsp-des', tlsVersions: ['TLSv1.2'], ciphers, openssl: toOpenSslSettings({ tlsVersions: ['TLSv1.2'], ciphers }) });
    expect(() => c.serverContext([cert(leaf)], desOnly, undefined)).toThrow(/TLS policy tlsp-des cannot be applied with certificate cert-1/);
  });

  it('a draft serves the kept contexts, builds the missing ones aside, and keeps nothing until committed', () => {
    const c = cache();
    const kept = c.serverContext([cert(leaf)], policy(DEFAULT), undefined);
    const draft = c.draft();
    expect(draft.serverContext([cert(leaf)], policy(DEFAULT), undefined).context).toBe(kept.context);
    const aside = draft.serverContext([cert(rotatedLeaf)], policy(DEFAULT), undefined);
    const sni = draft.certificateContext(cert(rotatedLeaf, ['b.test'], 'cert-b'), undefined);
    expect(draft.serverContext([cert(rotatedLeaf)], policy(DEFAULT), undefined).context).toBe(aside.context);
    expect(c.builds).toBe(3);
    expect(c.size).toBe(1);
    // Another draft does not see what the first built aside.
    expect(c.draft().serverContext([cert(rotatedLeaf)], policy(DEFAULT), undefined).context).not.toBe(aside.context);
    draft.commit();
    expect(c.size).toBe(3);
    expect(c.serverContext([cert(rotatedLeaf)], policy(DEFAULT), undefined).context).toBe(aside.context);
    expect(c.certificateContext(cert(rotatedLeaf, ['b.test'], 'cert-b'), undefined).context).toBe(sni.context);
  });

  it('a draft names the policy or the certificate at fault', () => {
    const c = cache();
    const ciphers: CipherName[] = ['DES-CBC3-SHA'];
    const desOnly: SnapshotTlsPolicy = deepFreeze({ id: 'tlsp-des', tlsVersions: ['TLSv1.2'], ciphers, openssl: toOpenSslSettings({ tlsVersions: ['TLSv1.2'], ciphers }) });
    const broken: SnapshotCertificate = deepFreeze({ id: 'cert-x', type: 'Server', certificatePem: leaf.chainPem, privateKeyPem: rotatedLeaf.keyPem, domains: ['cache.test'] });
    const draft = c.draft();
    expect(() => draft.serverContext([cert(leaf)], desOnly, undefined)).toThrow(expect.objectContaining({ fault: { kind: 'TlsSecurityPolicy', id: 'tlsp-des' } }));
    expect(() => draft.serverContext([broken], policy(DEFAULT), undefined)).toThrow(expect.objectContaining({ fault: { kind: 'Certificate', id: 'cert-x' } }));
    expect(() => draft.certificateContext(broken, undefined)).toThrow(expect.objectContaining({ fault: { kind: 'Certificate', id: 'cert-x' } }));
    expect(c.size).toBe(0);
  });

  it('retain keeps the contexts in use (the same objects) and lets the others go', () => {
    const c = cache();
    const kept = c.serverContext([cert(leaf)], policy(DEFAULT), undefined);
    const sni = c.certificateContext(cert(rotatedLeaf, ['b.test'], 'cert-b'), undefined);
    const dropped = c.serverContext([cert(rotatedLeaf)], policy(DEFAULT), undefined);
    expect(c.size).toBe(3);
    c.retain(new Set([kept.key, sni.key]));
    expect(c.size).toBe(2);
    expect(c.serverContext([cert(leaf)], policy(DEFAULT), undefined).context).toBe(kept.context);
    expect(c.certificateContext(cert(rotatedLeaf, ['b.test'], 'cert-b'), undefined).context).toBe(sni.context);
    expect(c.serverContext([cert(rotatedLeaf)], policy(DEFAULT), undefined).context).not.toBe(dropped.context);
  });
});
