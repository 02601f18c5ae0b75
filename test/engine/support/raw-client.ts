/**
 * RawClient: a client that writes exact bytes to a listener (plain or TLS) and reads responses
 * one by one with their framing, so tests can send malformed heads, HTTP/1.0, pipelined or
 * kept-alive requests and see exactly what came back and whether the connection closed.
 */
import net from 'node:net';
import tls from 'node:tls';

/** RawResponse is one parsed response. */
export interface RawResponse {
  status: number;
  statusLine: string;
  /** Fields with their case, in order. */
  fields: [string, string][];
  body: Buffer;
  /** Convenience: first value of a field by lower-case name. */
  header(name: string): string | undefined;
}

/** RawClient is one connection. */
export class RawClient {
  readonly socket: net.Socket;
  /** Resolves when the connection is closed (with the time since connect). */
  readonly closed: Promise<number>;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  private readonly startedAt = Date.now();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve(Date.now() - this.startedAt);
      }),
    );
  }

  /** connect opens a plain TCP connection. */
  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** connectTls opens a TLS connection offering HTTP/1.1 only. */
  static async connectTls(port: number, options: tls.ConnectionOptions = {}): Promise<RawClient> {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** isClosed tells whether the connection has closed. */
  get isClosed(): boolean {
    return this.ended;
  }

  /** send writes bytes. */
  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** response reads the next response (bounded); `head` says the request was HEAD. */
  async response(timeoutMs = 5000, head = false): Promise<RawResponse> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.tryParse(head);
      if (parsed !== undefined) return parsed;
      if (this.ended) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms; have: ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** text waits for the connection to close (or `waitMs`) and returns everything received. */
  async text(waitMs = 5000): Promise<{ text: string; closed: boolean }> {
    const closed = await Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs))]);
    return { text: this.buf.toString('latin1'), closed };
  }

  /** close destroys the connection. */
  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private tryParse(head: boolean): RawResponse | undefined {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const lines = this.buf.toString('latin1', 0, end).split('\r\n');
    const statusLine = lines[0]!;
    const status = Number(statusLine.slice(9, 12));
    const fields: [string, string][] = lines.slice(1).map((l) => {
      const c = l.indexOf(':');
      return [l.slice(0, c), l.slice(c + 1).trim()];
    });
    const get = (name: string) => fields.find(([n]) => n.toLowerCase() === name)?.[1];
    let pos = end + 4;
    let body: Buffer;
    if (head || status === 204 || status === 304 || status < 200) {
      body = Buffer.alloc(0);
    } else if (/chunked/i.test(get('transfer-encoding') ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', pos);
        if (lineEnd === -1) return undefined;
        const size = parseInt(this.buf.toString('latin1', pos, lineEnd), 16);
        if (this.buf.length < lineEnd + 2 + size + 2) return undefined;
        if (size === 0) {
          const t = this.buf.indexOf('\r\n', lineEnd + 2);
          if (t === -1) return undefined;
          pos = t + 2;
          break;
        }
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        pos = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (get('content-length') !== undefined) {
      const length = Number(get('content-length'));
      if (this.buf.length < pos + length) return undefined;
      body = Buffer.from(this.buf.subarray(pos, pos + length));
      pos += length;
    } else {
      if (!this.ended) return undefined;
      body = Buffer.from(this.buf.subarray(pos));
      pos = this.buf.length;
    }
    this.buf = this.buf.subarray(pos);
    return { status, statusLine, fields, body, header: get };
  }
}

/** askBodies sends `count` GETs (`/0`, `/1`, …) over one kept-alive connection and returns the response bodies. */
export async function askBodies(port: number, count: number, extra = ''): Promise<string[]> {
  const client = await RawClient.connect(port);
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    client.send(`GET /${i} HTTP/1.1\r\nHost: a\r\n${extra}\r\n`);
    seen.push((await client.response()).body.toString());
  }
  client.close();
  return seen;
}
