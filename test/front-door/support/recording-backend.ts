/**
 * RecordingBackend: the backend behind the front-door corpus. It keeps every byte every
 * connection delivered — not only the requests it could frame — so a run can tell "nothing
 * reached the backend" (no connection, no byte), "a cut request reached it" (bytes, no complete
 * request, connection closed by the proxy) and "a smuggled request reached it" (the marker's
 * bytes anywhere). It answers 200 to ordinary requests and, for WebSocket upgrades to
 * `/ws/<answer>`, what the corpus row asks for; after any 101 it stops framing and records the
 * rest of the connection as tunnel bytes, as a real backend that switched protocols would.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Recorded } from '../corpus/types.ts';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** TUNNEL_GREETING is what the backend writes into an accepted tunnel right after its 101. */
export const TUNNEL_GREETING = 'tunnel-hello';

/** BackendMark is a point in the backend's history; `since` reports what came after it. */
export interface BackendMark {
  requests: number;
  chunks: number;
  connections: number;
}

/** BackendActivity is what the backend saw after a mark. */
export interface BackendActivity {
  requests: Recorded[];
  /** Every byte received, on any connection, in arrival order. */
  bytes: Buffer;
  newConnections: number;
  /** Connections holding bytes that form no complete request and that are still open. */
  partialOpen: number;
}

interface Conn {
  socket: net.Socket;
  received: number;
  consumed: number;
  closed: boolean;
  tunnel: boolean;
}

/** RecordingBackend is a running recording backend (plain TCP, or TLS when given options). */
export class RecordingBackend {
  readonly requests: Recorded[] = [];
  readonly chunks: { connection: number; data: Buffer }[] = [];
  connections = 0;
  port = 0;
  private readonly server: net.Server;
  private readonly conns = new Map<number, Conn>();

  private constructor(tlsOptions?: tls.TlsOptions) {
    const onSocket = (socket: net.Socket) => this.serve(socket);
    this.server = tlsOptions ? tls.createServer(tlsOptions, onSocket) : net.createServer(onSocket);
  }

  /** start listens on 127.0.0.1 (an ephemeral port unless given). */
  static async start(port = 0): Promise<RecordingBackend> {
    const b = new RecordingBackend();
    await new Promise<void>((resolve, reject) => {
      b.server.once('error', reject);
      b.server.listen(port, '127.0.0.1', resolve);
    });
    b.port = (b.server.address() as net.AddressInfo).port;
    return b;
  }

  /** mark remembers where the history stands now. */
  mark(): BackendMark {
    return { requests: this.requests.length, chunks: this.chunks.length, connections: this.connections };
  }

  /** since reports what arrived after a mark. */
  since(m: BackendMark): BackendActivity {
    let partialOpen = 0;
    for (const c of this.conns.values()) if (!c.closed && !c.tunnel && c.received > c.consumed) partialOpen++;
    return {
      requests: this.requests.slice(m.requests),
      bytes: Buffer.concat(this.chunks.slice(m.chunks).map((c) => c.data)),
      newConnections: this.connections - m.connections,
      partialOpen,
    };
  }

  /** close ends every connection and the listening socket. */
  async close(): Promise<void> {
    for (const c of this.conns.values()) c.socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    const id = ++this.connections;
    const conn: Conn = { socket, received: 0, consumed: 0, closed: false, tunnel: false };
    this.conns.set(id, conn);
    socket.on('error', () => {});
    socket.on('close', () => {
      conn.closed = true;
      // Keep only what still matters for `partialOpen`: nothing, once closed.
      this.conns.delete(id);
    });
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      this.chunks.push({ connection: id, data: d });
      conn.received += d.length;
      if (conn.tunnel) {
        conn.consumed = conn.received;
        return;
      }
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const parsed = frameRequest(buf, id);
        if (parsed === undefined) return;
        buf = buf.subarray(parsed.request.wireLength);
        conn.consumed += parsed.request.wireLength;
        this.requests.push(parsed.request);
        if (this.answer(socket, parsed.request)) {
          conn.tunnel = true;
          conn.consumed = conn.received;
          return;
        }
      }
    });
  }

  /** answer replies to one request; true when the connection switched protocols. */
  private answer(socket: net.Socket, r: Recorded): boolean {
    const field = (name: string) => r.fields.find(([n]) => n.toLowerCase() === name)?.[1];
    const path = r.requestLine.split(' ')[1] ?? '';
    const ws = /^\/ws\/([a-z0-9-]+)/.exec(path)?.[1];
    if (ws !== undefined && /websocket/i.test(field('upgrade') ?? '')) {
      const accept = createHash('sha1').update(`${field('sec-websocket-key') ?? ''}${WS_GUID}`).digest('base64');
      const switching = (lines: string[]) => {
        socket.write(`HTTP/1.1 101 Switching Protocols\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n${TUNNEL_GREETING}`);
        return true;
      };
      switch (ws) {
        case 'ok':
          return switching(['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`]);
        case 'no-accept':
          return switching(['Upgrade: websocket', 'Connection: Upgrade']);
        case 'wrong-accept':
          return switching(['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=']);
        case 'no-upgrade':
          return switching(['Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`]);
        case '426':
          socket.write('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n');
          return false;
        default:
          socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
          return false;
      }
    }
    const head = r.requestLine.startsWith('HEAD ');
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n${head ? '' : 'ok'}`);
    if (r.requestLine.endsWith(' HTTP/1.0')) socket.end();
    return false;
  }
}

/** frameRequest frames one request at the start of `buf` (Content-Length or chunked); undefined when incomplete. */
function frameRequest(buf: Buffer, connection: number): { request: Recorded } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const fields: [string, string][] = lines.slice(1).map((l) => {
    const c = l.indexOf(':');
    return c === -1 ? [l, ''] : [l.slice(0, c), l.slice(c + 1).trim()];
  });
  const field = (name: string) => fields.find(([n]) => n.toLowerCase() === name)?.[1];
  let pos = end + 4;
  let body: Buffer;
  if (/chunked/i.test(field('transfer-encoding') ?? '')) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd === -1) return undefined;
      const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
      if (Number.isNaN(size)) return undefined;
      if (size === 0) {
        // Trailer lines up to the empty line.
        let t = lineEnd + 2;
        for (;;) {
          const e = buf.indexOf('\r\n', t);
          if (e === -1) return undefined;
          if (e === t) {
            pos = e + 2;
            break;
          }
          t = e + 2;
        }
        break;
      }
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(field('content-length') ?? 0);
    const n = Number.isSafeInteger(length) && length >= 0 ? length : 0;
    if (buf.length < pos + n) return undefined;
    body = Buffer.from(buf.subarray(pos, pos + n));
    pos += n;
  }
  const request: Recorded = {
    requestLine: lines[0]!,
    fields,
    rawBody: Buffer.from(buf.subarray(end + 4, pos)),
    body,
    wireLength: pos,
    connection,
  };
  return { request };
}
