/**
 * RawBackend: a TCP (or TLS) backend that records the exact bytes of every request it
 * receives — request line, header case and order, body framing — so tests assert what crossed
 * the proxy, not what a parser made of it. It frames requests itself (Content-Length or
 * chunked) to serve several on a kept-alive connection, and answers with whatever the test's
 * responder returns: raw bytes, a delay, silence, a close or a reset.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Recorded is one request as it arrived. */
export interface Recorded {
  /** Request line and fields, up to and excluding the empty line. */
  head: string;
  /** Body bytes as framed on the wire (chunk sizes included when chunked). */
  rawBody: Buffer;
  /** The decoded body. */
  body: Buffer;
  /** Which backend connection carried it (1, 2, …). */
  connection: number;
  /** The request line. */
  requestLine: string;
  /** Field lines as [name, value] with the case they arrived in. */
  fields: [string, string][];
}

/** Reply says how to answer one request; the texts `hang`, `close` and `reset` are actions, not replies. */
export type Reply =
  | string
  | Buffer
  | { delayMs: number; reply: string | Buffer }
  | { chunks: (string | Buffer)[]; gapMs: number; close?: boolean };

/** Responder decides the reply to a request. */
export type Responder = (req: Recorded) => Reply;

/** okResponse is a minimal HTTP/1.1 200 with a body. */
export function okResponse(body = 'ok', extra = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** RawBackend is a running recording backend. */
export class RawBackend {
  readonly requests: Recorded[] = [];
  port = 0;
  /** Connections accepted so far. */
  connections = 0;
  responder: Responder;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(responder: Responder, tlsOptions?: tls.TlsOptions) {
    this.responder = responder;
    const onSocket = (socket: net.Socket) => this.serve(socket);
    this.server = tlsOptions ? tls.createServer(tlsOptions, onSocket) : net.createServer(onSocket);
  }

  /** start listens on 127.0.0.1 (port 0) and resolves once bound. */
  static async start(responder: Responder = () => okResponse(), tlsOptions?: tls.TlsOptions): Promise<RawBackend> {
    const b = new RawBackend(responder, tlsOptions);
    await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
    b.port = (b.server.address() as net.AddressInfo).port;
    return b;
  }

  /** waitForRequests resolves once `n` requests have arrived (bounded). */
  async waitForRequests(n: number, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > end) throw new Error(`backend saw ${this.requests.length} requests, expected ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** stop closes the listening socket (new connections are refused) but keeps open ones. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** down closes the listening socket and every connection: the backend is gone (connections refused). */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await this.stop();
  }

  /** up listens again on the same port. */
  async up(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  /** close ends everything. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await this.stop();
  }

  private serve(socket: net.Socket): void {
    const id = ++this.connections;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let busy = false;
    const pump = () => {
      if (busy) return;
      const parsed = parseRequest(buf, id);
      if (parsed === undefined) return;
      buf = buf.subarray(parsed.consumed);
      this.requests.push(parsed.request);
      busy = true;
      this.answer(socket, parsed.request, () => {
        busy = false;
        pump();
      });
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      pump();
    });
  }

  private answer(socket: net.Socket, req: Recorded, done: () => void): void {
    const reply = this.responder(req);
    if (reply === 'hang') return;
    if (reply === 'close') {
      socket.end();
      return;
    }
    if (reply === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
      socket.write(reply);
      if (/ HTTP\/1\.0$/.test(req.requestLine)) socket.end();
      done();
      return;
    }
    if ('delayMs' in reply) {
      setTimeout(() => {
        if (!socket.destroyed) socket.write(reply.reply);
        if (/ HTTP\/1\.0$/.test(req.requestLine)) socket.end();
        done();
      }, reply.delayMs);
      return;
    }
    let i = 0;
    const next = () => {
      if (socket.destroyed) return;
      if (i >= reply.chunks.length) {
        if (reply.close) socket.end();
        done();
        return;
      }
      socket.write(reply.chunks[i++]!);
      setTimeout(next, reply.gapMs);
    };
    next();
  }
}

/** parseRequest frames one request at the start of `buf`; undefined when incomplete. */
function parseRequest(buf: Buffer, connection: number): { request: Recorded; consumed: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const head = buf.toString('latin1', 0, end);
  const lines = head.split('\r\n');
  const fields: [string, string][] = lines.slice(1).map((l) => {
    const c = l.indexOf(':');
    return [l.slice(0, c), l.slice(c + 1).trim()];
  });
  const field = (name: string) => fields.find(([n]) => n.toLowerCase() === name)?.[1];
  let pos = end + 4;
  let body = Buffer.alloc(0);
  const te = field('transfer-encoding');
  if (te !== undefined && /chunked/i.test(te)) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd === -1) return undefined;
      const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) {
        const trailerEnd = buf.indexOf('\r\n', lineEnd + 2);
        if (trailerEnd === -1) return undefined;
        pos = trailerEnd + 2;
        break;
      }
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(field('content-length') ?? 0);
    if (buf.length < pos + length) return undefined;
    body = Buffer.from(buf.subarray(pos, pos + length));
    pos += length;
  }
  return {
    request: { head, rawBody: Buffer.from(buf.subarray(end + 4, pos)), body, connection, requestLine: lines[0]!, fields },
    consumed: pos,
  };
}
