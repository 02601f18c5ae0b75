/**
 * corpus-client: one client connection per corpus row. It writes the row's bytes exactly,
 * optionally half-closes, reads the first final response (1xx interim answers skipped, 101
 * kept) with its framing, then sends the row's follow-up bytes if the connection is still open,
 * and watches whether the proxy closes the connection and whether anything more (a second
 * response, tunnel bytes) arrives. Timings are bounded so a stalled proxy costs seconds, not
 * the run.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Connect opens one client connection to the proxy under test. */
export type Connect = () => Promise<net.Socket>;

/** ClientOutcome is what the client saw. */
export interface ClientOutcome {
  /** Status of the first final response; null when none arrived (closed, timed out, or no status line). */
  status: number | null;
  statusLine: string;
  fields: [string, string][];
  /** The response said `Connection: close`. */
  connectionClose: boolean;
  /** The proxy closed the connection before the client gave up. */
  closed: boolean;
  /** Bytes after the first final response (a second response, tunnel bytes). */
  afterResponse: Buffer;
  /** Everything received. */
  received: Buffer;
}

/** ExchangeOptions bound the exchange. */
export interface ExchangeOptions {
  halfClose?: boolean;
  then?: string;
  /** The request is HEAD: the response has no body. */
  head?: boolean;
  /** How long to wait for the first final response. */
  responseMs: number;
  /** After the response, how long to wait for the proxy to close (0: do not wait). */
  closeGraceMs: number;
  /** After the response, how long to keep reading (tunnel bytes, a second response). */
  lingerMs: number;
}

/** connectPlain opens a TCP connection to 127.0.0.1:port. */
export function connectPlain(port: number): Connect {
  return () =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
}

/** connectTls opens a TLS connection offering only HTTP/1.1 by ALPN. */
export function connectTls(port: number, servername = 'a.example'): Connect {
  return () =>
    new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
}

/** exchange runs one row's bytes over a fresh connection. */
export async function exchange(connect: Connect, raw: string | Buffer, o: ExchangeOptions): Promise<ClientOutcome> {
  const socket = await connect();
  let received = Buffer.alloc(0);
  let closed = false;
  let wake: () => void = () => {};
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    wake();
  });
  socket.on('error', () => {});
  socket.once('close', () => {
    closed = true;
    wake();
  });
  const until = async (done: () => boolean, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!done() && !closed && Date.now() < end) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, end - Date.now()));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };

  socket.write(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
  if (o.halfClose) socket.end();

  let parsed: Parsed | undefined;
  await until(() => (parsed = parseFinal(received, o.head ?? false, closed)) !== undefined, o.responseMs);
  parsed ??= parseFinal(received, o.head ?? false, true);
  if (parsed && o.then !== undefined && !closed && socket.writable) socket.write(Buffer.from(o.then, 'latin1'));
  if (parsed && o.lingerMs > 0) await until(() => false, o.lingerMs);
  if (parsed && o.closeGraceMs > 0) await until(() => closed, o.closeGraceMs);
  const wasClosed = closed;
  socket.destroy();

  const connectionClose = parsed?.fields.some(([n, v]) => n.toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(v)) ?? false;
  return {
    status: parsed?.status ?? null,
    statusLine: parsed?.statusLine ?? '',
    fields: parsed?.fields ?? [],
    connectionClose,
    closed: wasClosed,
    afterResponse: parsed ? received.subarray(parsed.end) : Buffer.alloc(0),
    received,
  };
}

interface Parsed {
  status: number;
  statusLine: string;
  fields: [string, string][];
  /** Offset just past the response. */
  end: number;
}

/** parseFinal finds the first final response (or a 101) in `buf`; undefined while incomplete. */
function parseFinal(buf: Buffer, head: boolean, ended: boolean): Parsed | undefined {
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd === -1) return undefined;
    const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
    const statusLine = lines[0]!;
    const m = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine);
    if (!m) return undefined;
    const status = Number(m[1]);
    const fields: [string, string][] = lines.slice(1).map((l) => {
      const c = l.indexOf(':');
      return [l.slice(0, c), l.slice(c + 1).trim()];
    });
    const bodyStart = headEnd + 4;
    if (status >= 100 && status < 200 && status !== 101) {
      pos = bodyStart;
      continue;
    }
    const end = bodyEnd(buf, bodyStart, fields, head || status === 101 || status === 204 || status === 304, ended);
    if (end === undefined) return undefined;
    return { status, statusLine, fields, end };
  }
}

function bodyEnd(buf: Buffer, start: number, fields: [string, string][], none: boolean, ended: boolean): number | undefined {
  if (none) return start;
  const get = (name: string) => fields.find(([n]) => n.toLowerCase() === name)?.[1];
  if (/chunked/i.test(get('transfer-encoding') ?? '')) {
    let pos = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd === -1) return ended ? buf.length : undefined;
      const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
      if (Number.isNaN(size)) return buf.length;
      if (size === 0) {
        const t = buf.indexOf('\r\n\r\n', lineEnd);
        return t === -1 ? (ended ? buf.length : undefined) : t + 4;
      }
      if (buf.length < lineEnd + 2 + size + 2) return ended ? buf.length : undefined;
      pos = lineEnd + 2 + size + 2;
    }
  }
  const cl = get('content-length');
  if (cl !== undefined) {
    const n = Number(cl);
    if (buf.length < start + n) return ended ? buf.length : undefined;
    return start + n;
  }
  return ended ? buf.length : undefined;
}
