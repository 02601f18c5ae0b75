/**
 * Apply skips listeners whose snapshot object is unchanged — but only while everything they
 * reference is unchanged too. A policy edited in place, a CA rotated in place, a server group
 * changed, or a load balancer moved must reach listeners whose own objects stay the same; a
 * listener whose new material failed stays Failed (serving its old configuration) on later
 * applies that leave it as it is.
 */
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotTlsPolicy } from '../../../schema/snapshot.ts';
import { type CipherName, toOpenSslSettings } from '../../../schema/tls-policies.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { httpGet, httpsGet, tlsHandshake } from '../support/clients.ts';
import { derive, freshSession, replaceById, resumes, servedCommonName } from '../support/apply-derive.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, caCertificate, httpListener, httpsListener, serverCertificate, serverGroup, SYSTEM_POLICIES } from '../support/snapshots.ts';

let harness: EngineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function customPolicy(versions: ('TLSv1.2' | 'TLSv1.3')[]): SnapshotTlsPolicy {
  const ciphers: CipherName[] = ['ECDHE-ECDSA-AES128-GCM-SHA256', ...(versions.includes('TLSv1.3') ? (['TLS_AES_128_GCM_SHA256'] as const) : [])];
  return { id: 'tlsp-custom', tlsVersions: versions, ciphers, openssl: toOpenSslSettings({ tlsVersions: versions, ciphers }) };
}

describe('apply: unchanged listeners, changed references', () => {
  it('a custom policy edited in place (same id) reaches every listener using it', async () => {
    const cert = await issueCertificate({ commonName: 'policy.test', dnsNames: ['policy.test'] }, await createCa());
    harness = new EngineHarness();
    const backend = await harness.backend('a');
    const base = buildSnapshot({
      version: 1,
      listeners: ['lsn-p1', 'lsn-p2'].map((id) => httpsListener(id, 'sgp-1', 'cert-p', { tlsPolicyId: 'tlsp-custom' })),
      certificates: [serverCertificate('cert-p', cert, ['policy.test'])],
      tlsPolicies: [...SYSTEM_POLICIES, customPolicy(['TLSv1.2', 'TLSv1.3'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    const first = await harness.apply(base);
    const ports = ['lsn-p1', 'lsn-p2'].map((id) => portOf(first, id));
    const tls13 = { servername: 'policy.test', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', settleMs: 0 } as const;
    for (const port of ports) expect((await tlsHandshake(port, tls13)).ok).toBe(true);

    const edited = derive(base, 2, { tlsPolicies: replaceById(base.tlsPolicies, 'tlsp-custom', () => customPolicy(['TLSv1.2'])) });
    expect(edited.listeners).toBe(base.listeners);
    await harness.apply(edited);
    for (const port of ports) {
      expect((await tlsHandshake(port, tls13)).ok).toBe(false);
      expect(await tlsHandshake(port, { servername: 'policy.test', maxVersion: 'TLSv1.2', settleMs: 0 })).toMatchObject({ ok: true, protocol: 'TLSv1.2' });
    }
  });

  it('a mutual-TLS CA rotated in place (same id) is enforced on listeners whose objects stay the same', async () => {
    const [serverCa, oldCa, newCa] = await Promise.all([createCa('Server CA'), createCa('Old client CA'), createCa('New client CA')]);
    const [cert, oldClient, newClient] = await Promise.all([
      issueCertificate({ commonName: 'mtls.test', dnsNames: ['mtls.test'] }, serverCa),
      issueCertificate({ commonName: 'old-client', client: true }, oldCa),
      issueCertificate({ commonName: 'new-client', client: true }, newCa),
    ]);
    harness = new EngineHarness();
    const backend = await harness.backend('a');
    const base = buildSnapshot({
      version: 1,
      listeners: [httpsListener('lsn-m', 'sgp-1', 'cert-m', { mutualCaId: 'cert-ca' })],
      certificates: [serverCertificate('cert-m', cert, ['mtls.test']), caCertificate('cert-ca', oldCa)],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    const port = portOf(await harness.apply(base), 'lsn-m');
    const withClient = (c: typeof oldClient) => ({ servername: 'mtls.test', cert: c.certPem, key: c.keyPem, maxVersion: 'TLSv1.2' as const, settleMs: 0 });
    expect((await tlsHandshake(port, withClient(oldClient))).ok).toBe(true);
    expect((await tlsHandshake(port, withClient(newClient))).ok).toBe(false);

    await harness.apply(derive(base, 2, { certificates: replaceById(base.certificates, 'cert-ca', () => caCertificate('cert-ca', newCa)) }));
    expect((await tlsHandshake(port, withClient(oldClient))).ok).toBe(false);
    expect((await tlsHandshake(port, withClient(newClient))).ok).toBe(true);
  });

  it('a changed server group reaches HTTP and HTTPS listeners whose objects stay the same', async () => {
    const cert = await issueCertificate({ commonName: 'group.test', dnsNames: ['group.test'] }, await createCa());
    harness = new EngineHarness();
    const [a, b] = await Promise.all([harness.backend('a'), harness.backend('b')]);
    const base = buildSnapshot({
      version: 1,
      listeners: [httpListener('lsn-h', 'sgp-1'), httpsListener('lsn-s', 'sgp-1', 'cert-g')],
      certificates: [serverCertificate('cert-g', cert, ['group.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: a.port }])],
    });
    const first = await harness.apply(base);
    const httpPort = portOf(first, 'lsn-h');
    const httpsPort = portOf(first, 'lsn-s');
    const viaHttps = async () => JSON.parse((await httpsGet(httpsPort, { servername: 'group.test', rejectUnauthorized: false })).body).backend;
    expect(JSON.parse((await httpGet(httpPort)).body).backend).toBe('a');
    expect(await viaHttps()).toBe('a');

    await harness.apply(derive(base, 2, { serverGroups: [serverGroup('sgp-1', [{ port: b.port }], { version: 2 })] }));
    expect(JSON.parse((await httpGet(httpPort)).body).backend).toBe('b');
    expect(await viaHttps()).toBe('b');
  });

  it('a load balancer moved to another address rebinds its listeners whose objects stay the same', async () => {
    const cert = await issueCertificate({ commonName: 'moved.test', dnsNames: ['moved.test'] }, await createCa());
    harness = new EngineHarness();
    const backend = await harness.backend('a');
    const base = buildSnapshot({
      version: 1,
      listeners: [httpsListener('lsn-v', 'sgp-1', 'cert-v')],
      certificates: [serverCertificate('cert-v', cert, ['moved.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    expect(portOf(await harness.apply(base), 'lsn-v')).toBeGreaterThan(0);
    const moved = derive(base, 2, { loadBalancers: [{ ...base.loadBalancers[0]!, address: '::1' }] });
    const port = portOf(await harness.apply(moved), 'lsn-v');
    const served = await new Promise<{ address: string; cn: string }>((resolve, reject) => {
      const socket = tlsConnect({ host: '::1', port, servername: 'moved.test', rejectUnauthorized: false }, () => {
        resolve({ address: (socket.address() as AddressInfo).address, cn: String(socket.getPeerCertificate().subject?.CN ?? '') });
        socket.destroy();
      });
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
      socket.on('error', reject);
    });
    expect(served).toEqual({ address: '::1', cn: 'moved.test' });
  });

  it('a listener whose forwarded headers change gets the new plan, keeping its TLS side and sessions', async () => {
    const cert = await issueCertificate({ commonName: 'fwd.test', dnsNames: ['fwd.test'] }, await createCa());
    harness = new EngineHarness();
    const backend = await harness.backend('a');
    const base = buildSnapshot({
      version: 1,
      listeners: [httpsListener('lsn-w', 'sgp-1', 'cert-w')],
      certificates: [serverCertificate('cert-w', cert, ['fwd.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    const port = portOf(await harness.apply(base), 'lsn-w');
    const headersSeen = async () => JSON.parse((await httpsGet(port, { servername: 'fwd.test', rejectUnauthorized: false })).body).headers as Record<string, string>;
    expect((await headersSeen())['slb-id']).toBeUndefined();
    const session = await freshSession(port, 'fwd.test');

    const next = derive(base, 2, {
      listeners: replaceById(base.listeners, 'lsn-w', (l) => ({ ...l, version: 2, forwardedHeaders: { ...l.forwardedHeaders, slbId: true } })),
    });
    expect((await harness.apply(next)).listeners[0]).toMatchObject({ status: 'Running', version: 2, port });
    expect((await headersSeen())['slb-id']).toBe(base.loadBalancers[0]!.id);
    expect(await resumes(port, 'fwd.test', session)).toBe(true);
  });

  it('a listener whose new material failed stays Failed on later applies that leave it unchanged, serving its old configuration', async () => {
    const ca = await createCa();
    const [good, other] = await Promise.all([
      issueCertificate({ commonName: 'good-cert', dnsNames: ['fail.test'] }, ca),
      issueCertificate({ commonName: 'other-cert', dnsNames: ['fail.test'] }, ca),
    ]);
    harness = new EngineHarness();
    const backend = await harness.backend('a');
    const base = buildSnapshot({
      version: 1,
      listeners: [httpsListener('lsn-f', 'sgp-1', 'cert-good'), httpsListener('lsn-n', 'sgp-1', 'cert-good')],
      certificates: [serverCertificate('cert-good', good, ['fail.test']), { id: 'cert-bad', type: 'Server', certificatePem: good.chainPem, privateKeyPem: other.keyPem, domains: ['fail.test'] }],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    const first = await harness.apply(base);
    const port = portOf(first, 'lsn-f');

    const broken = derive(base, 2, { listeners: replaceById(base.listeners, 'lsn-f', (l) => ({ ...l, version: 2, tls: { ...l.tls!, defaultCertificateId: 'cert-bad' } })) });
    const second = await harness.apply(broken);
    expect(second.listeners.find((l) => l.id === 'lsn-f')).toMatchObject({ status: 'Failed', version: 1, port, statusReason: expect.stringMatching(/certificate cert-bad cannot be loaded/) });

    // Only the neighbour changes; lsn-f is the very same (broken) object as before.
    const later = derive(broken, 3, { listeners: replaceById(broken.listeners, 'lsn-n', (l) => ({ ...l, version: 2, idleTimeout: 30 })) });
    const third = await harness.apply(later);
    expect(third.listeners.find((l) => l.id === 'lsn-f')).toMatchObject({ status: 'Failed', version: 1, port, statusReason: expect.stringMatching(/certificate cert-bad cannot be loaded/) });
    expect(third.listeners.find((l) => l.id === 'lsn-n')).toMatchObject({ status: 'Running', version: 2 });
    expect(harness.engine.status().listeners.find((l) => l.id === 'lsn-f')).toMatchObject({ status: 'Failed', version: 1 });
    expect(await servedCommonName(port, 'fail.test')).toBe('good-cert');

    // Fixing the certificate in place (same id, listener object unchanged) brings it up.
    const fixed = derive(later, 4, { certificates: replaceById(later.certificates, 'cert-bad', () => serverCertificate('cert-bad', other, ['fail.test'])) });
    const fourth = await harness.apply(fixed);
    expect(fourth.listeners.find((l) => l.id === 'lsn-f')).toMatchObject({ status: 'Running', version: 2, port });
    expect(await servedCommonName(port, 'fail.test')).toBe('other-cert');
  });
});
