/**
 * SPEC E13: WebSocket upgrades are relayed, ws:// and wss://, both directions, with
 * idleTimeout. A real frame-level echo backend (plain or TLS) sits behind a front server that
 * uses the relay exactly as the pipeline will (ForwardedHeaders with `websocket: true`).
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ForwardedHeaders } from '../../../engine/headers/index.ts';
import { isWebSocketUpgrade, relayWebSocket, type WebSocketRelayOptions, type WebSocketRelayResult, type WebSocketTarget } from '../../../engine/websocket/index.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { forwardedConfig } from '../support/snapshots.ts';
import { FrameReader, acceptKey, encodeFrame, newKey, type Frame } from '../support/ws-frames.ts';

const TEXT = 1;
const BINARY = 2;
const CLOSE = 8;

let ca: Issued;
let cert: Issued;
beforeAll(async () => {
  ca = await createCa();
  cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, ca);
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});
afterAll(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

interface BackendOptions {
  tls?: boolean;
  /** Send one text frame right after the handshake (proves backend → client without a prompt). */
  greet?: string;
  /** Extra header lines in the 101 answer. */
  extraHead?: string;
  /** Refuse the upgrade with this raw answer instead of 101. */
  refuse?: string;
  /** Never answer the upgrade. */
  silent?: boolean;
}

/** echoBackend is a WebSocket server written at frame level: it echoes every data frame. */
async function echoBackend(options: BackendOptions = {}): Promise<{ port: number; requests: http.IncomingMessage[]; sockets: Set<net.Socket> }> {
  const server = options.tls ? https.createServer({ key: cert.keyPem, cert: cert.chainPem }) : http.createServer();
  const requests: http.IncomingMessage[] = [];
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => sockets.add(s));
  server.on('secureConnection', (s: net.Socket) => sockets.add(s));
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    requests.push(req);
    socket.on('error', () => {});
    // http.Server sockets allow half-open connections: answer the relay's FIN with ours.
    socket.on('end', () => socket.end());
    if (options.silent) return;
    if (options.refuse) return void socket.end(options.refuse);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n${options.extraHead ?? ''}\r\n`,
    );
    if (options.greet) socket.write(encodeFrame(TEXT, Buffer.from(options.greet), false));
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        if (frame.opcode === CLOSE) {
          socket.end(encodeFrame(CLOSE, frame.payload, false));
          return;
        }
        socket.write(encodeFrame(frame.opcode, frame.payload, false));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, requests, sockets };
}

/** front is the engine side: an HTTP or HTTPS server whose 'upgrade' handler relays. */
async function front(target: WebSocketTarget, options: WebSocketRelayOptions, secure = false) {
  const server = secure ? https.createServer({ key: cert.keyPem, cert: cert.chainPem }) : http.createServer();
  const results: WebSocketRelayResult[] = [];
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  const plan = new ForwardedHeaders(forwardedConfig({ proto: true }), { loadBalancerId: 'alb-ws', port, protocol: secure ? 'HTTPS' : 'HTTP' });
  const sockets = new Set<net.Socket>();
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    sockets.add(socket);
    if (!isWebSocketUpgrade(req.method, req.headers.upgrade)) return void socket.destroy();
    const headers = plan.build(req.rawHeaders, { ip: socket.remoteAddress!, port: socket.remotePort!, websocket: true });
    void relayWebSocket(socket, head, req.url!, headers, target, options, String(req.headers['sec-websocket-key'])).then((r) => results.push(r));
  });
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port, results };
}

/** WsClient is a raw WebSocket client over a TCP or TLS socket. */
class WsClient {
  head = '';
  readonly socket: net.Socket;
  private readonly reader = new FrameReader();
  private readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  private buffered = Buffer.alloc(0);
  closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    cleanups.push(() => socket.destroy());
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.head === '') {
        this.buffered = Buffer.concat([this.buffered, chunk]);
        const end = this.buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        this.head = this.buffered.subarray(0, end + 4).toString('latin1');
        chunk = this.buffered.subarray(end + 4);
      }
      this.frames.push(...this.reader.push(chunk));
      this.wake();
    });
  }

  static async connect(port: number, secure: boolean, path = '/chat?room=1', extra = ''): Promise<WsClient> {
    const socket = secure ? tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.certPem }) : net.connect({ host: '127.0.0.1', port });
    await once(socket, secure ? 'secureConnect' : 'connect');
    const client = new WsClient(socket);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n` +
        `Sec-WebSocket-Key: ${newKey()}\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: 9.9.9.9\r\nKeep-Alive: timeout=5\r\n${extra}\r\n`,
    );
    await client.until(() => client.head !== '' || client.closed);
    return client;
  }

  send(opcode: number, payload: Buffer): void {
    this.socket.write(encodeFrame(opcode, payload, true));
  }

  async next(): Promise<Frame> {
    await this.until(() => this.frames.length > 0 || this.closed);
    const frame = this.frames.shift();
    if (!frame) throw new Error('connection closed without a frame');
    return frame;
  }

  until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting')), timeoutMs);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const RELAY: WebSocketRelayOptions = { idleTimeoutMs: 15_000, responseTimeoutMs: 5_000 };

describe.each([
  { name: 'ws:// to a plain backend', frontTls: false, backendTls: false },
  { name: 'wss:// to a plain backend', frontTls: true, backendTls: false },
  { name: 'wss:// to a TLS backend (HTTPS server group)', frontTls: true, backendTls: true },
  { name: 'ws:// to a TLS backend', frontTls: false, backendTls: true },
])('$name', ({ frontTls, backendTls }) => {
  it('relays the handshake and messages both ways, and closes cleanly', async () => {
    const backend = await echoBackend({ tls: backendTls, greet: 'hello from backend' });
    const { port, results } = await front({ address: '127.0.0.1', port: backend.port, tls: backendTls }, RELAY, frontTls);
    const client = await WsClient.connect(port, frontTls);
    expect(client.head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');

    const greeting = await client.next();
    expect(greeting.payload.toString()).toBe('hello from backend');

    client.send(TEXT, Buffer.from('ping 1'));
    expect((await client.next()).payload.toString()).toBe('ping 1');
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    client.send(BINARY, big);
    const echoed = await client.next();
    expect(echoed.opcode).toBe(BINARY);
    expect(echoed.payload.equals(big)).toBe(true);

    client.send(CLOSE, Buffer.from([0x03, 0xe8]));
    expect((await client.next()).opcode).toBe(CLOSE);
    await client.until(() => client.closed);
    await new Promise<void>((resolve) => {
      const poll = () => (results.length > 0 ? resolve() : setTimeout(poll, 10));
      poll();
    });
    expect(results[0]).toMatchObject({ status: 101 });
    expect(results[0]!.bytesFromClient).toBeGreaterThan(300_000);
    expect(results[0]!.bytesToClient).toBeGreaterThan(300_000);
  });
});

describe('relay details', () => {
  it('the backend receives the forwarded upgrade request: Upgrade kept, hop-by-hop gone, X-Forwarded-For appended', async () => {
    const backend = await echoBackend();
    const { port } = await front({ address: '127.0.0.1', port: backend.port, tls: false }, RELAY);
    const client = await WsClient.connect(port, false, '/socket?x=1');
    expect(client.head).toContain('101');
    const req = backend.requests[0]!;
    expect(req.url).toBe('/socket?x=1');
    expect(req.headers.upgrade).toBe('websocket');
    expect(req.headers.connection).toBe('Upgrade');
    expect(req.headers['keep-alive']).toBeUndefined();
    expect(req.headers['x-forwarded-for']).toBe('9.9.9.9, 127.0.0.1');
    expect(req.headers['x-forwarded-proto']).toBe('http');
    expect(req.headers['sec-websocket-version']).toBe('13');
    expect(req.rawHeaders).toContain('X-Forwarded-For');
  });

  it('a 101 with Transfer-Encoding reaches the client without it', async () => {
    const backend = await echoBackend({ extraHead: 'Transfer-Encoding: chunked\r\nX-Backend: yes\r\n' });
    const { port } = await front({ address: '127.0.0.1', port: backend.port, tls: false }, RELAY);
    const client = await WsClient.connect(port, false);
    expect(client.head.toLowerCase()).not.toContain('transfer-encoding');
    expect(client.head).toContain('X-Backend: yes');
    client.send(TEXT, Buffer.from('still framed'));
    expect((await client.next()).payload.toString()).toBe('still framed');
  });

  it('a refused upgrade is passed on, marked Connection: close, and ends', async () => {
    const backend = await echoBackend({ refuse: 'HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\nConnection: keep-alive\r\n\r\nno way' });
    const { port, results } = await front({ address: '127.0.0.1', port: backend.port, tls: false }, RELAY);
    const client = await WsClient.connect(port, false);
    expect(client.head.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(client.head).toContain('Connection: close');
    expect(client.head).not.toContain('keep-alive');
    await client.until(() => client.closed);
    await new Promise((r) => setTimeout(r, 50));
    expect(results[0]!.status).toBe(403);
  });

  it('a backend that refuses the connection gives 502 and closes', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { port, results } = await front({ address: '127.0.0.1', port: deadPort, tls: false }, RELAY);
    const client = await WsClient.connect(port, false);
    expect(client.head.split('\r\n')[0]).toBe('HTTP/1.1 502 Bad Gateway');
    expect(client.head).toContain('Connection: close');
    await client.until(() => client.closed);
    await new Promise((r) => setTimeout(r, 50));
    expect(results[0]).toMatchObject({ status: 502, reason: 'refused' });
  });

  it('a backend that never answers the upgrade gives 504 after the response timeout', async () => {
    const backend = await echoBackend({ silent: true });
    const { port } = await front({ address: '127.0.0.1', port: backend.port, tls: false }, { idleTimeoutMs: 10_000, responseTimeoutMs: 300 });
    const started = Date.now();
    const client = await WsClient.connect(port, false);
    expect(client.head.split('\r\n')[0]).toBe('HTTP/1.1 504 Gateway Timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await client.until(() => client.closed);
  });

  it('idle timeout: no bytes either way closes both sides; traffic in either direction keeps it open', async () => {
    const backend = await echoBackend();
    const { port, results } = await front({ address: '127.0.0.1', port: backend.port, tls: false }, { idleTimeoutMs: 400, responseTimeoutMs: 5000 });
    const client = await WsClient.connect(port, false);
    // Keep it busy for well over the idle timeout: it must stay open.
    let quietFrom = 0;
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 150));
      client.send(TEXT, Buffer.from(`keepalive ${i}`));
      expect((await client.next()).payload.toString()).toBe(`keepalive ${i}`);
      quietFrom = Date.now();
    }
    expect(client.closed).toBe(false);
    await client.until(() => client.closed, 5000);
    const quietFor = Date.now() - quietFrom;
    expect(quietFor).toBeGreaterThanOrEqual(300);
    expect(quietFor).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 50));
    expect(results[0]!.reason).toBe('idle');
    // The backend side was closed too.
    await new Promise<void>((resolve) => {
      const poll = () => ([...backend.sockets].every((s) => s.destroyed) ? resolve() : setTimeout(poll, 10));
      poll();
    });
  });

  it('isWebSocketUpgrade accepts only GET with a websocket token', () => {
    expect(isWebSocketUpgrade('GET', 'websocket')).toBe(true);
    expect(isWebSocketUpgrade('GET', 'WebSocket')).toBe(true);
    expect(isWebSocketUpgrade('GET', 'foo/1, websocket')).toBe(true);
    expect(isWebSocketUpgrade('POST', 'websocket')).toBe(false);
    expect(isWebSocketUpgrade('GET', 'h2c')).toBe(false);
    expect(isWebSocketUpgrade('GET', undefined)).toBe(false);
  });
});
