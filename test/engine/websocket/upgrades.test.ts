/**
 * E13 through a real engine: WebSocket upgrades are relayed over ws:// (HTTP listener) and
 * wss:// (HTTPS listener, HTTP/2 on, the client choosing HTTP/1.1), to plain and TLS backends,
 * both directions, with the listener's idleTimeout; an upgrade to anything but WebSocket is
 * served as a plain request; the relay is one access-log record.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { buildSnapshotParts } from '../support/snapshots.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { eventually } from '../../helpers/eventually.ts';
import { RawClient } from '../support/raw-client.ts';
import { acceptKey, encodeFrame, FrameReader, newKey, type Frame } from '../support/ws-frames.ts';

const TEXT = 1;

let fx: ProxyFixture;
afterEach(async () => fx?.close());

/** echoBackend answers WebSocket upgrades at frame level, greets, and echoes every data frame. */
async function echoBackend(cert?: Issued): Promise<{ port: number; heads: string[] }> {
  const server = cert ? https.createServer({ key: cert.keyPem, cert: cert.certPem }) : http.createServer();
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    sockets.add(socket);
    heads.push(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${pairsOf(req.rawHeaders)}`);
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
    socket.write(encodeFrame(TEXT, Buffer.from('hello from backend'), false));
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) socket.write(encodeFrame(f.opcode, f.payload, false));
    });
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => res.end(`plain ${req.headers.upgrade ?? ''}`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fx.onClose(() => {
    for (const s of sockets) s.destroy();
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, heads };
}

function pairsOf(raw: string[]): string {
  let s = '';
  for (let i = 0; i < raw.length; i += 2) s += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return s;
}

/** WsClient is a frame-level WebSocket client over a raw socket. */
class WsClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<void>;
  readonly socket: net.Socket;
  private readonly reader = new FrameReader();
  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(socket: net.Socket, connectEvent: string): Promise<{ client: WsClient; statusLine: string }> {
    await once(socket, connectEvent);
    const key = newKey();
    socket.write(`GET /chat?room=1 HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const client = new WsClient(socket);
    let head = Buffer.alloc(0);
    const statusLine = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        const text = head.toString('latin1', 0, end);
        if (!text.includes(`Sec-WebSocket-Accept: ${acceptKey(key)}`) && text.startsWith('HTTP/1.1 101')) reject(new Error('bad accept'));
        client.frames.push(...client.reader.push(head.subarray(end + 4)));
        socket.on('data', (c: Buffer) => client.frames.push(...client.reader.push(c)));
        resolve(text.split('\r\n')[0]!);
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    return { client, statusLine };
  }

  send(text: string): void {
    this.socket.write(encodeFrame(TEXT, Buffer.from(text), true));
  }

  async nextText(count: number): Promise<string[]> {
    await eventually(() => expect(this.frames.length).toBeGreaterThanOrEqual(count), 3000, 25);
    return this.frames.slice(0, count).map((f) => f.payload.toString());
  }
}

describe('E13: WebSocket upgrades through a running listener', () => {
  it('ws:// through an HTTP listener: upgrade forwarded with Upgrade/Connection and X-Forwarded-For, messages both ways', async () => {
    fx = new ProxyFixture();
    const backend = await echoBackend();
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const { client, statusLine } = await WsClient.open(net.connect(fx.port('lsn-1'), '127.0.0.1'), 'connect');
    expect(statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    client.send('ping 1');
    client.send('ping 2');
    expect(await client.nextText(3)).toEqual(['hello from backend', 'ping 1', 'ping 2']);
    expect(backend.heads[0]).toMatch(/^GET \/chat\?room=1 HTTP\/1\.1\r\nHost: a\.example\r\nSec-WebSocket-Key: .+\r\nSec-WebSocket-Version: 13\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Forwarded-For: 127\.0\.0\.1\r\n$/);
    client.socket.destroy();
    await eventually(() => expect(fx.records.some((r) => r.status === 101 && r.path === '/chat?room=1')).toBe(true), 5000, 25);
  });

  it('wss:// through an HTTPS listener with HTTP/2 on, to a TLS backend (HTTPS server group)', async () => {
    fx = new ProxyFixture();
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    const backendCert = await issueCertificate({ commonName: 'backend.internal', dnsNames: ['backend.internal'] });
    const backend = await echoBackend(backendCert);
    await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf, groupProtocol: 'HTTPS' }));
    // A WebSocket client over TLS offers HTTP/1.1 (offering h2 as well would be answered with h2).
    const ws = tls.connect({ host: '127.0.0.1', port: fx.port('lsn-1'), servername: 'a.example', ca: ca.certPem, ALPNProtocols: ['http/1.1'] });
    const { client, statusLine } = await WsClient.open(ws, 'secureConnect');
    expect(statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    client.send('over wss');
    expect(await client.nextText(2)).toEqual(['hello from backend', 'over wss']);
    client.socket.destroy();
  });

  it('closes both sides after idleTimeout without traffic', async () => {
    fx = new ProxyFixture();
    const backend = await echoBackend();
    await fx.apply(buildSnapshotParts({ backends: [backend.port], listener: { idleTimeout: 1 } }));
    const { client } = await WsClient.open(net.connect(fx.port('lsn-1'), '127.0.0.1'), 'connect');
    const started = Date.now();
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('an Upgrade to something else (h2c) is served as a plain request without the Upgrade field', async () => {
    fx = new ProxyFixture();
    const backend = await echoBackend();
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    client.send('GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n');
    const r = await client.response();
    client.close();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('plain ');
  });
});
