/**
 * H2RawClient: one TLS connection (ALPN h2) that writes exact frames and reads what comes
 * back — GOAWAY (last stream, code, when), RST_STREAMs, responses, closes — so an attack is
 * sent byte for byte and its answer timed. It can stop reading the socket to play a client
 * that never drains anything (then the server's writes pile up in its own buffers, which is
 * what a flood of ACKs or a zero-window reader tries to exploit).
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import {
  Flag,
  FrameReader,
  FrameType,
  PREFACE,
  errorName,
  headersFrame,
  requestBlock,
  settingsFrame,
  type ReceivedFrame,
} from './h2-frames.ts';

/** GoawayInfo is the GOAWAY the server sent. */
export interface GoawayInfo {
  lastStreamId: number;
  code: number;
  codeName: string;
  /** ms after the connection was set up. */
  atMs: number;
}

/** H2RawOptions shape the connection. */
export interface H2RawOptions {
  servername?: string;
  /** SETTINGS sent with the preface (default: none). */
  settings?: readonly (readonly [number, number])[];
  /** Acknowledge the server's SETTINGS (default true; nghttp2 enforces its limits once they are acknowledged). */
  ackSettings?: boolean;
}

/** H2RawClient is one raw HTTP/2 connection. */
export class H2RawClient {
  readonly socket: tls.TLSSocket;
  /** The TCP connection under TLS (for a reset: TLS sockets cannot send one). */
  readonly tcp: net.Socket;
  /** Resolves with the server's GOAWAY (never rejects; stays pending without one). */
  readonly goaway: Promise<GoawayInfo>;
  /** Resolves when the connection closed, with ms since setup. */
  readonly closed: Promise<number>;
  /** Frames received, by type. */
  readonly counts = new Map<number, number>();
  /** Streams the server reset, with their codes. */
  readonly resets = new Map<number, number>();
  /** Streams whose response HEADERS arrived, with the :status (first byte of an indexed :status is decoded roughly). */
  readonly responded = new Set<number>();
  /** Streams that ended (END_STREAM seen). */
  readonly ended = new Set<number>();
  goawayInfo: GoawayInfo | undefined;
  isClosed = false;
  private readonly startedAt: number;
  private readonly reader = new FrameReader();
  private nextId = 1;
  private readonly ackSettings: boolean;

  private constructor(socket: tls.TLSSocket, tcp: net.Socket, options: H2RawOptions) {
    this.socket = socket;
    this.tcp = tcp;
    this.startedAt = performance.now();
    this.ackSettings = options.ackSettings ?? true;
    let resolveGoaway!: (g: GoawayInfo) => void;
    this.goaway = new Promise((r) => (resolveGoaway = r));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve(this.elapsedMs());
      }),
    );
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) this.onFrame(f, resolveGoaway);
    });
  }

  /** connect completes TLS with ALPN h2 and sends the preface and SETTINGS. */
  static async connect(port: number, options: H2RawOptions = {}): Promise<H2RawClient> {
    const tcp = net.connect(port, '127.0.0.1');
    tcp.on('error', () => {});
    const socket = tls.connect({ socket: tcp, servername: options.servername ?? 'a.example', ALPNProtocols: ['h2'], rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      throw new Error(`server chose ALPN ${String(socket.alpnProtocol)}, not h2`);
    }
    const client = new H2RawClient(socket, tcp, options);
    socket.write(Buffer.concat([PREFACE, settingsFrame(options.settings ?? [])]));
    return client;
  }

  /** elapsedMs is the time since setup. */
  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** streamId reserves the next client stream id (odd, increasing). */
  streamId(): number {
    const id = this.nextId;
    this.nextId += 2;
    return id;
  }

  /** send writes frames; false once the socket cannot take more (the caller should wait for drain or stop). */
  send(...frames: Buffer[]): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  /** drained waits until the socket's write buffer has room (or it closed). */
  drained(): Promise<void> {
    if (this.socket.destroyed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** request opens a stream with a GET for `path` and returns its id. */
  request(path = '/'): number {
    const id = this.streamId();
    this.send(headersFrame(id, requestBlock(path)));
    return id;
  }

  /** stopReading pauses the socket: nothing more is read from the kernel (the server's writes back up). */
  stopReading(): void {
    this.socket.pause();
  }

  /** waitFor resolves when `pred` holds, the connection closed, or the time is up; true if `pred` held. */
  async waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (!pred()) {
      if (this.isClosed || performance.now() > end) return pred();
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  /** goawayOrClose resolves with the GOAWAY (or undefined on a plain close) and when it happened, or undefined at the timeout. */
  async goawayOrClose(timeoutMs: number): Promise<{ goaway: GoawayInfo | undefined; atMs: number } | undefined> {
    const timer = new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref());
    const seen = await Promise.race([this.goaway.then((g) => ({ goaway: g, atMs: g.atMs })), this.closed.then((atMs) => ({ goaway: this.goawayInfo, atMs })), timer]);
    return seen;
  }

  /** close destroys the connection. */
  close(): void {
    this.socket.destroy();
  }

  /** reset ends the connection with a TCP RST. */
  reset(): void {
    if (!this.tcp.destroyed) this.tcp.resetAndDestroy();
  }

  private onFrame(f: ReceivedFrame, resolveGoaway: (g: GoawayInfo) => void): void {
    this.counts.set(f.type, (this.counts.get(f.type) ?? 0) + 1);
    switch (f.type) {
      case FrameType.SETTINGS:
        if ((f.flags & Flag.ACK) === 0 && this.ackSettings) this.send(settingsFrame([], true));
        break;
      case FrameType.GOAWAY: {
        const code = f.payload.readUInt32BE(4);
        const g = { lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff, code, codeName: errorName(code), atMs: this.elapsedMs() };
        this.goawayInfo ??= g;
        resolveGoaway(g);
        break;
      }
      case FrameType.RST_STREAM:
        this.resets.set(f.streamId, f.payload.readUInt32BE(0));
        break;
      case FrameType.HEADERS:
        this.responded.add(f.streamId);
        if (f.flags & Flag.END_STREAM) this.ended.add(f.streamId);
        break;
      case FrameType.DATA:
        if (f.flags & Flag.END_STREAM) this.ended.add(f.streamId);
        break;
    }
  }
}
