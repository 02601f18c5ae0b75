/**
 * RequestHeadParser: the engine's own strict, incremental parser of HTTP/1.x request heads
 * (RFC 9112 §2–5), fed the bytes of one client connection. It exists so that a kept-alive
 * request costs what the engine does with it, not the request/response objects, event
 * plumbing and per-field validation passes of node's HTTP server (bench/RESULTS.md "Gatehouse
 * serve against nginx and HAProxy").
 *
 * It reads line by line and judges each line as soon as its LF arrives, so a malformed head is
 * answered at once, however the client splits it, and a head dripped byte by byte costs one pass.
 * What it refuses (SPEC 2.1, E17), every refusal a status:
 *
 * - line ends other than CRLF: a bare LF, a bare CR anywhere in the head (400); empty lines
 *   before the request line are skipped (RFC 9112 §2.2);
 * - a request line other than `METHOD SP+ target SP+ HTTP/D.D`: a method that is not one of the
 *   registered ones in upper case, a tab or leading/trailing space, a target with a control,
 *   space, DEL or non-ASCII byte, no version (HTTP/0.9), a version not of that exact shape
 *   (400); the HTTP/2 preface (400);
 * - a field line starting with whitespace (obs-fold, or whitespace before the first field), a
 *   name that is not a token or is followed by anything but `:`, a value with a control
 *   character other than HTAB, or DEL (400);
 * - more than PARSER_MAX_HEADER_SIZE bytes of head (414 while still in the request line, 431);
 * - Content-Length other than one field of digits, or beside Transfer-Encoding (400).
 *
 * What it leaves to the pipeline's checks on the parsed head, which HTTP/2 requests go through
 * too (limits/request-limits.ts, limits/request-validation.ts): versions other than 1.0 and 1.1
 * (505 for 2–9, 400), E17's 16 KiB and 100-field limits (fields beyond 101 are counted, not
 * kept), Host, targets, Transfer-Encoding codings, Expect. The parser still decides the body's
 * framing itself, with the same reading of Transfer-Encoding (headers/field-lists.ts), so the
 * bytes it hands on as body are the bytes the pipeline forwards as body.
 */
import { readTransferCoding, TRANSFER_CODING_CHUNKED, TRANSFER_CODING_NONE } from '../headers/field-lists.ts';
import { MAX_HEADER_FIELDS, PARSER_MAX_HEADER_SIZE } from '../limits/request-limits.ts';
import { MAX_LENGTH_DIGITS, parseLength } from '../upstream/response-fields.ts';
import { METHODS } from 'node:http';
import { FIELD_VALUE, TOKEN } from './field-chars.ts';

/** HEAD_INCOMPLETE: execute needs more bytes. */
export const HEAD_INCOMPLETE = -1;
/** HEAD_FAILED: the head is malformed; `errorStatus` says how to answer. */
export const HEAD_FAILED = -2;

/** Body framing decided from the head. */
export const BODY_NONE = 0;
/** BODY_LENGTH: Content-Length bytes follow (`contentLength`). */
export const BODY_LENGTH = 1;
/** BODY_CHUNKED: a chunked body follows. */
export const BODY_CHUNKED = 2;
/**
 * BODY_UNFRAMED: a Transfer-Encoding the engine does not frame (another coding, a malformed
 * list, or one in HTTP/1.0): the pipeline refuses the request, and nothing after its head is read.
 */
export const BODY_UNFRAMED = 3;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;

/** The methods node registers (llhttp's), the only ones accepted, in upper case. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

/** KEPT_LINE_BUFFER_BYTES: a connection keeps its line buffer between heads up to this size. */
const KEPT_LINE_BUFFER_BYTES = 4096;

/** HTTP_PREFIX is `HTTP/` as bytes. */
const HTTP_PREFIX = [72, 84, 84, 80, 47];

/** RequestHeadParser parses the heads of one connection's requests, one at a time. */
export class RequestHeadParser {
  /**
   * The current line's bytes that arrived in earlier chunks (its LF not seen yet): one buffer
   * that grows by doubling up to the head bound, so a head dripped byte by byte costs linear time.
   */
  private partial: Buffer | undefined = undefined;
  private partialLength = 0;
  /** Bytes of the current head consumed so far (request line and fields, line ends included). */
  private headBytes = 0;
  private inRequestLine = true;
  private fieldCount = 0;
  private contentLengthFields = 0;
  private contentLengthValue = '';
  private transferCoding = TRANSFER_CODING_NONE;
  private chunkedSeen = false;

  /** The status a failed head is answered with (400, 414, 431). */
  errorStatus = 0;
  method = '';
  url = '';
  versionMajor = 1;
  versionMinor = 1;
  /** The fields as a flat [name, value, …] list, as received (values without surrounding whitespace). */
  rawHeaders: string[] = [];
  /** BODY_NONE, BODY_LENGTH, BODY_CHUNKED or BODY_UNFRAMED. */
  bodyFraming = BODY_NONE;
  /** The body's length for BODY_LENGTH. */
  contentLength = 0;
  /** The `Upgrade` value (the first one), if any. */
  upgrade: string | undefined = undefined;
  /** The `Expect` value (the first one), if any. */
  expect: string | undefined = undefined;
  /** The Connection values joined with commas, if any. */
  connection: string | undefined = undefined;

  /** begun tells whether a head is under way (some of its request line has arrived): empty lines before it do not count. */
  get begun(): boolean {
    return this.partialLength > 0 || !this.inRequestLine;
  }


  /** reset prepares for the next request's head. */
  reset(): void {
    this.partialLength = 0;
    // A large line buffer (a long head dripped in) is not kept for the connection's lifetime.
    if (this.partial !== undefined && this.partial.length > KEPT_LINE_BUFFER_BYTES) this.partial = undefined;
    this.headBytes = 0;
    this.inRequestLine = true;
    this.fieldCount = 0;
    this.contentLengthFields = 0;
    this.contentLengthValue = '';
    this.transferCoding = TRANSFER_CODING_NONE;
    this.connection = undefined;
    this.chunkedSeen = false;
    this.errorStatus = 0;
    this.method = '';
    this.url = '';
    this.versionMajor = 1;
    this.versionMinor = 1;
    this.rawHeaders = [];
    this.bodyFraming = BODY_NONE;
    this.contentLength = 0;
    this.upgrade = undefined;
    this.expect = undefined;
  }

  /**
   * execute parses `data` from `start`: the offset right after the head when it completed,
   * HEAD_INCOMPLETE when every byte was taken and more are needed, HEAD_FAILED (see
   * errorStatus) when the head is malformed.
   */
  execute(data: Buffer, start: number): number {
    let at = start;
    const end = data.length;
    while (at < end) {
      const lf = data.indexOf(LF, at);
      const lineEnd = lf === -1 ? end : lf + 1;
      if (this.headBytes + this.partialLength + (lineEnd - at) > PARSER_MAX_HEADER_SIZE) return this.fail(this.inRequestLine ? 414 : 431);
      if (lf === -1) {
        // A bare CR can already be judged: only CR LF may end a line.
        const cr = data.indexOf(CR, at);
        if (cr !== -1 && cr < end - 1) return this.fail(400);
        this.keepPartial(data, at, end);
        return HEAD_INCOMPLETE;
      }
      let line = data;
      let from = at;
      let to = lf;
      if (this.partialLength > 0) {
        this.keepPartial(data, at, lf + 1);
        line = this.partial!;
        from = 0;
        to = this.partialLength - 1;
        this.partialLength = 0;
      }
      this.headBytes += to + 1 - from;
      at = lf + 1;
      // CR LF ends every line; a CR anywhere else is a bare CR.
      if (to === from || line[to - 1] !== CR) return this.fail(400);
      const cr = line.indexOf(CR, from);
      if (cr !== to - 1) return this.fail(400);
      // Empty lines before a request line are skipped (RFC 9112 §2.2: clients that end a body
      // with an extra CRLF); they still count towards the head's bound and deadline.
      if (this.inRequestLine && to - 1 === from) continue;
      const ok = this.inRequestLine ? this.requestLine(line, from, to - 1) : to - 1 === from ? this.finishHead() : this.fieldLine(line, from, to - 1);
      if (!ok) return HEAD_FAILED;
      if (this.headDone) {
        this.headDone = false;
        return at;
      }
    }
    return HEAD_INCOMPLETE;
  }

  /** keepPartial appends data[from, to) to the pending line. */
  private keepPartial(data: Buffer, from: number, to: number): void {
    const need = this.partialLength + (to - from);
    let buffer = this.partial;
    if (buffer === undefined || buffer.length < need) {
      let size = buffer === undefined ? 256 : buffer.length * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      if (buffer !== undefined) buffer.copy(grown, 0, 0, this.partialLength);
      buffer = grown;
      this.partial = buffer;
    }
    data.copy(buffer, this.partialLength, from, to);
    this.partialLength = need;
  }

  /** Set by finishHead, read once by execute. */
  private headDone = false;

  private fail(status: number): number {
    this.errorStatus = status;
    return HEAD_FAILED;
  }

  /** requestLine reads `METHOD SP+ target SP+ HTTP/D.D` from line[from, to). */
  private requestLine(line: Buffer, from: number, to: number): boolean {
    let i = from;
    while (i < to && TOKEN[line[i]!] === 1) i++;
    if (i === from || i === to || line[i] !== SP) return this.fail(400) === 0;
    const method = line.toString('latin1', from, i);
    while (i < to && line[i] === SP) i++;
    const targetStart = i;
    while (i < to) {
      const c = line[i]!;
      if (c === SP) break;
      if (c < 33 || c > 126) return this.fail(400) === 0;
      i++;
    }
    if (i === targetStart) return this.fail(400) === 0;
    const url = line.toString('latin1', targetStart, i);
    while (i < to && line[i] === SP) i++;
    // No version: HTTP/0.9, refused. Otherwise exactly `HTTP/` DIGIT `.` DIGIT to the line's end.
    if (i === to || to - i !== 8) return this.fail(400) === 0;
    for (let k = 0; k < 5; k++) if (line[i + k] !== HTTP_PREFIX[k]) return this.fail(400) === 0;
    const major = line[i + 5]! - 48;
    const minor = line[i + 7]! - 48;
    if (major < 0 || major > 9 || line[i + 6] !== 46 || minor < 0 || minor > 9) return this.fail(400) === 0;
    if (method === 'PRI') return this.fail(400) === 0;
    if (!KNOWN_METHODS.has(method)) return this.fail(400) === 0;
    if (major === 0) return this.fail(400) === 0;
    this.method = method;
    this.url = url;
    this.versionMajor = major;
    this.versionMinor = minor;
    this.inRequestLine = false;
    return true;
  }

  /** fieldLine reads `name ":" OWS value OWS` from line[from, to). */
  private fieldLine(line: Buffer, from: number, to: number): boolean {
    let i = from;
    while (i < to && TOKEN[line[i]!] === 1) i++;
    // Empty names, whitespace first (obs-fold) or before the colon, and non-token bytes all land here.
    if (i === from || i === to || line[i] !== COLON) return this.fail(400) === 0;
    const nameEnd = i;
    i++;
    while (i < to && (line[i] === SP || line[i] === HTAB)) i++;
    let valueEnd = to;
    while (valueEnd > i && (line[valueEnd - 1] === SP || line[valueEnd - 1] === HTAB)) valueEnd--;
    for (let k = i; k < valueEnd; k++) if (FIELD_VALUE[line[k]!] !== 1) return this.fail(400) === 0;
    this.fieldCount++;
    // Fields beyond one more than allowed are counted, not kept: the pipeline refuses the head (431).
    if (this.fieldCount > MAX_HEADER_FIELDS + 1) return true;
    const name = line.toString('latin1', from, nameEnd);
    const value = line.toString('latin1', i, valueEnd);
    this.rawHeaders.push(name, value);
    return this.noteFramingField(name, value);
  }

  /** noteFramingField records the fields the connection itself acts on. */
  private noteFramingField(name: string, value: string): boolean {
    switch (name.length) {
      case 6:
        if (this.expect === undefined && name.toLowerCase() === 'expect') this.expect = value;
        break;
      case 7:
        if (this.upgrade === undefined && name.toLowerCase() === 'upgrade') this.upgrade = value;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') this.connection = this.connection === undefined ? value : `${this.connection}, ${value}`;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          this.contentLengthFields++;
          this.contentLengthValue = value;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          if (!this.noteCodings(value)) return this.fail(400) === 0;
          this.transferCoding = readTransferCoding(value, this.transferCoding);
        }
        break;
    }
    return true;
  }

  /**
   * noteCodings refuses a coding listed after `chunked`, in this field or a later one: chunked
   * must be the final coding (RFC 9112 §6.1), so such a head has no framing to read (400), as
   * opposed to an unknown coding before chunked, which the pipeline answers 501.
   */
  private noteCodings(value: string): boolean {
    let start = 0;
    while (start <= value.length) {
      let comma = value.indexOf(',', start);
      if (comma === -1) comma = value.length;
      if (this.chunkedSeen) return false;
      const element = value.slice(start, comma).trim();
      const semicolon = element.indexOf(';');
      if ((semicolon === -1 ? element : element.slice(0, semicolon)).trim().toLowerCase() === 'chunked') this.chunkedSeen = true;
      start = comma + 1;
    }
    return true;
  }

  /** finishHead decides the body's framing once the empty line arrived. */
  private finishHead(): boolean {
    const te = this.transferCoding;
    if (this.contentLengthFields > 0) {
      // One Content-Length of digits, never beside Transfer-Encoding (RFC 9112 §6.3: a message
      // with both is a smuggling attempt, not something to resolve).
      if (te !== TRANSFER_CODING_NONE || this.contentLengthFields > 1) return this.fail(400) === 0;
      const n = this.contentLengthValue.length > MAX_LENGTH_DIGITS ? -1 : parseLength(this.contentLengthValue);
      if (n < 0) return this.fail(400) === 0;
      this.contentLength = n;
      this.bodyFraming = n === 0 ? BODY_NONE : BODY_LENGTH;
    } else if (te !== TRANSFER_CODING_NONE) {
      this.bodyFraming = te === TRANSFER_CODING_CHUNKED && this.versionMinor === 1 && this.versionMajor === 1 ? BODY_CHUNKED : BODY_UNFRAMED;
    }
    this.headDone = true;
    return true;
  }
}
