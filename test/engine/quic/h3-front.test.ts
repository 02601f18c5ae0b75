/**
 * A QUIC listener behind its UDP front (SPEC 1.3): the certificate is chosen by the SNI of the
 * client's Initial packets with the HTTPS listeners' matching (exact names, wildcards, the
 * default otherwise), and the backend sees the client's real address and port, not the front's
 * relay socket.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, forwardedConfig, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';
import { h3Library, h3Request, quicListener, type H3ClientSession } from './quic-support.ts';

let harness: EngineHarness;
let backend: TestBackend;
let port: number;
const ca: Record<'d' | 'a' | 'b', Issued> = {} as Record<'d' | 'a' | 'b', Issued>;

function connect(servername: string, trust: Issued): Promise<H3ClientSession> {
  return h3Library().connectAsync(`127.0.0.1:${port}`, { ca: trust.certPem, servername, connectTimeoutMs: 5000 });
}

/** served tells whether a client trusting only `trust` completes a request to `servername`. */
async function served(servername: string, trust: Issued): Promise<boolean> {
  let session: H3ClientSession;
  try {
    session = await connect(servername, trust);
  } catch {
    return false;
  }
  try {
    return (await h3Request(session, port, '/', { ':authority': servername })).status === 200;
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** udpSockets lists this host's IPv4 UDP sockets: local port → remote port (0: not connected). */
function udpSockets(): Map<number, number> {
  const sockets = new Map<number, number>();
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) continue;
    sockets.set(Number.parseInt(fields[1]!.split(':')[1]!, 16), Number.parseInt(fields[2]!.split(':')[1]!, 16));
  }
  return sockets;
}

beforeAll(async () => {
  ca.d = await createCa('Front CA default');
  ca.a = await createCa('Front CA a');
  ca.b = await createCa('Front CA b');
  // The default certificate also names other.example, which the listener does not list for it:
  // a client naming other.example gets it only as the default.
  const certD = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost', 'other.example'] }, ca.d);
  const certA = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca.a);
  const certB = await issueCertificate({ commonName: 'b.example', dnsNames: ['b.example', '*.b.example'] }, ca.b);
  harness = new EngineHarness();
  backend = await startBackend('b1');
  const https = httpsListener('lsn-https', 'sgp-1', 'cert-d', {}, { forwardedHeaders: forwardedConfig({ clientSrcPort: true }) });
  const base = buildSnapshot({
    listeners: [{ ...https, tls: { ...https.tls!, quic: { upgradeEnabled: true, quicListenerId: 'lsn-q' } } }],
    certificates: [serverCertificate('cert-d', certD, ['localhost']), serverCertificate('cert-a', certA, ['a.example']), serverCertificate('cert-b', certB, ['b.example', '*.b.example'])],
    serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
  });
  const result = await harness.apply(deepFreeze({ ...base, quicListeners: [quicListener('lsn-q', 'sgp-1', 'cert-d', { additionalCertificateIds: ['cert-a', 'cert-b'] })] }));
  expect(result.listeners.find((l) => l.id === 'lsn-q')).toMatchObject({ status: 'Running' });
  expect(result.listeners.find((l) => l.id === 'lsn-q')?.statusReason).toBeUndefined();
  port = portOf(result, 'lsn-q');
});

afterAll(async () => {
  await harness.close();
  await backend.close();
});

describe('a QUIC listener with several certificates', () => {
  it('serves b.example its certificate: a client trusting only b’s CA succeeds, one trusting a’s fails', async () => {
    expect(await served('b.example', ca.b)).toBe(true);
    expect(await served('b.example', ca.a)).toBe(false);
    expect(await served('b.example', ca.d)).toBe(false);
  });

  it('serves a.example its certificate', async () => {
    expect(await served('a.example', ca.a)).toBe(true);
    expect(await served('a.example', ca.b)).toBe(false);
  });

  it('matches wildcards as HTTPS listeners do: x.b.example gets b’s certificate', async () => {
    expect(await served('x.b.example', ca.b)).toBe(true);
    expect(await served('x.b.example', ca.d)).toBe(false);
  });

  it('serves an unknown name the default certificate', async () => {
    expect(await served('other.example', ca.d)).toBe(true);
    expect(await served('other.example', ca.a)).toBe(false);
    expect(await served('other.example', ca.b)).toBe(false);
    expect(await served('localhost', ca.d)).toBe(true);
  });
});

describe('the client address behind the front', () => {
  it('forwards the client’s real address and source port, not the relay socket’s', async () => {
    const session = await connect('a.example', ca.a);
    try {
      const reply = await h3Request(session, port, '/who', { ':authority': 'a.example' });
      expect(reply.status).toBe(200);
      const seen = JSON.parse(reply.body) as { headers: Record<string, string> };
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
      const srcPort = Number(seen.headers['x-forwarded-client-srcport']);
      expect(srcPort).toBeGreaterThan(0);
      expect(srcPort).not.toBe(port);
      // The port is the client's own socket (talking to the listener's public port, or not
      // connected), not one of the front's relay sockets (each connected to an internal server).
      const sockets = udpSockets();
      expect(sockets.has(srcPort)).toBe(true);
      expect([0, port]).toContain(sockets.get(srcPort));
      const relays = [...sockets].filter(([local, remote]) => remote !== 0 && remote !== port && local !== srcPort);
      expect(relays.length).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });
});
