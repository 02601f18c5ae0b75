/**
 * Http1Connection: one client connection speaking HTTP/1.x, from the first byte to the close.
 * Requests are taken one at a time: the next head is parsed only once the current response is
 * complete and the current body fully read, so responses go out in order and a client that
 * pipelines many requests holds at most PIPELINE_HOLD_BYTES of them (the socket is paused
 * beyond). Nothing is read after a refusal (SPEC 2.1): a malformed head or body is answered
 * with its status and `Connection: close`, the socket half-closed and destroyed
 * REFUSAL_LINGER_MS later; the bytes behind it are never parsed.
 *
 * A body that stops before its end (the client half-closes) is a 400, and one not complete
 * within REQUEST_BODY_TIMEOUT_MS a 408; a head not complete within the head deadline (E17,
 * 10 s, however the bytes drip) a 408 — both checked by the front's one sweep (http1-front.ts),
 * not a timer per request. A response that ends before its request's body was read closes the
 * connection after it (the rest of the body is never skipped over and trusted). A WebSocket
 * upgrade leaves with its socket and the bytes after its head.
 */
import type { Socket } from 'node:net';
import { listHasToken } from '../headers/field-lists.ts';
import { markRefused } from '../limits/refused-connections.ts';
import { errorResponseBytes, REFUSAL_LINGER_MS } from '../limits/server-limits.ts';
import { isWebSocketUpgrade } from '../websocket/relay.ts';
import { BodyDecoder, BODY_FAILED, BODY_INCOMPLETE, type BodySink } from './body-decoder.ts';
import { Http1Request, RequestBody, type BodySource } from './http1-request.ts';
import { Http1Response, type ResponseOwner } from './http1-response.ts';
import { BODY_CHUNKED, BODY_LENGTH, BODY_UNFRAMED, HEAD_FAILED, HEAD_INCOMPLETE, RequestHeadParser } from './request-head-parser.ts';

/** PIPELINE_HOLD_BYTES: bytes kept from a client while its current response is in flight before the socket is paused. */
const PIPELINE_HOLD_BYTES = 64 * 1024;

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** Connection states. */
const S_HEAD = 0;
const S_BODY = 1;
const S_WAIT = 2;
const S_CLOSING = 3;
const S_GONE = 4;

/** ConnectionHooks connect a connection to its listener. */
export interface ConnectionHooks {
  /** A request, with the response to write. */
  onRequest(req: Http1Request, res: Http1Response): void;
  /** A WebSocket upgrade request (HTTP/1.1 GET with `Upgrade: websocket`): the socket leaves. */
  onUpgrade(req: Http1Request, socket: Socket, head: Buffer): void;
  /** The listener's idle timeout now, ms (for Keep-Alive). */
  idleTimeoutMs(): number;
  /** The current time as an HTTP date (for Date). */
  httpDate(): string;
  /** The connection closed. */
  onClosed(connection: Http1Connection): void;
}

/** Http1Connection serves the requests of one socket. */
export class Http1Connection implements ResponseOwner, BodySource, BodySink {
  readonly socket: Socket;
  private readonly hooks: ConnectionHooks;
  private readonly parser = new RequestHeadParser();
  private state = S_HEAD;
  /** Bytes read and not yet parsed, from `pendingAt`. */
  private pending: Buffer | undefined = undefined;
  private pendingAt = 0;
  private processing = false;
  private decoder: BodyDecoder | undefined = undefined;
  private body: RequestBody | undefined = undefined;
  private res: Http1Response | undefined = undefined;
  /** The current request asked for `100 Continue`, not sent yet. */
  private continueDue = false;
  /** The client half-closed its side. */
  private clientEnded = false;
  /** The current request cannot be followed by another (a framing the engine does not read). */
  private lastRequest = false;
  /** When the current head's first byte arrived (Date.now()), 0 when none is pending. */
  headStartedAt = 0;
  /** When the current request's head completed (Date.now()), while its body is being read. */
  bodyStartedAt = 0;

  constructor(socket: Socket, hooks: ConnectionHooks) {
    this.socket = socket;
    this.hooks = hooks;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', ignore);
    socket.once('close', this.onClose);
  }

  /** keepAliveSeconds is the listener's idle timeout in whole seconds (ResponseOwner). */
  get keepAliveSeconds(): number {
    return Math.floor(this.hooks.idleTimeoutMs() / 1000);
  }

  /** httpDate is the current time as an HTTP date (ResponseOwner). */
  httpDate(): string {
    return this.hooks.httpDate();
  }

  /** idle tells whether nothing is in progress: no request in flight and no head begun. */
  get idle(): boolean {
    return this.state === S_HEAD && this.res === undefined && this.headStartedAt === 0;
  }

  /** readingHead tells whether a head has begun and not completed. */
  get readingHead(): boolean {
    return this.state === S_HEAD && this.headStartedAt !== 0;
  }

  /** readingBody tells whether a request body is being read. */
  get readingBody(): boolean {
    return this.state === S_BODY;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state >= S_CLOSING) return;
    const pending = this.pending;
    if (pending === undefined) {
      this.pending = chunk;
      this.pendingAt = 0;
    } else {
      this.pending = Buffer.concat([pending.subarray(this.pendingAt), chunk]);
      this.pendingAt = 0;
    }
    this.process();
  };

  /** process parses what is pending as far as the connection's state allows. */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.pending !== undefined && this.state < S_CLOSING) {
        const data = this.pending;
        if (this.state === S_HEAD) {
          if (this.res !== undefined) break;
          if (this.headStartedAt === 0) this.headStartedAt = Date.now();
          const at = this.parser.execute(data, this.pendingAt);
          if (at === HEAD_INCOMPLETE) {
            this.pending = undefined;
            // Only empty lines so far: nothing is under way, the idle timeout applies, not the head deadline.
            if (!this.parser.begun) this.headStartedAt = 0;
            break;
          }
          if (at === HEAD_FAILED) {
            this.refuse(this.parser.errorStatus);
            break;
          }
          this.consumed(data, at);
          this.dispatch();
        } else if (this.state === S_BODY) {
          const at = this.decoder!.execute(data, this.pendingAt);
          if (at === BODY_INCOMPLETE) {
            this.pending = undefined;
            break;
          }
          if (at === BODY_FAILED) {
            this.failBody(400);
            break;
          }
          this.consumed(data, at);
          this.bodyDone();
        } else {
          // A complete request waits for its response: what follows waits too, bounded.
          if (data.length - this.pendingAt > PIPELINE_HOLD_BYTES) this.socket.pause();
          break;
        }
      }
    } finally {
      this.processing = false;
    }
  }

  /** consumed moves past `at`; nothing pending when it is the end. */
  private consumed(data: Buffer, at: number): void {
    if (at >= data.length) this.pending = undefined;
    else this.pendingAt = at;
  }

  /** dispatch hands a complete head to the listener. */
  private dispatch(): void {
    const p = this.parser;
    const socket = this.socket;
    this.headStartedAt = 0;
    const minor = p.versionMinor;
    const framing = p.bodyFraming;
    const connection = p.connection;
    let keepAlive = p.versionMajor === 1 && (minor === 1 ? connection === undefined || !listHasToken(connection, 'close') : connection !== undefined && listHasToken(connection, 'keep-alive'));
    if (framing === BODY_UNFRAMED) {
      keepAlive = false;
      this.lastRequest = true;
    }
    if (p.versionMajor === 1 && minor === 1 && isWebSocketUpgrade(p.method, p.upgrade)) {
      const req = new Http1Request(p.method, p.url, 1, 1, p.rawHeaders, socket, undefined);
      const rest = this.pending === undefined ? Buffer.alloc(0) : this.pending.subarray(this.pendingAt);
      this.detach();
      this.hooks.onUpgrade(req, socket, rest);
      return;
    }
    const hasBody = framing === BODY_LENGTH || framing === BODY_CHUNKED;
    const body = hasBody ? new RequestBody(this) : undefined;
    const req = new Http1Request(p.method, p.url, p.versionMajor, minor, p.rawHeaders, socket, body);
    const res = new Http1Response(socket, this, p.method === 'HEAD', minor === 0, keepAlive);
    this.res = res;
    if (hasBody) {
      this.body = body;
      this.decoder = new BodyDecoder(this, framing === BODY_LENGTH ? p.contentLength : -1);
      this.continueDue = minor === 1 && p.expect !== undefined && p.expect.toLowerCase() === '100-continue';
      this.bodyStartedAt = Date.now();
      this.state = S_BODY;
    } else {
      this.state = S_WAIT;
    }
    p.reset();
    this.hooks.onRequest(req, res);
  }

  /** onBodyData passes decoded body bytes on (BodySink); a full stream pauses the socket. */
  onBodyData(chunk: Buffer): void {
    const body = this.body;
    if (body === undefined || body.destroyed) return;
    if (!body.push(chunk)) this.socket.pause();
  }

  /** wantBody: the body's reader wants more (BodySource). */
  wantBody(): void {
    if (this.continueDue) {
      this.continueDue = false;
      const res = this.res;
      if (res !== undefined && !res.headersSent && this.state === S_BODY) this.socket.write(CONTINUE);
    }
    if (this.state < S_CLOSING) this.socket.resume();
  }

  /** bodyDone: the whole body was read. */
  private bodyDone(): void {
    this.body?.push(null);
    this.body = undefined;
    this.decoder = undefined;
    this.continueDue = false;
    this.bodyStartedAt = 0;
    this.state = S_WAIT;
    if (this.res === undefined) this.next();
  }

  /** responseDone: the response was written whole (ok) or cut (ResponseOwner). */
  responseDone(res: Http1Response, ok: boolean): void {
    if (this.res !== res) return;
    this.res = undefined;
    if (this.state >= S_CLOSING) return;
    if (!ok) {
      this.state = S_CLOSING;
      return;
    }
    // A body not read to its end cannot be skipped over safely; keep-alive ends with this response.
    if (this.state === S_BODY || !res.shouldKeepAlive || this.lastRequest) {
      this.close();
      return;
    }
    this.next();
  }

  /** next starts on the following request, if any bytes of it are here. */
  private next(): void {
    this.state = S_HEAD;
    if (this.pending !== undefined) {
      this.socket.resume();
      this.process();
    } else if (this.clientEnded) {
      this.close();
    }
  }

  /** refuse answers a head that is malformed or late (408) and closes the connection; nothing after it is read. */
  refuse(status: number): void {
    if (this.state >= S_CLOSING) return;
    markRefused(this.socket, status);
    this.state = S_CLOSING;
    this.pending = undefined;
    endWith(this.socket, errorResponseBytes(status));
  }

  /**
   * failBody answers a body that is malformed, cut short or too slow (400, 408) and closes the
   * connection. The body's stream fails, so the pipeline drops the request (held bodies never
   * reach a backend; longer ones are cut). A response already under way is cut with it.
   */
  failBody(status: number): void {
    if (this.state >= S_CLOSING) return;
    markRefused(this.socket, status);
    this.state = S_CLOSING;
    this.pending = undefined;
    const body = this.body;
    this.body = undefined;
    this.decoder = undefined;
    body?.destroy(new Error(status === 408 ? 'request body not complete in time' : 'malformed or incomplete request body'));
    const socket = this.socket;
    const res = this.res;
    if (res === undefined || res.destroyed) {
      endWith(socket, errorResponseBytes(status));
    } else if (!res.headersSent) {
      res.takeOver();
      endWith(socket, errorResponseBytes(status));
    } else if (!res.writableFinished) {
      // A response under way to a request whose body broke: its backend exchange is cut with
      // the body, so it would never finish; the connection goes now.
      res.destroy();
    } else {
      endWith(socket, errorResponseBytes(status));
    }
  }

  /** close ends the connection after what was written. */
  close(): void {
    if (this.state >= S_CLOSING) return;
    this.state = S_CLOSING;
    this.pending = undefined;
    const socket = this.socket;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end();
    lingerThenDestroy(socket);
  }

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    if (this.state === S_BODY) {
      this.failBody(400);
    } else if (this.state === S_HEAD && this.res === undefined) {
      // A head cut short is answered; a connection ended between requests is closed.
      if (this.headStartedAt !== 0 || this.pending !== undefined) this.refuse(400);
      else this.close();
    }
  };

  private readonly onDrain = (): void => {
    this.res?.emit('drain');
  };

  private readonly onClose = (): void => {
    const wasGone = this.state === S_GONE;
    this.state = S_GONE;
    this.pending = undefined;
    const body = this.body;
    this.body = undefined;
    body?.destroy(new Error('client connection closed'));
    const res = this.res;
    this.res = undefined;
    res?.connectionClosed();
    if (!wasGone) this.hooks.onClosed(this);
  };

  /** detach lets the socket go (WebSocket upgrade): the connection no longer reads or answers. */
  private detach(): void {
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
    socket.off('error', ignore);
    socket.off('close', this.onClose);
    this.state = S_GONE;
    this.pending = undefined;
    this.hooks.onClosed(this);
  }
}

function ignore(): void {}

/** endWith writes a last answer, half-closes, and destroys the socket if the client keeps its side open. */
function endWith(socket: Socket, bytes: Buffer): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(bytes);
  lingerThenDestroy(socket);
}

/** lingerThenDestroy: after an end, the client gets REFUSAL_LINGER_MS to read and close before the socket is destroyed. */
function lingerThenDestroy(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

