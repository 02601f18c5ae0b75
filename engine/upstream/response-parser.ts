/**
 * ResponseParser: an incremental, strict HTTP/1.x response parser for one upstream connection.
 * The engine speaks to backends itself (not through a generic client) so that the request it
 * sends is exactly the one E6/E12 describe — HTTP/1.0 or 1.1, the client's header case and
 * order — and the response it reads is framed the way the proxy needs: hop-by-hop fields are
 * dropped while parsing, the body is handed on chunk by chunk without copies.
 *
 * Strictness (a backend must not be able to desynchronise a reused connection): the head uses
 * CRLF line endings and is at most 64 KiB; obs-fold, a Content-Length that is not one number,
 * differing Content-Length fields and Transfer-Encoding together with Content-Length are
 * errors; so are control characters in the head other than HTAB and the CRLF line ends (a
 * value with a bare CR or LF could otherwise reach an HTTP/2 client, whose responses node does
 * not validate); bytes after a complete response make the connection unusable.
 */

/** MAX_RESPONSE_HEAD bounds one response head (status line and fields). */
export const MAX_RESPONSE_HEAD = 64 * 1024;
/** MAX_CHUNK_LINE bounds a chunk-size line (size and extensions). */
const MAX_CHUNK_LINE = 4096;

import { readConnection } from '../headers/field-lists.ts';
import { cleanHead, keepAliveTimeoutMs, lastCodingIsChunked, parseChunkSize, parseLength, sameLower } from './response-fields.ts';

const S_HEAD = 0;
const S_LENGTH = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_DATA = 3;
const S_CHUNK_DATA_END = 4;
const S_TRAILERS = 5;
const S_UNTIL_CLOSE = 6;
const S_DONE = 7;
const S_FAILED = 8;

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** ResponseSink receives what the parser finds, in order. */
export interface ResponseSink {
  /** A final (non-1xx) response head; the parser's fields describe it. */
  onResponseHead(parser: ResponseParser): void;
  /**
   * A piece of the body (dechunked); `last` is true when it completes a body of known length
   * (so the receiver can end its side with it). false asks the caller to stop reading for now.
   */
  onResponseBody(chunk: Buffer, last: boolean): boolean;
  /** The response is complete. */
  onResponseComplete(): void;
}

/** ResponseParser parses the responses of one connection, one after the other. */
export class ResponseParser {
  private readonly sink: ResponseSink;
  private state: number = S_HEAD;
  private pending: Buffer | undefined = undefined;
  private remaining = 0;
  private line = '';
  private crlfSeen = 0;
  private noBody = false;
  /** Why parsing failed (set with the failure). */
  error = '';
  /** The head's status code. */
  status = 0;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion = 1;
  /** End-to-end fields as a flat [name, value, …] list (hop-by-hop ones removed). */
  headers: string[] = [];
  /** Field names a Connection field listed (lower case), to be removed too; undefined when none. */
  connectionTokens: string[] | undefined = undefined;
  /** Whether the connection may carry another request after this response. */
  keepAlive = false;
  /** The backend's `Keep-Alive: timeout=` in ms, or -1. */
  keepAliveHintMs = -1;
  /** True when bytes followed a complete response (the connection cannot be reused). */
  trailingData = false;

  constructor(sink: ResponseSink) {
    this.sink = sink;
  }

  /** expect prepares for the response to a new request; `head` is true for HEAD requests (no body). */
  expect(head: boolean): void {
    this.state = S_HEAD;
    this.pending = undefined;
    this.noBody = head;
    this.trailingData = false;
  }

  /** done tells whether the current response is complete. */
  get done(): boolean {
    return this.state === S_DONE;
  }

  /** failed tells whether the response could not be parsed. */
  get failed(): boolean {
    return this.state === S_FAILED;
  }

  /** readsUntilClose tells whether the body ends with the connection. */
  get readsUntilClose(): boolean {
    return this.state === S_UNTIL_CLOSE;
  }

  /** headReceived tells whether a final response head has been parsed. */
  get headReceived(): boolean {
    return this.state !== S_HEAD && this.state !== S_FAILED;
  }

  /** execute consumes bytes from the connection; false means the response is malformed (see `error`). */
  execute(data: Buffer): boolean {
    let chunk = data;
    while (chunk.length > 0) {
      switch (this.state) {
        case S_HEAD: {
          const rest = this.readHead(chunk);
          if (rest === undefined) return !this.failed;
          chunk = rest;
          break;
        }
        case S_LENGTH: {
          const n = Math.min(this.remaining, chunk.length);
          const piece = n === chunk.length ? chunk : chunk.subarray(0, n);
          chunk = n === chunk.length ? EMPTY : chunk.subarray(n);
          this.remaining -= n;
          if (this.remaining === 0) this.state = S_DONE;
          this.sink.onResponseBody(piece, this.remaining === 0);
          if (this.state === S_DONE) this.complete(chunk);
          return !this.failed;
        }
        case S_CHUNK_SIZE: {
          const at = chunk.indexOf(10);
          const end = at === -1 ? chunk.length : at + 1;
          this.line += chunk.toString('latin1', 0, end);
          chunk = chunk.subarray(end);
          if (at === -1) {
            if (this.line.length > MAX_CHUNK_LINE) return this.fail('chunk-size line too long');
            break;
          }
          const size = parseChunkSize(this.line);
          this.line = '';
          if (size < 0) return this.fail('malformed chunk size');
          if (size === 0) {
            this.state = S_TRAILERS;
            this.crlfSeen = 0;
          } else {
            this.remaining = size;
            this.state = S_CHUNK_DATA;
          }
          break;
        }
        case S_CHUNK_DATA: {
          const n = Math.min(this.remaining, chunk.length);
          const piece = n === chunk.length ? chunk : chunk.subarray(0, n);
          chunk = n === chunk.length ? EMPTY : chunk.subarray(n);
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = S_CHUNK_DATA_END;
            this.crlfSeen = 0;
          }
          this.sink.onResponseBody(piece, false);
          if (this.failed) return false;
          break;
        }
        case S_CHUNK_DATA_END: {
          const expected = this.crlfSeen === 0 ? 13 : 10;
          if (chunk[0] !== expected) return this.fail('chunk data not followed by CRLF');
          chunk = chunk.subarray(1);
          if (++this.crlfSeen === 2) this.state = S_CHUNK_SIZE;
          break;
        }
        case S_TRAILERS: {
          // Trailer fields are read and dropped; an empty line ends the message.
          const at = chunk.indexOf(10);
          const end = at === -1 ? chunk.length : at + 1;
          this.line += chunk.toString('latin1', 0, end);
          chunk = chunk.subarray(end);
          if (at === -1) {
            if (this.line.length > MAX_RESPONSE_HEAD) return this.fail('trailer section too long');
            break;
          }
          const line = this.line;
          this.line = '';
          if (line.length < 2 || line.charCodeAt(line.length - 2) !== 13) return this.fail('trailer line without CRLF');
          if (line.length === 2) {
            this.state = S_DONE;
            this.complete(chunk);
            return true;
          }
          this.crlfSeen += line.length;
          if (this.crlfSeen > MAX_RESPONSE_HEAD) return this.fail('trailer section too long');
          break;
        }
        case S_UNTIL_CLOSE:
          this.sink.onResponseBody(chunk, false);
          return !this.failed;
        case S_DONE:
          this.trailingData = true;
          return true;
        default:
          return false;
      }
    }
    return true;
  }

  /**
   * finish is called when the connection has ended: a body read until close is complete;
   * anything else cut short is an error (false).
   */
  finish(): boolean {
    if (this.state === S_UNTIL_CLOSE) {
      this.state = S_DONE;
      this.sink.onResponseComplete();
      return true;
    }
    return this.state === S_DONE;
  }

  private complete(rest: Buffer): void {
    if (rest.length > 0) this.trailingData = true;
    this.sink.onResponseComplete();
  }

  private fail(reason: string): false {
    this.state = S_FAILED;
    this.error = reason;
    return false;
  }

  /** readHead accumulates and parses a head; returns the bytes after it, or undefined when more are needed or it failed. */
  private readHead(chunk: Buffer): Buffer | undefined {
    let buf = chunk;
    let from = 0;
    if (this.pending !== undefined) {
      from = Math.max(0, this.pending.length - 3);
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    const end = buf.indexOf(CRLFCRLF, from);
    if (end === -1) {
      if (buf.length > MAX_RESPONSE_HEAD) {
        this.fail('response head too large');
        return undefined;
      }
      // Keep a copy: the socket may reuse its buffer.
      this.pending = buf === chunk ? Buffer.from(chunk) : buf;
      return undefined;
    }
    if (end > MAX_RESPONSE_HEAD) {
      this.fail('response head too large');
      return undefined;
    }
    const rest = buf.subarray(end + 4);
    if (!this.parseHead(buf.toString('latin1', 0, end))) return undefined;
    if (this.status < 200) {
      // 1xx informational answers (100 Continue, 103 Early Hints) are dropped; the final one follows.
      this.state = S_HEAD;
      return rest;
    }
    this.sink.onResponseHead(this);
    if (this.state === S_DONE) {
      this.complete(rest);
      return undefined;
    }
    return rest;
  }

  /** parseHead reads the status line and fields, and decides the body framing. */
  private parseHead(text: string): boolean {
    if (!cleanHead(text)) return this.fail('control character in response head');
    let lineEnd = text.indexOf('\r\n');
    if (lineEnd === -1) lineEnd = text.length;
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (lineEnd < 12 || !text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32 || (lineEnd > 12 && text.charCodeAt(12) !== 32)) {
      return this.fail('malformed status line');
    }
    const minor = text.charCodeAt(7) - 48;
    const d1 = text.charCodeAt(9) - 48;
    const d2 = text.charCodeAt(10) - 48;
    const d3 = text.charCodeAt(11) - 48;
    if ((minor !== 0 && minor !== 1) || d1 < 1 || d1 > 5 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) return this.fail('malformed status line');
    const status = d1 * 100 + d2 * 10 + d3;
    if (status === 101) return this.fail('unexpected protocol switch');
    this.status = status;
    this.minorVersion = minor;
    if (status < 200) return true;

    const headers: string[] = [];
    let tokens: string[] | undefined;
    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    let close = minor === 0;
    let keepAliveToken = false;
    let hint = -1;
    let pos = lineEnd + 2;
    while (pos < text.length) {
      let e = text.indexOf('\r\n', pos);
      if (e === -1) e = text.length;
      const first = text.charCodeAt(pos);
      if (first === 32 || first === 9) return this.fail('obs-fold in response head');
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon > e) return this.fail('malformed header line');
      let vs = colon + 1;
      while (vs < e && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
      let ve = e;
      while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
      const name = text.slice(pos, colon);
      const value = text.slice(vs, ve);
      pos = e + 2;
      switch (name.length) {
        case 14:
          if (sameLower(name, 'content-length')) {
            const n = parseLength(value);
            if (n < 0 || (contentLength !== -1 && contentLength !== n)) return this.fail('invalid Content-Length');
            if (contentLength !== -1) continue;
            contentLength = n;
          }
          break;
        case 17:
          if (sameLower(name, 'transfer-encoding')) {
            transferEncoding = true;
            chunked = lastCodingIsChunked(value);
            continue;
          }
          break;
        case 10: {
          if (sameLower(name, 'connection')) {
            const r = readConnection(value, tokens);
            if (r.close) close = true;
            if (r.keepAlive) keepAliveToken = true;
            tokens = r.tokens;
            continue;
          }
          if (sameLower(name, 'keep-alive')) {
            hint = keepAliveTimeoutMs(value);
            continue;
          }
          break;
        }
        case 16:
          if (sameLower(name, 'proxy-connection')) continue;
          break;
        case 2:
          if (sameLower(name, 'te')) continue;
          break;
        case 7:
          // Trailers are not relayed, so announcing them would be wrong; Upgrade is per hop.
          if (sameLower(name, 'upgrade') || sameLower(name, 'trailer')) continue;
          break;
      }
      headers.push(name, value);
    }
    if (transferEncoding && contentLength !== -1) return this.fail('Transfer-Encoding together with Content-Length');
    this.headers = headers;
    this.connectionTokens = tokens;
    this.keepAliveHintMs = hint;
    if (this.noBody || status === 204 || status === 304) {
      this.keepAlive = !close || (minor === 0 && keepAliveToken);
      this.state = S_DONE;
    } else if (transferEncoding) {
      if (chunked) {
        this.keepAlive = !close;
        this.state = S_CHUNK_SIZE;
        this.line = '';
      } else {
        this.keepAlive = false;
        this.state = S_UNTIL_CLOSE;
      }
    } else if (contentLength >= 0) {
      this.keepAlive = !close || (minor === 0 && keepAliveToken);
      if (contentLength === 0) this.state = S_DONE;
      else {
        this.remaining = contentLength;
        this.state = S_LENGTH;
      }
    } else {
      this.keepAlive = false;
      this.state = S_UNTIL_CLOSE;
    }
    return true;
  }
}

const EMPTY = Buffer.alloc(0);
