/**
 * BodyDecoder: reads one request body off the connection's bytes, framed as the head said
 * (request-head-parser.ts): Content-Length bytes, or chunked (RFC 9112 §7.1), strictly — the
 * bytes after the body are the next request, so a body the engine and a backend could frame
 * differently is refused, never guessed at (SPEC 2.1):
 *
 * - a chunk size is 1 to 16 significant hexadecimal digits (below 2^64), no sign, no whitespace;
 * - an extension is `;` then a token name (or none when `=` follows) and optionally `=` then a
 *   token or a quoted string: no whitespace, no controls, quotes closed;
 * - every line ends with CRLF; chunk data is followed by CRLF exactly;
 * - trailer fields follow the head's field rules and may not name Content-Length or
 *   Transfer-Encoding; they and extensions are dropped (the pipeline re-frames the body).
 *
 * The decoded body goes to a sink piece by piece, as subarrays of the bytes read (no copies).
 */
import { MAX_HEAD_BYTES } from '../limits/request-limits.ts';
import { isFieldValueChar, isTokenChar } from './field-chars.ts';

/** BODY_INCOMPLETE: every byte was taken and the body goes on. */
export const BODY_INCOMPLETE = -1;
/** BODY_FAILED: the body is malformed (400). */
export const BODY_FAILED = -2;

/** MAX_CHUNK_LINE bounds a chunk-size line (size and extensions). */
const MAX_CHUNK_LINE = 4096;
/** MAX_SIZE_DIGITS: 16 significant hexadecimal digits are below 2^64. */
const MAX_SIZE_DIGITS = 16;

const S_LENGTH = 0;
const S_SIZE = 1;
const S_DATA = 2;
const S_DATA_END = 3;
const S_TRAILERS = 4;
const S_DONE = 5;

const CR = 13;
const LF = 10;

/** BodySink receives the decoded body. */
export interface BodySink {
  /** A piece of the body (a view of the bytes read: use it before the next read). */
  onBodyData(chunk: Buffer): void;
}

/** BodyDecoder decodes one request body. */
export class BodyDecoder {
  private state: number;
  private remaining: number;
  /** The current size or trailer line, while its LF has not arrived (bounded). */
  private line = '';
  private trailerBytes = 0;
  private readonly sink: BodySink;

  /** `length` ≥ 0 frames a Content-Length body; -1 a chunked one. */
  constructor(sink: BodySink, length: number) {
    this.sink = sink;
    this.state = length >= 0 ? S_LENGTH : S_SIZE;
    this.remaining = length;
    if (length === 0) this.state = S_DONE;
  }

  /** done tells whether the whole body has been read. */
  get done(): boolean {
    return this.state === S_DONE;
  }

  /**
   * execute reads body bytes from `data` at `start`: the offset right after the body when it
   * ended, BODY_INCOMPLETE when every byte was taken, BODY_FAILED when the framing is broken.
   */
  execute(data: Buffer, start: number): number {
    let at = start;
    const end = data.length;
    while (at < end) {
      switch (this.state) {
        case S_LENGTH:
        case S_DATA: {
          const n = Math.min(this.remaining, end - at);
          this.remaining -= n;
          const piece = at === 0 && n === end ? data : data.subarray(at, at + n);
          at += n;
          if (this.remaining === 0) this.state = this.state === S_LENGTH ? S_DONE : S_DATA_END;
          this.sink.onBodyData(piece);
          if (this.state === S_DONE) return at;
          break;
        }
        case S_DATA_END: {
          // CR LF right after the data; anything else means the data was longer than its size.
          if (this.line.length === 0) {
            if (data[at] !== CR) return BODY_FAILED;
            this.line = '\r';
            at++;
          } else {
            if (data[at] !== LF) return BODY_FAILED;
            this.line = '';
            at++;
            this.state = S_SIZE;
          }
          break;
        }
        case S_SIZE:
        case S_TRAILERS: {
          const lf = data.indexOf(LF, at);
          const stop = lf === -1 ? end : lf + 1;
          const limit = this.state === S_SIZE ? MAX_CHUNK_LINE : MAX_HEAD_BYTES - this.trailerBytes;
          if (this.line.length + (stop - at) > limit) return BODY_FAILED;
          this.line += data.toString('latin1', at, stop);
          at = stop;
          if (lf === -1) break;
          const line = this.line;
          this.line = '';
          const ok = this.state === S_SIZE ? this.sizeLine(line) : this.trailerLine(line);
          if (!ok) return BODY_FAILED;
          if ((this.state as number) === S_DONE) return at;
          break;
        }
        default:
          return at;
      }
    }
    return this.state === S_DONE ? at : BODY_INCOMPLETE;
  }

  /** sizeLine reads `1*HEXDIG *( ";" ext ) CRLF`. */
  private sizeLine(line: string): boolean {
    const end = line.length - 2;
    if (end < 1 || line.charCodeAt(end) !== CR || line.indexOf('\r') !== end) return false;
    let i = 0;
    let size = 0;
    let digits = 0;
    for (; i < end; i++) {
      const c = line.charCodeAt(i);
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (v < 0) break;
      if (digits > 0 || v > 0) digits++;
      if (digits > MAX_SIZE_DIGITS) return false;
      size = size * 16 + v;
    }
    if (i === 0 || !validExtensions(line, i, end)) return false;
    if (size === 0) {
      this.state = S_TRAILERS;
    } else {
      this.remaining = size;
      this.state = S_DATA;
    }
    return true;
  }

  /** trailerLine reads one trailer field (dropped) or the empty line that ends the body. */
  private trailerLine(line: string): boolean {
    const end = line.length - 2;
    if (end < 0 || line.charCodeAt(end) !== CR || line.indexOf('\r') !== end) return false;
    this.trailerBytes += line.length;
    if (end === 0) {
      this.state = S_DONE;
      return true;
    }
    let i = 0;
    while (i < end && isTokenChar(line.charCodeAt(i))) i++;
    if (i === 0 || line.charCodeAt(i) !== 58 /* : */) return false;
    const name = line.slice(0, i).toLowerCase();
    // Framing fields in a trailer would reframe a message already framed.
    if (name === 'content-length' || name === 'transfer-encoding') return false;
    for (let k = i + 1; k < end; k++) if (!isFieldValueChar(line.charCodeAt(k))) return false;
    return true;
  }
}

/** validExtensions checks `*( ";" [name] [ "=" ( token / quoted-string ) ] )` in line[from, to). */
function validExtensions(line: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    if (line.charCodeAt(i) !== 59 /* ; */) return false;
    i++;
    const nameStart = i;
    while (i < to && isTokenChar(line.charCodeAt(i))) i++;
    const named = i > nameStart;
    if (i < to && line.charCodeAt(i) === 61 /* = */) {
      i++;
      if (i < to && line.charCodeAt(i) === 34 /* " */) {
        i = quotedEnd(line, i + 1, to);
        if (i < 0) return false;
      } else {
        while (i < to && isTokenChar(line.charCodeAt(i))) i++;
      }
    } else if (!named) {
      return false;
    }
  }
  return true;
}

/** quotedEnd returns the index after the closing quote of a quoted string starting at `from`, or -1. */
function quotedEnd(line: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92 /* \ */) {
      i++;
      if (i >= to) return -1;
      const q = line.charCodeAt(i);
      if ((q < 32 && q !== 9) || q === 127) return -1;
      continue;
    }
    if ((c < 32 && c !== 9) || c === 127) return -1;
  }
  return -1;
}
