/**
 * A QUIC listener moved to a new port or a new load balancer address (SPEC 1.3, E16): the old
 * front sends its connections away with GOAWAY and closes, freeing the old port; the new one
 * serves HTTP/3; the listener is Running on the new port; and the Alt-Svc of the HTTPS listener
 * that upgrades to it names the new port.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepFreeze, type EngineSnapshot } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { MOVE_WAIT_MS } from '../../../engine/quic/quic-listeners.ts';
import { startBackend } from '../support/backends.ts';
import { httpsGet } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';
import { h3Library, h3Request, quicListener, udpPortFree, waitFor, type H3ClientSession } from './quic-support.ts';

let harness: EngineHarness;
let backendPort: number;
let cert: Issued;

function snapshot(version: number, port: number, address = '127.0.0.1', backend = backendPort): EngineSnapshot {
  const https = httpsListener('lsn-https', 'sgp-1', 'cert-1');
  const base = buildSnapshot({
    version,
    address,
    listeners: [{ ...https, tls: { ...https.tls!, quic: { upgradeEnabled: true, quicListenerId: 'lsn-q' } } }],
    certificates: [serverCertificate('cert-1', cert, ['localhost'])],
    serverGroups: [serverGroup('sgp-1', [{ port: backend }])],
  });
  return deepFreeze({ ...base, quicListeners: [quicListener('lsn-q', 'sgp-1', 'cert-1', { port, version })] });
}

/** freeUdpPort is a UDP port nothing holds on 127.0.0.1 now. */
function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => {
    const { port } = socket.address();
    socket.close(() => resolve(port));
  }));
}

function connect(host: string, port: number): Promise<H3ClientSession> {
  return h3Library().connectAsync(`${host}:${port}`, { rejectUnauthorized: false, servername: 'localhost', connectTimeoutMs: 5000 });
}

async function requestOnce(host: string, port: number): Promise<number> {
  const session = await connect(host, port);
  try {
    return (await h3Request(session, port, '/moved')).status;
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function altSvc(host: string, httpsPort: number): Promise<string | undefined> {
  const reply = await httpsGet(httpsPort, { host, servername: 'localhost', rejectUnauthorized: false });
  expect(reply.status).toBe(200);
  return reply.headers['alt-svc'] as string | undefined;
}

beforeAll(async () => {
  cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa('Move CA'));
  harness = new EngineHarness({ drainTimeoutMs: 5000 });
  backendPort = (await harness.backend('b')).port;
});

afterAll(() => harness.close());

describe('a QUIC listener moved', () => {
  it('to a new port: the old connection is sent away, the old port freed, the new one serves and is advertised', async () => {
    const first = await freeUdpPort();
    const applied = await harness.apply(snapshot(1, first));
    expect(portOf(applied, 'lsn-q')).toBe(first);
    const httpsPort = portOf(applied, 'lsn-https');
    expect(await altSvc('127.0.0.1', httpsPort)).toBe(`h3=":${first}"; ma=86400`);
    const old = await connect('127.0.0.1', first);
    let goaway = false;
    let closed = false;
    old.on('goaway', () => (goaway = true));
    old.on('close', () => (closed = true));
    old.on('error', () => undefined);
    expect((await h3Request(old, first, '/before')).status).toBe(200);

    const second = await freeUdpPort();
    const moved = await harness.apply(snapshot(2, second));
    expect(moved.listeners.find((l) => l.id === 'lsn-q')).toMatchObject({ status: 'Running', port: second, version: 2 });
    expect(harness.engine.status().listeners.find((l) => l.id === 'lsn-q')).toMatchObject({ status: 'Running', port: second });
    // The old front sent its connection away and closed before the new one bound.
    expect(goaway || closed).toBe(true);
    expect(await waitFor(() => closed, 3000)).toBe(true);
    expect(await udpPortFree(first)).toBe(true);
    expect(await requestOnce('127.0.0.1', second)).toBe(200);
    expect(await altSvc('127.0.0.1', httpsPort)).toBe(`h3=":${second}"; ma=86400`);
    await old.close().catch(() => undefined);
    // The connection sent away is not tracked any more (nor counted open).
    expect(await waitFor(() => harness.engine.quicInspection('lsn-q')!.connections === 0, 3000)).toBe(true);
  }, 30_000);

  it('past the move wait: a request still in flight is cut, the client told at once, its connection no longer tracked', async () => {
    const slow = await startBackend('slow', (_req, res) => {
      setTimeout(() => res.end('late'), MOVE_WAIT_MS + 3000);
      return true;
    });
    try {
      const port = await freeUdpPort();
      portOf(await harness.apply(snapshot(10, port, '127.0.0.1', slow.port)), 'lsn-q');
      const session = await connect('127.0.0.1', port);
      session.on('error', () => undefined);
      const inFlight = h3Request(session, port, '/slow', {}, undefined, 20_000).then(() => 'answered', () => 'cut');
      expect(await waitFor(() => slow.hits === 1, 3000)).toBe(true);
      const next = await freeUdpPort();
      const started = Date.now();
      expect(portOf(await harness.apply(snapshot(11, next, '127.0.0.1', slow.port)), 'lsn-q')).toBe(next);
      expect(Date.now() - started).toBeGreaterThanOrEqual(MOVE_WAIT_MS - 100);
      // The client is told at once (CONNECTION_CLOSE), not left to its idle timeout.
      const movedAt = Date.now();
      expect(await inFlight).toBe('cut');
      expect(Date.now() - movedAt).toBeLessThan(2000);
      expect(harness.engine.quicInspection('lsn-q')!.connections).toBe(0);
      await session.close().catch(() => undefined);
    } finally {
      await harness.apply(snapshot(12, harness.engine.quicInspection('lsn-q')!.port));
      await slow.close();
    }
  }, 30_000);

  it('to a new load balancer address: the new address serves, the old one is freed, the listener stays Running', async () => {
    const port = harness.engine.quicInspection('lsn-q')!.port;
    const moved = await harness.apply(snapshot(3, port, '127.0.0.2'));
    expect(moved.listeners.find((l) => l.id === 'lsn-q')).toMatchObject({ status: 'Running', port });
    const httpsPort = portOf(moved, 'lsn-https');
    expect(await requestOnce('127.0.0.2', port)).toBe(200);
    expect(await udpPortFree(port)).toBe(true);
    expect(await altSvc('127.0.0.2', httpsPort)).toBe(`h3=":${port}"; ma=86400`);
    expect(harness.engine.status().listeners.filter((l) => l.status !== 'Running')).toEqual([]);
  }, 30_000);
});
