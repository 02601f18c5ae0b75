/**
 * Support for QUIC listener tests: snapshots with QUIC listeners, an HTTP/3 client (the QUIC
 * library's own, a peer independent of the engine's HTTP/3 layer), `gtlsclient` (ngtcp2) and
 * a raw QUIC client for hostile input.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { EngineSnapshot, SnapshotListener, SnapshotQuicListener } from '../../../schema/snapshot.ts';
import type { Issued } from '../../helpers/pki.ts';
import { buildSnapshot, LB_ID, serverCertificate, serverGroup } from '../support/snapshots.ts';

const require = createRequire(import.meta.url);

/** H3 is the slice of the QUIC library tests call. */
export interface H3Library {
  connectAsync(authority: string, options: Record<string, unknown>): Promise<H3ClientSession>;
  connectQuicAsync(authority: string, options: Record<string, unknown>): Promise<RawQuicSession>;
}
/** H3ClientSession is the library's HTTP/3 client session. */
export interface H3ClientSession {
  request(headers: Record<string, string>, options?: { endStream?: boolean }): H3ClientStream;
  close(code?: number, reason?: string): Promise<void>;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
/** H3ClientStream is one request of it. */
export interface H3ClientStream extends NodeJS.ReadWriteStream {
  on(event: string, listener: (...args: never[]) => void): this;
  end(chunk?: unknown): this;
}
/** RawQuicSession is a raw QUIC client session. */
export interface RawQuicSession {
  openStream(): RawQuicStream;
  close(code?: number, reason?: string): Promise<void>;
  on(event: 'close', listener: (info: { errorCode: number; reason: string }) => void): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  readonly closed: boolean;
}
/** RawQuicStream is one stream of it. */
export interface RawQuicStream extends NodeJS.ReadWriteStream {
  readonly id: number;
  on(event: string, listener: (...args: never[]) => void): this;
  end(chunk?: unknown): this;
}

/** h3Library loads the QUIC library. */
export function h3Library(): H3Library {
  return require('@currentspace/http3') as H3Library;
}

/** quicListener is a QUIC listener with defaults; port 0 lets the system choose. */
export function quicListener(id: string, groupId: string, certId: string, overrides: Partial<SnapshotQuicListener> = {}): SnapshotQuicListener {
  return {
    id,
    version: 1,
    loadBalancerId: LB_ID,
    port: 0,
    defaultServerGroupId: groupId,
    idleTimeout: 15,
    requestTimeout: 60,
    defaultCertificateId: certId,
    additionalCertificateIds: [],
    ...overrides,
  };
}

/** QuicSnapshotOptions choose a snapshot with one QUIC listener `lsn-q` in front of `sgp-1`. */
export interface QuicSnapshotOptions {
  backends: number[];
  cert: Issued;
  version?: number;
  quic?: Partial<SnapshotQuicListener>;
  listeners?: SnapshotListener[];
  extraCertificates?: { id: string; issued: Issued }[];
}

/** quicSnapshot builds it. */
export function quicSnapshot(o: QuicSnapshotOptions): EngineSnapshot {
  const base = buildSnapshot({
    version: o.version ?? 1,
    listeners: o.listeners ?? [],
    serverGroups: [serverGroup('sgp-1', o.backends.map((port) => ({ port })))],
    certificates: [serverCertificate('cert-1', o.cert, ['localhost']), ...(o.extraCertificates ?? []).map((c) => serverCertificate(c.id, c.issued, ['localhost']))],
  });
  return Object.freeze({ ...base, quicListeners: [quicListener('lsn-q', 'sgp-1', 'cert-1', o.quic)] });
}

/** H3Reply is what an HTTP/3 request got. */
export interface H3Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** h3Get sends one request over a session and reads the whole answer. */
export function h3Request(session: H3ClientSession, port: number, path = '/', extra: Record<string, string> = {}, body?: string, timeoutMs = 10_000): Promise<H3Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ':method': body === undefined ? 'GET' : 'POST', ':path': path, ':authority': `localhost:${port}`, ':scheme': 'https', ...extra };
    const stream = session.request(headers, { endStream: body === undefined });
    const timer = setTimeout(() => reject(new Error(`no HTTP/3 answer within ${timeoutMs} ms`)), timeoutMs);
    let status = 0;
    let got: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h: Record<string, string | string[]>) => {
      status = Number(h[':status']);
      got = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ status, headers: got, body: Buffer.concat(chunks).toString() });
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    if (body !== undefined) stream.end(body);
  });
}

/** h3Connect opens an HTTP/3 session to 127.0.0.1:port, trusting any certificate. */
export function h3Connect(port: number): Promise<H3ClientSession> {
  return h3Library().connectAsync(`127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost', connectTimeoutMs: 5000 });
}

/** rawConnect opens a raw QUIC session with ALPN h3, for hostile input. */
export function rawConnect(port: number): Promise<RawQuicSession> {
  return h3Library().connectQuicAsync(`127.0.0.1:${port}`, { alpn: ['h3'], rejectUnauthorized: false, servername: 'localhost', connectTimeoutMs: 5000 });
}

/** gtlsclientAvailable tells whether ngtcp2's client is installed (Debian ngtcp2-client). */
export const GTLSCLIENT = '/usr/bin/gtlsclient';

/** GtlsReply is what gtlsclient printed (its debug log names the response fields) and downloaded. */
export interface GtlsReply {
  code: number | null;
  /** The debug log (stdout and stderr). */
  log: string;
  /** The response body it saved, undefined when none was saved. */
  body: string | undefined;
}

/** gtlsclient fetches `https://localhost:<port><path>` from 127.0.0.1 (path: one segment, e.g. `/page`). */
export async function gtlsclient(port: number, path: string, timeoutMs = 15_000): Promise<GtlsReply> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-gtls-'));
  try {
    const { code, log } = await new Promise<{ code: number | null; log: string }>((resolve) => {
      execFile(GTLSCLIENT, ['--exit-on-all-streams-close', `--download=${dir}`, '127.0.0.1', String(port), `https://localhost:${port}${path}`], { timeout: timeoutMs, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, log: stdout + stderr });
      });
    });
    const file = join(dir, path.slice(path.lastIndexOf('/') + 1) || 'index.html');
    return { code, log, body: existsSync(file) ? readFileSync(file, 'utf8') : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** boundUdpPorts lists the local ports of this host's IPv4 UDP sockets (/proc/net/udp). */
export function boundUdpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    if (local !== undefined) ports.add(Number.parseInt(local.split(':')[1]!, 16));
  }
  return ports;
}

/** udpPortFree tells whether a test socket can bind 127.0.0.1:port (then releases it). */
export function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** waitFor polls `check` every 50 ms until it holds or `timeoutMs` passed; returns whether it held. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
