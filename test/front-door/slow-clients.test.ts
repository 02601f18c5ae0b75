/**
 * Slow HTTP/1 clients (SPEC E17): slowloris — 200 connections each sending one header byte
 * every 100 ms — is cut by the head deadline (shortened to 1 s here, 10 s in production) for
 * every connection, and slow readers — clients that never read a large response — are cut
 * after the stall bound (requestTimeout on the backend side, idleTimeout with bytes queued on
 * the client side; both 1 s here), while a well-behaved client is served throughout.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshotParts } from '../engine-ii/support/parts.ts';
import { okResponse } from '../engine-ii/support/raw-backend.ts';
import { ProxyFixture, sleep } from '../engine-ii/support/proxy-fixture.ts';
import { SteadyClient } from './support/steady-client.ts';

const BIG = 'w'.repeat(4 * 1024 * 1024);
const HEAD_DEADLINE_MS = 1000;

/** One buffer for every answer: the in-process backend must not be what the memory bound measures. */
const BIG_RESPONSE = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n${BIG}`, 'latin1');

let fx: ProxyFixture;
let port = 0;

beforeAll(async () => {
  fx = new ProxyFixture({ headersTimeoutMs: HEAD_DEADLINE_MS });
  const backend = await fx.backend((req) => (req.requestLine.includes('/big') ? BIG_RESPONSE : okResponse()));
  await fx.apply(buildSnapshotParts({ backends: [backend.port], listener: { idleTimeout: 1, requestTimeout: 1 } }));
  port = fx.port('lsn-1');
});
afterAll(async () => fx?.close());

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

describe('slow HTTP/1 clients are bounded while others are served', () => {
  it('slowloris: 200 connections dripping one header byte at a time are all closed by the head deadline', async () => {
    const steady = SteadyClient.start({ port, protocol: 'http' });
    const sockets = await Promise.all(Array.from({ length: 200 }, connect));
    const closedAt: number[] = [];
    const t0 = Date.now();
    const head = 'GET / HTTP/1.1\r\nHost: a.example\r\nX-Slow: ' + 'a'.repeat(200);
    sockets.forEach((s) => {
      s.on('error', () => {});
      s.on('close', () => closedAt.push(Date.now() - t0));
      s.resume();
    });
    for (let i = 0; i < head.length && closedAt.length < sockets.length && Date.now() - t0 < 5000; i++) {
      for (const s of sockets) if (!s.destroyed) s.write(head[i]!);
      await sleep(100);
    }
    const stats = await steady.stop();
    for (const s of sockets) s.destroy();
    expect(closedAt.length).toBe(200);
    // Head deadline plus node's checking interval (= the deadline here) and slack.
    expect(Math.max(...closedAt)).toBeLessThan(2 * HEAD_DEADLINE_MS + 1000);
    expect(stats.failed, stats.errors.join('; ')).toBe(0);
    expect(stats.ok).toBeGreaterThan(0);
  });

  it('slow readers: 20 clients that never read a 4 MB response are cut within the stall bound, holding little memory', async () => {
    const steady = SteadyClient.start({ port, protocol: 'http' });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = Date.now();
    const sockets = await Promise.all(Array.from({ length: 20 }, connect));
    // A client that does not read cannot see its connection close; the engine's log line says when it was cut.
    const logged = () => fx.records.filter((r) => r.path === '/big');
    const closedAt: number[] = [];
    for (const s of sockets) {
      s.on('error', () => {});
      s.pause();
      s.write('GET /big HTTP/1.1\r\nHost: a.example\r\n\r\n');
    }
    const end = Date.now() + 6000;
    while (logged().length < sockets.length && Date.now() < end) await sleep(50);
    for (const r of logged()) closedAt.push(Date.parse(r.time) + r.requestDurationMs - t0);
    for (const r of logged()) expect(r.bytesSent).toBeLessThan(BIG.length);
    clearInterval(sampler);
    const stats = await steady.stop();
    for (const s of sockets) s.destroy();
    expect(closedAt.length).toBe(20);
    // requestTimeout (1 s) + the 100 ms sweep, or idleTimeout (1 s) with bytes queued.
    expect(Math.max(...closedAt)).toBeLessThan(3500);
    // 20 × 4 MB would be 80 MB if buffered; the socket buffers are all a slow reader may hold.
    expect((peak - rss0) / 1e6).toBeLessThan(60);
    expect(stats.failed, stats.errors.join('; ')).toBe(0);
  });
});
