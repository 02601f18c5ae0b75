/**
 * Close orders (SPEC E17, E18): whichever side goes first — the client, the backend, or the
 * connection torn down under a response (TCP reset) — over HTTP/1.1, HTTP/2 and WebSocket, the
 * engine survives, a client on another connection keeps being served, and the request still
 * gets its access-log line. The first case is the crash that started it: an HTTP/2 client with
 * a zero initial window, streams it never reads, then gone — the streams close after their
 * session, and their log lines used to read TLS facts from the unbound socket.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../engine/support/snapshots.ts';
import { createCa, issueCertificate } from '../helpers/pki.ts';
import { type RawBackend } from '../engine/support/raw-backend.ts';
import { ProxyFixture } from '../engine/support/proxy-fixture.ts';
import { eventually, sleep } from '../helpers/eventually.ts';
import { Setting } from './support/h2-frames.ts';
import { H2RawClient } from './support/h2-raw-client.ts';
import { SteadyClient } from './support/steady-client.ts';

const CHUNK = 'y'.repeat(1000);
const CHUNKS = 60;

let fx: ProxyFixture;
let streamer: RawBackend;
let port = 0;
let steadyPort = 0;
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  fx = new ProxyFixture();
  // A response (or a WebSocket relay) that streams for ~1.8 s, so there is always one in flight to cut.
  streamer = await fx.backend((req) =>
    req.requestLine.includes('/ws')
      ? { chunks: ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n', ...Array(CHUNKS).fill('\x81\x05hello')], gapMs: 30 }
      : { chunks: [`HTTP/1.1 200 OK\r\nContent-Length: ${CHUNK.length * CHUNKS}\r\n\r\n`, ...Array(CHUNKS).fill(CHUNK)], gapMs: 30 },
  );
  const steadyBackend = await fx.backend();
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, await createCa());
  await fx.engine.apply(
    buildSnapshot({
      listeners: [httpsListener('lsn-1', 'sgp-stream', 'cert-1'), httpsListener('lsn-2', 'sgp-steady', 'cert-1')],
      serverGroups: [serverGroup('sgp-stream', [{ port: streamer.port }]), serverGroup('sgp-steady', [{ port: steadyBackend.port }])],
      certificates: [serverCertificate('cert-1', leaf, ['a.example'])],
    }),
  ).then((r) => {
    port = r.listeners.find((l) => l.id === 'lsn-1')!.port!;
    steadyPort = r.listeners.find((l) => l.id === 'lsn-2')!.port!;
  });
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  await fx?.close();
});

/** logged waits for the access-log line of `path`. */
async function logged(path: string): Promise<void> {
  await eventually(() => expect(fx.records.some((r) => r.path === path)).toBe(true), 4000, 25);
}

/** servedAfter checks that the victim's listener still answers a fresh client. */
async function servedAfter(): Promise<void> {
  const steady = SteadyClient.start({ port, protocol: 'h2', path: '/after', gapMs: 0, deadlineMs: 4000 });
  await sleep(50);
  const stats = await steady.stop();
  expect(stats.failed, stats.errors.join('; ')).toBe(0);
  expect(stats.ok).toBeGreaterThan(0);
}

it('an HTTP/2 client with a zero window leaves streams it never read: no crash, one log line per stream', async () => {
  const steady = SteadyClient.start({ port: steadyPort, protocol: 'h2' });
  const client = await H2RawClient.connect(port, { settings: [[Setting.INITIAL_WINDOW_SIZE, 0]] });
  for (let i = 0; i < 10; i++) client.request(`/zero-window-${i}`);
  await streamer.waitForRequests(10, 4000).catch(() => undefined);
  await client.waitFor(() => client.responded.size === 10, 2000);
  client.close();
  for (let i = 0; i < 10; i++) await logged(`/zero-window-${i}`);
  const stats = await steady.stop();
  expect(crashes).toEqual([]);
  expect(stats.failed, stats.errors.join('; ')).toBe(0);
  expect(stats.ok).toBeGreaterThan(0);
  await servedAfter();
});

type Order = 'client first' | 'backend first' | 'connection reset mid-response';
type Kind = 'HTTP/1.1' | 'HTTP/2' | 'WebSocket';

/** Victim is one connection with a response streaming to it. */
interface Victim {
  close(): void;
  reset(): void;
}

async function openVictim(kind: Kind, path: string): Promise<Victim> {
  if (kind === 'HTTP/2') {
    const c = await H2RawClient.connect(port);
    const id = c.request(path);
    expect(await c.waitFor(() => c.responded.has(id), 3000)).toBe(true);
    return { close: () => c.socket.end(), reset: () => c.reset() };
  }
  const tcp = net.connect(port, '127.0.0.1');
  tcp.on('error', () => {});
  const socket = tls.connect({ socket: tcp, servername: 'a.example', ALPNProtocols: ['http/1.1'], rejectUnauthorized: false });
  socket.on('error', () => {});
  let received = 0;
  socket.on('data', (d: Buffer) => (received += d.length));
  socket.write(
    kind === 'WebSocket'
      ? `GET ${path} HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
      : `GET ${path} HTTP/1.1\r\nHost: a.example\r\n\r\n`,
  );
  await eventually(() => expect(received).toBeGreaterThan(0), 3000, 25);
  return { close: () => socket.end(), reset: () => !tcp.destroyed && tcp.resetAndDestroy() };
}

describe.each<Kind>(['HTTP/1.1', 'HTTP/2', 'WebSocket'])('%s', (kind) => {
  it.each<Order>(['client first', 'backend first', 'connection reset mid-response'])('%s: the engine survives, others are served, the line is logged', async (order) => {
    const path = `/${kind === 'WebSocket' ? 'ws' : 'stream'}-${kind.replace(/\W/g, '')}-${order.replace(/\W/g, '-')}`;
    const steady = SteadyClient.start({ port: steadyPort, protocol: 'h2' });
    const victim = await openVictim(kind, path);
    if (order === 'client first') victim.close();
    else if (order === 'connection reset mid-response') victim.reset();
    else {
      await streamer.down();
      await streamer.up();
    }
    await logged(path);
    const stats = await steady.stop();
    victim.reset();
    expect(crashes).toEqual([]);
    expect(stats.failed, stats.errors.join('; ')).toBe(0);
    expect(stats.ok).toBeGreaterThan(0);
    await servedAfter();
  });
});
