/**
 * Test support for requests written byte for byte on a raw socket, so that no client library
 * normalises the path, fixes the head or re-encodes the body before the server sees it.
 */
import { connect } from 'node:net';

/** RawReply is what came back on the socket before it closed. */
export interface RawReply {
  /** Status code of the first response, 0 when none arrived. */
  status: number;
  headers: Record<string, string>;
  /** The first response's body, parsed when it is JSON. */
  body: any;
  /** Everything the server wrote. */
  raw: string;
  /** Milliseconds from connecting until the server closed the connection (or the wait ended). */
  elapsedMs: number;
  /** Whether the server closed (or reset) the connection within the wait. */
  closed: boolean;
}

/** RawOptions steer one exchange. */
export interface RawOptions {
  /** Half-close after writing (default true: the request is all there is). */
  end?: boolean;
  /** Give up waiting for the close after this long (default 10 s). */
  waitMs?: number;
}

/**
 * rawExchange connects to 127.0.0.1:port, writes `data` and collects what comes back until the
 * server closes the connection or `waitMs` passes; it always settles and always frees the socket.
 */
export function rawExchange(port: number, data: string | Buffer, options: RawOptions = {}): Promise<RawReply> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseReply(Buffer.concat(chunks).toString('latin1'), Date.now() - started, closed));
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 10_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', () => finish(true));
    // A reset after the answer (the server stops reading an oversized body) still counts as a close.
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      if (data.length > 0) socket.write(data);
      if (options.end !== false) socket.end();
    });
  });
}

function parseReply(raw: string, elapsedMs: number, closed: boolean): RawReply {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? raw : raw.slice(0, headEnd);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let text = headEnd === -1 ? '' : raw.slice(headEnd + 4);
  const length = Number(headers['content-length']);
  if (Number.isInteger(length)) text = text.slice(0, length);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(Buffer.from(text, 'latin1').toString('utf8'));
  } catch {
    body = undefined;
  }
  return { status: status ? Number(status[1]) : 0, headers, body, raw, elapsedMs, closed };
}

/** rawRequest builds an HTTP/1.1 request with Connection: close around a head and optional body. */
export function rawRequest(method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  if (body !== undefined && headers['transfer-encoding'] === undefined) lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}
