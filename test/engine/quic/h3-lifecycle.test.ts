/**
 * The lifecycle of a QUIC listener's internal servers and connections (SPEC 1.3, E16): after a
 * rotation the old servers are retired and closed once their connections end (their loopback
 * ports freed, no relay left); connections still open at the drain deadline get GOAWAY and
 * close; closing the engine sends GOAWAY, lets a request in flight finish, and frees every port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { boundUdpPorts, h3Library, h3Request, quicSnapshot, udpPortFree, waitFor, type H3ClientSession } from './quic-support.ts';

let harness: EngineHarness | undefined;
let backend: TestBackend | undefined;

afterEach(async () => {
  await harness?.close();
  await backend?.close();
  harness = undefined;
  backend = undefined;
});

async function certificates(): Promise<[Issued, Issued]> {
  const ca = await createCa('Lifecycle CA');
  return [
    await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca),
    await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca),
  ];
}

function connect(port: number): Promise<H3ClientSession> {
  return h3Library().connectAsync(`127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost', connectTimeoutMs: 5000 });
}

/** resources counts the process's UDP sockets and timers (process.getActiveResourcesInfo). */
function resources(): { udp: number; timers: number } {
  const all = process.getActiveResourcesInfo();
  return { udp: all.filter((r) => r === 'UDPWrap').length, timers: all.filter((r) => r === 'Timeout').length };
}

/** serverPorts is the loopback ports of the listener's internal servers, by generation (current first). */
function serverPorts(h: EngineHarness): number[][] {
  return (h.engine.quicInspection('lsn-q')?.generations ?? []).map((g) => [...g.ports]);
}

describe('rotation: the old generation of internal servers', () => {
  it('is retired and closed once its connections have ended: its ports are freed and no relay or client is left', async () => {
    const [certA, certB] = await certificates();
    // A drain deadline longer than the test: only the client's close ends the old connection.
    harness = new EngineHarness({ drainTimeoutMs: 30_000 });
    backend = await startBackend('b');
    const port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert: certA })), 'lsn-q');
    const session = await connect(port);
    expect((await h3Request(session, port, '/before')).status).toBe(200);
    const [oldPorts] = serverPorts(harness);
    expect(oldPorts).toHaveLength(1);
    expect([...oldPorts!].every((p) => boundUdpPorts().has(p))).toBe(true);

    await harness.apply(quicSnapshot({ version: 2, backends: [backend.port], cert: certB }));
    const rotated = harness.engine.quicInspection('lsn-q')!;
    expect(rotated.generations.map((g) => ({ current: g.current, connections: g.connections }))).toEqual([{ current: true, connections: 0 }, { current: false, connections: 1 }]);
    expect(rotated.generations[1]!.ports).toEqual(oldPorts);
    expect(rotated.generations[1]!.relays).toEqual([1]);
    // The old connection still serves; the old servers stay while it lives.
    expect((await h3Request(session, port, '/after')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(serverPorts(harness)).toHaveLength(2);

    await session.close();
    // Retired (the connection ended, its relay forgotten), then closed: the ports are free.
    expect(await waitFor(() => serverPorts(harness!).length === 1, 8000)).toBe(true);
    expect(await waitFor(() => oldPorts!.every((p) => !boundUdpPorts().has(p)), 2000)).toBe(true);
    for (const p of oldPorts!) expect(await udpPortFree(p)).toBe(true);
    const after = harness.engine.quicInspection('lsn-q')!;
    expect(after.clients).toBe(0);
    expect(after.generations[0]!.relays).toEqual([0]);
    // The new generation serves.
    const fresh = await connect(port);
    try {
      expect((await h3Request(fresh, port, '/fresh')).status).toBe(200);
    } finally {
      await fresh.close();
    }
  }, 30_000);

  it('sends connections still open at the drain deadline away with GOAWAY; they close and the old servers go', async () => {
    const [certA, certB] = await certificates();
    harness = new EngineHarness({ drainTimeoutMs: 1500 });
    backend = await startBackend('b');
    const port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert: certA })), 'lsn-q');
    const session = await connect(port);
    let goawayAt = 0;
    let closedAt = 0;
    session.on('goaway', () => (goawayAt = Date.now()));
    session.on('close', () => (closedAt = Date.now()));
    session.on('error', () => undefined);
    expect((await h3Request(session, port, '/before')).status).toBe(200);
    const [oldPorts] = serverPorts(harness);
    const rotatedAt = Date.now();
    await harness.apply(quicSnapshot({ version: 2, backends: [backend.port], cert: certB }));
    // Before the deadline the connection is untouched.
    expect((await h3Request(session, port, '/before-deadline')).status).toBe(200);
    expect(goawayAt).toBe(0);
    expect(await waitFor(() => goawayAt > 0, 5000)).toBe(true);
    expect(goawayAt - rotatedAt).toBeGreaterThanOrEqual(1400);
    // A request after GOAWAY is refused (the client does not send it on a connection sent away).
    await expect(h3Request(session, port, '/after-goaway')).rejects.toThrow();
    expect(await waitFor(() => closedAt > 0, 5000)).toBe(true);
    expect(await waitFor(() => serverPorts(harness!).length === 1, 5000)).toBe(true);
    expect(await waitFor(() => oldPorts!.every((p) => !boundUdpPorts().has(p)), 2000)).toBe(true);
    await session.close().catch(() => undefined);
  }, 30_000);
});

describe('closing the engine', () => {
  it('sends GOAWAY: the request in flight completes, a new one on the connection is refused, every UDP port is freed', async () => {
    const [cert] = await certificates();
    const before = resources();
    harness = new EngineHarness({ drainTimeoutMs: 5000 });
    backend = await startBackend('slow', (req, res) => {
      if (req.url === '/slow') {
        setTimeout(() => res.end('slow done'), 600);
        return true;
      }
      return false;
    });
    const port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert })), 'lsn-q');
    const session = await connect(port);
    let goaway = false;
    let closeCode: number | undefined;
    session.on('goaway', () => (goaway = true));
    session.on('close', (info: { errorCode: number }) => (closeCode = info?.errorCode));
    session.on('error', () => undefined);
    expect((await h3Request(session, port, '/first')).status).toBe(200);
    const internal = serverPorts(harness).flat();
    // The front's public socket is one of Node's (the internal servers' are native).
    expect(resources().udp).toBeGreaterThanOrEqual(1);
    const inFlight = h3Request(session, port, '/slow');
    await new Promise((r) => setTimeout(r, 150));
    const closing = harness.engine.close(5000);
    expect(await waitFor(() => goaway, 2000)).toBe(true);
    await expect(h3Request(session, port, '/after-goaway')).rejects.toThrow();
    expect(await inFlight).toMatchObject({ status: 200, body: 'slow done' });
    await closing;
    expect(await waitFor(() => closeCode !== undefined, 3000)).toBe(true);
    // H3_NO_ERROR (0x100) or a plain close.
    expect([0, 0x100]).toContain(closeCode);
    expect(await udpPortFree(port)).toBe(true);
    // The internal servers' sockets belong to the transport's native worker, which may release
    // them a moment after their close resolved.
    expect(await waitFor(() => internal.every((p) => !boundUdpPorts().has(p)), 1000)).toBe(true);
    await session.close().catch(() => undefined);
    // Nothing of the engine is left: no UDP socket, no timer beyond those there before it.
    await backend.close();
    backend = undefined;
    expect(await waitFor(() => {
      const now = resources();
      return now.udp <= before.udp && now.timers <= before.timers;
    }, 3000)).toBe(true);
  }, 30_000);

  it('past its deadline: a request still in flight is cut and the client told at once, not left to its idle timeout', async () => {
    const [cert] = await certificates();
    harness = new EngineHarness({ drainTimeoutMs: 5000 });
    backend = await startBackend('slow', (_req, res) => {
      setTimeout(() => res.end('late'), 5000);
      return true;
    });
    const port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert })), 'lsn-q');
    const session = await connect(port);
    session.on('error', () => undefined);
    const inFlight = h3Request(session, port, '/slow', {}, undefined, 15_000).then(() => 'answered', () => 'cut');
    expect(await waitFor(() => backend!.hits === 1, 3000)).toBe(true);
    await harness.engine.close(300);
    const closedAt = Date.now();
    expect(await inFlight).toBe('cut');
    expect(Date.now() - closedAt).toBeLessThan(2000);
    expect(await udpPortFree(port)).toBe(true);
    await session.close().catch(() => undefined);
  }, 30_000);

  it('mid-rotation: the old generation\'s connections are sent away too and every internal port is freed', async () => {
    const [certA, certB] = await certificates();
    harness = new EngineHarness({ drainTimeoutMs: 30_000 });
    backend = await startBackend('b');
    const port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert: certA })), 'lsn-q');
    const old = await connect(port);
    let oldClosed = false;
    old.on('close', () => (oldClosed = true));
    old.on('error', () => undefined);
    expect((await h3Request(old, port, '/old')).status).toBe(200);
    await harness.apply(quicSnapshot({ version: 2, backends: [backend.port], cert: certB }));
    const fresh = await connect(port);
    let freshClosed = false;
    fresh.on('close', () => (freshClosed = true));
    fresh.on('error', () => undefined);
    expect((await h3Request(fresh, port, '/fresh')).status).toBe(200);
    const internal = serverPorts(harness).flat();
    expect(internal).toHaveLength(2);
    await harness.engine.close(2000);
    expect(await waitFor(() => oldClosed && freshClosed, 3000)).toBe(true);
    expect(await udpPortFree(port)).toBe(true);
    expect(await waitFor(() => internal.every((p) => !boundUdpPorts().has(p)), 1000)).toBe(true);
    await old.close().catch(() => undefined);
    await fresh.close().catch(() => undefined);
  }, 30_000);
});
