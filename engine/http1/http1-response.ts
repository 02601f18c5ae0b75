/**
 * Http1Response: the answer to one HTTP/1.x request, written straight to the client socket.
 * The head is built once as a string from the flat field list the pipeline hands over and goes
 * out with the first body bytes in one write; the body is framed by Content-Length when the
 * head has one, else chunked for HTTP/1.1 clients and delimited by the connection's end for
 * HTTP/1.0 ones. The connection's own fields are added here: `Connection: keep-alive` and
 * `Keep-Alive: timeout=<idleTimeout>` (the client learns when an idle connection goes, E7), or
 * `Connection: close`; and `Date` when the head has none.
 *
 * It is an EventEmitter with the part of a writable stream the pipeline and `Readable.pipe`
 * use (write/end with back-pressure and 'drain', 'finish', 'close', destroy) — no stream state
 * machine per response. Field names and values are checked as node's server checks them (a
 * backend field with a CR or LF must not split the client's response): writeHead throws.
 */
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { isFieldValueChar, isTokenChar } from './field-chars.ts';

/** ResponseOwner is the connection a response belongs to. */
export interface ResponseOwner {
  /** The response wrote its last byte (ok) or was cut (destroyed); the connection moves on. */
  responseDone(res: Http1Response, ok: boolean): void;
  /** The connection's idle timeout in whole seconds (for Keep-Alive). */
  readonly keepAliveSeconds: number;
  /** The current time as an HTTP date (for Date). */
  httpDate(): string;
}

/** STATUS_LINES caches `HTTP/1.1 <status> <reason>\r\n` per status. */
const STATUS_LINES: string[] = [];
for (let s = 100; s < 600; s++) STATUS_LINES[s] = `HTTP/1.1 ${s} ${STATUS_CODES[s] ?? 'Unknown'}\r\n`;

/** DateCache keeps the HTTP date string of the current second (one per listener front). */
export class DateCache {
  private second = -1;
  private text = '';

  now(): string {
    const ms = Date.now();
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.text = new Date(ms).toUTCString();
    }
    return this.text;
  }
}

const LAST_CHUNK = '0\r\n\r\n';

/**
 * SINGLE_WRITE_BYTES: body pieces up to this size are copied behind the head into one buffer
 * and written once — one TLS record and one system call instead of a vectored write, which
 * costs several times more per response than the copy.
 */
const SINGLE_WRITE_BYTES = 16 * 1024;

/** joined copies head text, body bytes and trailing text into one buffer. */
function joined(prefix: string, data: Buffer, suffix: string): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + data.length + suffix.length);
  let at = out.write(prefix, 0, 'latin1');
  at += data.copy(out, at);
  if (suffix.length > 0) out.write(suffix, at, 'latin1');
  return out;
}

/** Http1Response writes one response. */
export class Http1Response extends EventEmitter {
  private readonly socket: Socket;
  private readonly owner: ResponseOwner;
  /** True for HEAD requests: the head describes a body that is not sent. */
  private readonly headRequest: boolean;
  /** True for HTTP/1.0 clients (no chunked framing). */
  private readonly http10: boolean;
  /** The head, built by writeHead and sent with the first bytes. */
  private head = '';
  private chunked = false;
  private bodyless = false;
  private headWritten = false;
  /**
   * Whether the connection may carry another request after this response: the client asked
   * to keep it (set by the connection), and the listener may clear it (draining).
   */
  shouldKeepAlive: boolean;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;

  constructor(socket: Socket, owner: ResponseOwner, headRequest: boolean, http10: boolean, keepAlive: boolean) {
    super();
    this.socket = socket;
    this.owner = owner;
    this.headRequest = headRequest;
    this.http10 = http10;
    this.shouldKeepAlive = keepAlive;
  }

  /**
   * writeHead builds the head from a flat [name, value, …] list; throws on a name that is not a
   * token or a value with a control character. The body's framing is the writer's: a
   * Transfer-Encoding in the list is left out (the upstream parser already drops the backend's).
   */
  writeHead(status: number, headers: readonly string[]): this {
    if (this.headersSent) throw new Error('response head already sent');
    let text = STATUS_LINES[status] ?? `HTTP/1.1 ${status} Unknown\r\n`;
    let length = false;
    let date = false;
    let close = !this.shouldKeepAlive;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!;
      const value = headers[i + 1]!;
      checkField(name, value);
      switch (name.length) {
        case 4:
          if (name.toLowerCase() === 'date') date = true;
          break;
        case 10:
          // The engine's own refusals say `Connection: close`; it is written once, below.
          if (name.toLowerCase() === 'connection') {
            if (value.toLowerCase() === 'close') close = true;
            continue;
          }
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') length = true;
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') continue;
          break;
      }
      text += `${name}: ${value}\r\n`;
    }
    this.bodyless = this.headRequest || status < 200 || status === 204 || status === 304;
    if (!this.bodyless && !length) {
      // HTTP/1.1 clients get chunked framing; HTTP/1.0 ones a body that ends with the connection.
      if (this.http10) close = true;
      else {
        this.chunked = true;
        text += 'Transfer-Encoding: chunked\r\n';
      }
    }
    if (!date) text += `Date: ${this.owner.httpDate()}\r\n`;
    this.shouldKeepAlive = !close;
    text += close ? 'Connection: close\r\n\r\n' : `Connection: keep-alive\r\nKeep-Alive: timeout=${this.owner.keepAliveSeconds}\r\n\r\n`;
    this.head = text;
    this.headersSent = true;
    return this;
  }

  /** write sends body bytes; false when the socket's buffer is full ('drain' follows). */
  write(chunk: Buffer | string): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(200, []);
    const socket = this.socket;
    if (this.bodyless || chunk.length === 0) {
      if (!this.headWritten) this.flushHead();
      return !socket.writableNeedDrain;
    }
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let prefix = '';
    if (!this.headWritten) {
      this.headWritten = true;
      prefix = this.head;
    }
    if (this.chunked) prefix += `${data.length.toString(16)}\r\n`;
    const suffix = this.chunked ? '\r\n' : '';
    if (prefix.length === 0 && suffix.length === 0) return socket.write(data);
    if (data.length <= SINGLE_WRITE_BYTES) return socket.write(joined(prefix, data, suffix));
    socket.cork();
    if (prefix.length > 0) socket.write(prefix, 'latin1');
    let ok = socket.write(data);
    if (suffix.length > 0) ok = socket.write(suffix, 'latin1');
    socket.uncork();
    return ok;
  }

  /** end sends the last bytes (if any) and finishes the response. */
  end(chunk?: Buffer | string): this {
    if (this.writableEnded || this.destroyed) return this;
    if (!this.headersSent) this.writeHead(200, []);
    this.writableEnded = true;
    const data = this.bodyless || chunk === undefined || chunk.length === 0 ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // What is left goes out in one write: head (if not sent), chunk framing, data, last chunk.
    let prefix = '';
    if (!this.headWritten) {
      this.headWritten = true;
      prefix = this.head;
    }
    if (data !== undefined && this.chunked) prefix += `${data.length.toString(16)}\r\n`;
    const suffix = this.chunked ? (data !== undefined ? `\r\n${LAST_CHUNK}` : LAST_CHUNK) : '';
    const socket = this.socket;
    if (data === undefined) {
      socket.write(prefix + suffix, 'latin1', this.onFlushed);
    } else if (data.length <= SINGLE_WRITE_BYTES) {
      socket.write(joined(prefix, data, suffix), this.onFlushed);
    } else {
      socket.cork();
      if (prefix.length > 0) socket.write(prefix, 'latin1');
      socket.write(data);
      socket.write(suffix, 'latin1', this.onFlushed);
      socket.uncork();
    }
    return this;
  }

  /** onFlushed runs once the last bytes are handed to the system (or failed). */
  private readonly onFlushed = (err?: Error | null): void => {
    if (this.destroyed) return;
    if (err) {
      this.destroy();
      return;
    }
    this.writableFinished = true;
    this.emit('finish');
    this.owner.responseDone(this, true);
    this.emit('close');
  };

  /** destroy cuts the response and its connection (a response that cannot be completed). */
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.socket.destroy();
    this.owner.responseDone(this, false);
    this.emit('close');
    return this;
  }

  /**
   * takeOver: the connection answers instead (a request body that failed before any response
   * byte went out): this response writes nothing more and closes.
   */
  takeOver(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.owner.responseDone(this, false);
    this.emit('close');
  }

  /** connectionClosed: the socket closed under the response; a response not yet finished closes cut. */
  connectionClosed(): void {
    if (this.destroyed || this.writableFinished) return;
    this.destroyed = true;
    this.emit('close');
  }

  /** flushHead writes a head with no body bytes yet. */
  private flushHead(): void {
    this.headWritten = true;
    this.socket.write(this.head, 'latin1');
  }
}

/** checkField throws for a field name that is not a token or a value with CR, LF, NUL or another control but HTAB. */
function checkField(name: string, value: string): void {
  if (name.length === 0) throw new Error('empty response field name');
  for (let i = 0; i < name.length; i++) if (!isTokenChar(name.charCodeAt(i))) throw new Error(`invalid response field name ${JSON.stringify(name)}`);
  for (let i = 0; i < value.length; i++) if (!isFieldValueChar(value.charCodeAt(i))) throw new Error(`invalid character in response field ${name}`);
}
