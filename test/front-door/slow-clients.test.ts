/**
 * Slow HTTP/1 clients (SPEC E17): slowloris — 200 connections each sending one header byte
 * every 100 ms — is cut by the head deadline (shortened to 1 s here, 10 s in production) for
 * every connection, and slow readers — clients that never read a large response — are cut
 * after the stall bound (requestTimeout on the backend side, idleTimeout with bytes queued on
 * the client side; both 1 s here) while the backend can push no more than the socket buffers
 * hold, and a well-behaved client is served throughout.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshotParts } from '../engine/support/snapshots.ts';
import { okResponse } from '../engine/support/raw-backend.ts';
import { ProxyFixture } from '../engine/support/proxy-fixture.ts';
import { eventually, sleep } from '../helpers/eventually.ts';
import { SteadyClient } from './support/steady-client.ts';

const HEAD_DEADLINE_MS = 1000;
const SLOW_READERS = 8;
/** HUGE_BYTES is far more than the socket buffers between a backend and a client can hold. */
const HUGE_BYTES = 64 * 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 'w');

/**
 * PacedBackend answers `/huge` with HUGE_BYTES written only as fast as its socket drains,
 * recording how much of each such body its socket took before the connection ended; any other
 * request gets a short 200 (requests without bodies, one after another on a connection).
 */
class PacedBackend {
  readonly hugeTaken: number[] = [];
  readonly server: net.Server;
  port = 0;

  constructor() {
    this.server = net.createServer((socket) => {
      socket.on('error', () => {});
      let pending = '';
      socket.on('data', (d: Buffer) => {
        pending += d.toString('latin1');
        for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
          const line = pending.slice(0, pending.indexOf('\r\n'));
          pending = pending.slice(end + 4);
          if (line.includes('/huge')) this.sendHuge(socket);
          else socket.write(okResponse());
        }
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** settled waits until `n` huge bodies have ended (their connections closed). */
  async settled(n: number): Promise<void> {
    await eventually(() => expect(this.hugeTaken.length).toBeGreaterThanOrEqual(n), 5000, 25);
  }

  close(): void {
    this.server.close();
  }

  private sendHuge(socket: net.Socket): void {
    let taken = 0;
    let queued = 0;
    socket.once('close', () => this.hugeTaken.push(taken));
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${HUGE_BYTES}\r\n\r\n`);
    const pump = (): void => {
      while (queued < HUGE_BYTES && !socket.destroyed) {
        queued += PIECE.length;
        // The callback runs once the kernel has the piece.
        const more = socket.write(PIECE, (err) => {
          if (!err) taken += PIECE.length;
        });
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }
}

let fx: ProxyFixture;
let backend: PacedBackend;
let port = 0;

beforeAll(async () => {
  fx = new ProxyFixture({ headersTimeoutMs: HEAD_DEADLINE_MS });
  backend = new PacedBackend();
  await backend.start();
  fx.onClose(() => backend.close());
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

  it('slow readers: clients that never read a 64 MiB response are cut within the stall bound, and the backend can push no more than the socket buffers hold', async () => {
    const steady = SteadyClient.start({ port, protocol: 'http' });
    const t0 = Date.now();
    const sockets = await Promise.all(Array.from({ length: SLOW_READERS }, connect));
    // A client that does not read cannot see its connection close; the engine's log line says when it was cut.
    const logged = () => fx.records.filter((r) => r.path === '/huge');
    for (const s of sockets) {
      s.on('error', () => {});
      s.pause();
      s.write('GET /huge HTTP/1.1\r\nHost: a.example\r\n\r\n');
    }
    const end = Date.now() + 6000;
    while (logged().length < sockets.length && Date.now() < end) await sleep(50);
    const closedAt = logged().map((r) => Date.parse(r.time) + r.requestDurationMs - t0);
    const stats = await steady.stop();
    for (const s of sockets) s.destroy();
    expect(closedAt.length).toBe(SLOW_READERS);
    // requestTimeout (1 s) + the 100 ms sweep, or idleTimeout (1 s) with bytes queued.
    expect(Math.max(...closedAt)).toBeLessThan(3500);
    for (const r of logged()) expect(r.bytesSent).toBeLessThan(HUGE_BYTES);
    // Back-pressure: the engine stops reading from the backend while the client takes nothing,
    // so each backend socket got rid of only what the kernel buffers on the way can hold
    // (a few MiB each on loopback), never the whole body into the engine's memory.
    await backend.settled(SLOW_READERS);
    expect(backend.hugeTaken).toHaveLength(SLOW_READERS);
    for (const taken of backend.hugeTaken) expect(taken).toBeLessThan(HUGE_BYTES / 2);
    expect(stats.failed, stats.errors.join('; ')).toBe(0);
  });
});
