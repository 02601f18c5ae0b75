/**
 * E3: mutual TLS — with it on, a client must present a certificate chaining to the
 * listener's CA (none, or one from another CA, fails the handshake); turning it off or on
 * later applies to new connections. Also: the client certificate facts kept per connection
 * for the forwarded headers.
 */
import { createServer as createTlsServer, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionClientCert } from '../../../engine/tls/connection-client-cert.ts';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { httpsGet, tlsHandshake } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, caCertificate, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

let harness: EngineHarness;
let serverCa: Issued;
let clientCa: Issued;
let otherCa: Issued;
let goodClient: Issued;
let strangerClient: Issued;
let snapshot: (version: number, mtls: boolean) => EngineSnapshot;

beforeAll(async () => {
  [serverCa, clientCa, otherCa] = await Promise.all([createCa('Server CA'), createCa('Client CA'), createCa('Other CA')]);
  const [def, extra] = await Promise.all([
    issueCertificate({ commonName: 'mtls.test', dnsNames: ['mtls.test'] }, serverCa),
    issueCertificate({ commonName: 'extra.test', dnsNames: ['extra.test'] }, serverCa),
  ]);
  [goodClient, strangerClient] = await Promise.all([
    issueCertificate({ commonName: 'alice', client: true }, clientCa),
    issueCertificate({ commonName: 'mallory', client: true }, otherCa),
  ]);
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  snapshot = (version, mtls) =>
    buildSnapshot({
      version,
      listeners: [httpsListener('lsn-mtls', 'sgp-1', 'cert-def', { additionalCertificateIds: ['cert-extra'], ...(mtls ? { mutualCaId: 'cert-ca' } : {}) }, { version })],
      certificates: [serverCertificate('cert-def', def, ['mtls.test']), serverCertificate('cert-extra', extra, ['extra.test']), caCertificate('cert-ca', clientCa)],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
});

afterAll(() => harness.close());

const VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

describe('E3 mutual TLS', () => {
  it.each(VERSIONS)('%s: no certificate, a certificate from another CA, and the right one', async (version) => {
    const port = portOf(await harness.apply(snapshot(1, true)), 'lsn-mtls');
    const base = { servername: 'mtls.test', minVersion: version, maxVersion: version } as const;
    const none = await tlsHandshake(port, base);
    expect(none.ok).toBe(false);
    const stranger = await tlsHandshake(port, { ...base, cert: strangerClient.certPem, key: strangerClient.keyPem });
    expect(stranger.ok).toBe(false);
    const good = await tlsHandshake(port, { ...base, cert: goodClient.certPem, key: goodClient.keyPem });
    expect(good).toMatchObject({ ok: true, commonName: 'mtls.test', protocol: version });
    // A full request goes through with the right certificate.
    const reply = await httpsGet(port, { ...base, rejectUnauthorized: false, cert: goodClient.certPem, key: goodClient.keyPem });
    expect(reply.status).toBe(200);
  });

  it('enforces the CA also when SNI selects another of the listener certificates', async () => {
    const port = portOf(await harness.apply(snapshot(1, true)), 'lsn-mtls');
    const stranger = await tlsHandshake(port, { servername: 'extra.test', cert: strangerClient.certPem, key: strangerClient.keyPem });
    expect(stranger.ok).toBe(false);
    const good = await tlsHandshake(port, { servername: 'extra.test', cert: goodClient.certPem, key: goodClient.keyPem });
    expect(good).toMatchObject({ ok: true, commonName: 'extra.test' });
  });

  it('turning it off, then on again, applies to new connections on the same socket', async () => {
    const port = portOf(await harness.apply(snapshot(1, true)), 'lsn-mtls');
    expect((await tlsHandshake(port, { servername: 'mtls.test' })).ok).toBe(false);
    const off = await harness.apply(snapshot(2, false));
    expect(portOf(off, 'lsn-mtls')).toBe(port);
    expect(await tlsHandshake(port, { servername: 'mtls.test' })).toMatchObject({ ok: true });
    await harness.apply(snapshot(3, true));
    expect((await tlsHandshake(port, { servername: 'mtls.test' })).ok).toBe(false);
    expect(await tlsHandshake(port, { servername: 'mtls.test', cert: goodClient.certPem, key: goodClient.keyPem })).toMatchObject({ ok: true });
  });
});

describe('client certificate facts kept per connection', () => {
  it('reads subject, issuer, SHA-1 fingerprint and verify result once per connection', async () => {
    const serverCert = await issueCertificate({ commonName: 'facts.test' }, serverCa);
    const seen: { first: ReturnType<typeof connectionClientCert>; again: ReturnType<typeof connectionClientCert> }[] = [];
    const server = createTlsServer({ cert: serverCert.certPem, key: serverCert.keyPem, ca: clientCa.certPem, requestCert: true, rejectUnauthorized: false }, (socket: TLSSocket) => {
      seen.push({ first: connectionClientCert(socket), again: connectionClientCert(socket) });
      socket.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const connectWith = (cert?: Issued) =>
      new Promise<void>((resolve) => {
        const c = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) });
        c.on('close', () => resolve());
        c.on('error', () => undefined);
        c.resume();
      });
    await connectWith(goodClient);
    await connectWith(strangerClient);
    await connectWith(undefined);
    await new Promise<void>((r) => server.close(() => r()));
    const [good, stranger, none] = seen.map((s) => s.first);
    expect(good).toEqual({ subjectDn: 'O=Gatehouse Test,CN=alice', issuerDn: 'O=Gatehouse Test,CN=Client CA', fingerprintSha1: goodClient.sha1, verify: 'SUCCESS' });
    expect(stranger).toMatchObject({ verify: 'FAILED', fingerprintSha1: strangerClient.sha1 });
    expect(none).toBeUndefined();
    // Kept with the connection: the same object on every request of that connection.
    expect(seen[0]!.again).toBe(good);
  });
});
