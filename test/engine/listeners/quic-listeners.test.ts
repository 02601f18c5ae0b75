/**
 * SPEC 1.3: a QUIC listener is Running only while the engine really serves HTTP/3 on its UDP
 * port, Failed with the reason when the port cannot be bound (and Running again once it is
 * freed), and an HTTPS listener with quic.upgradeEnabled advertises
 * `Alt-Svc: h3=":<port>"; ma=86400` (HTTP/1.1 and HTTP/2) exactly while the QUIC listener runs.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepFreeze, type EngineSnapshot, type SnapshotQuicListener } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { h2Get, httpsGet } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { LB_ID, buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';
import { h3Connect, h3Request } from '../quic/quic-support.ts';

let harness: EngineHarness;
let httpsPort: number;
let backendPort: number;
let cert: Awaited<ReturnType<typeof issueCertificate>>;

function quic(port: number, version: number): SnapshotQuicListener {
  return { id: 'lsn-quic', version, loadBalancerId: LB_ID, port, defaultServerGroupId: 'sgp-1', idleTimeout: 15, requestTimeout: 60, defaultCertificateId: 'cert-a', additionalCertificateIds: [] };
}

function snapshotWith(q: SnapshotQuicListener, version: number): EngineSnapshot {
  const https = httpsListener('lsn-https', 'sgp-1', 'cert-a');
  const base = buildSnapshot({
    version,
    listeners: [{ ...https, tls: { ...https.tls!, quic: { upgradeEnabled: true, quicListenerId: q.id } } }],
    certificates: [serverCertificate('cert-a', cert, ['quic.test'])],
    serverGroups: [serverGroup('sgp-1', [{ port: backendPort }])],
  });
  return deepFreeze({ ...base, quicListeners: [q] });
}

function bindUdp(port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

async function altSvcSeen(): Promise<[string | undefined, string | undefined]> {
  const h1 = await httpsGet(httpsPort, { servername: 'quic.test', rejectUnauthorized: false });
  const h2 = await h2Get(httpsPort, { servername: 'quic.test', rejectUnauthorized: false });
  expect(h1.status).toBe(200);
  expect(h2.status).toBe(200);
  return [h1.headers['alt-svc'] as string | undefined, h2.headers['alt-svc'] as string | undefined];
}

beforeAll(async () => {
  cert = await issueCertificate({ commonName: 'quic.test', dnsNames: ['quic.test'] }, await createCa());
  harness = new EngineHarness();
  backendPort = (await harness.backend('a')).port;
});

afterAll(() => harness.close());

describe('QUIC listener status and Alt-Svc', () => {
  let quicPort = 0;

  it('is Running on its UDP port and serves HTTP/3; the HTTPS listener advertises it over HTTP/1.1 and HTTP/2', async () => {
    const result = await harness.apply(snapshotWith(quic(0, 1), 1));
    httpsPort = portOf(result, 'lsn-https');
    quicPort = portOf(result, 'lsn-quic');
    expect(result.listeners.find((l) => l.id === 'lsn-quic')).toMatchObject({ kind: 'QuicListener', status: 'Running', version: 1 });
    const session = await h3Connect(quicPort);
    try {
      const reply = await h3Request(session, quicPort, '/over-h3');
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ backend: 'a', url: '/over-h3' });
    } finally {
      await session.close();
    }
    expect(await altSvcSeen()).toEqual([`h3=":${quicPort}"; ma=86400`, `h3=":${quicPort}"; ma=86400`]);
  });

  it('is Failed, naming the port, while another socket holds it, and the Alt-Svc goes; Running again once freed, and the Alt-Svc comes back', async () => {
    // Move the QUIC listener to a UDP port another socket holds.
    const squatter = await bindUdp(0);
    const taken = squatter.address().port;
    try {
      const failed = await harness.apply(snapshotWith(quic(taken, 2), 2));
      const state = failed.listeners.find((l) => l.id === 'lsn-quic')!;
      expect(state.status).toBe('Failed');
      expect(state.statusReason).toContain(`UDP 127.0.0.1:${taken}`);
      expect(await altSvcSeen()).toEqual([undefined, undefined]);
      // Applying the same snapshot while the port is held changes nothing.
      expect((await harness.apply(snapshotWith(quic(taken, 2), 2))).listeners.find((l) => l.id === 'lsn-quic')!.status).toBe('Failed');
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    const again = await harness.apply(snapshotWith(quic(taken, 2), 2));
    expect(again.listeners.find((l) => l.id === 'lsn-quic')).toMatchObject({ status: 'Running', version: 2, port: taken });
    expect(await altSvcSeen()).toEqual([`h3=":${taken}"; ma=86400`, `h3=":${taken}"; ma=86400`]);
    const session = await h3Connect(taken);
    try {
      expect((await h3Request(session, taken, '/back')).status).toBe(200);
    } finally {
      await session.close();
    }
  });

  it('a removed QUIC listener stops serving: its UDP port is freed, the Alt-Svc goes', async () => {
    const running = harness.engine.status().listeners.find((l) => l.id === 'lsn-quic')!;
    const https = httpsListener('lsn-https', 'sgp-1', 'cert-a');
    const without = buildSnapshot({
      version: 3,
      listeners: [https],
      certificates: [serverCertificate('cert-a', cert, ['quic.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backendPort }])],
    });
    const result = await harness.apply(without);
    expect(result.listeners.find((l) => l.id === 'lsn-quic')).toBeUndefined();
    expect(await altSvcSeen()).toEqual([undefined, undefined]);
    // The port is released (the removed server drains its connections first).
    let socket: Socket | undefined;
    for (let i = 0; i < 50 && socket === undefined; i++) {
      socket = await bindUdp(running.port!).catch(() => undefined);
      if (socket === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(socket).toBeDefined();
    await new Promise<void>((resolve) => socket!.close(() => resolve()));
  });
});
