/**
 * H3Connection: HTTP/3 (RFC 9114) on one QUIC connection of a QUIC listener — the glue between
 * the transport (quic-transport.ts) and the protocol layer (http3/), and the entry of HTTP/3
 * requests into the engine's request pipeline.
 *
 * - At once: our control stream (server unidirectional stream 3): its type, then SETTINGS — a
 *   QPACK dynamic table capacity of 0, no blocked streams, and the field section size we take.
 * - Client unidirectional streams go to `PeerUniStreams` (control, QPACK encoder and decoder;
 *   others are stopped with H3_STREAM_CREATION_ERROR); client bidirectional streams are
 *   request streams read by `RequestStream`. Server-initiated bidirectional streams and pushes
 *   are never used.
 * - Every `H3Failure` acts on its scope: `stream` → the stream is closed with the code (RESET_STREAM
 *   and STOP_SENDING); `connection` → the connection is closed with the code. A malformed
 *   request never reaches the pipeline, so no backend is chosen for it.
 * - A request too large to take (field section size or count, HEADERS frame length) is answered
 *   431 and the rest of its stream is read and dropped.
 * - `goaway()` (shutdown, removal, a new certificate): GOAWAY with the first request stream id
 *   not taken; later request streams are refused with H3_REQUEST_REJECTED (safe to retry); the
 *   connection closes with H3_NO_ERROR once its requests in flight are done (CLOSE_GRACE_MS after
 *   the last, unless the client closes first).
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { H3_EXCESSIVE_LOAD, H3_NO_ERROR, H3_REQUEST_REJECTED, type H3Failure } from '../http3/error-codes.ts';
import type { FieldSection } from '../http3/field-section.ts';
import { serializeGoaway } from '../http3/frames.ts';
import { FieldSectionDecoder } from '../http3/qpack-decoder.ts';
import type { H3RequestHead } from '../http3/request-head.ts';
import { RequestStream, type RequestStreamHandler } from '../http3/request-stream.ts';
import { serializeSettingsFrame, type PeerSettings } from '../http3/settings.ts';
import { CONTROL_STREAM_PREFACE, PeerUniStreams } from '../http3/uni-streams.ts';
import { HTTP2_FLOOD_LIMITS, TokenBucket } from '../limits/http2-guard.ts';
import type { ListenerConfig } from '../listeners/listener-config.ts';
import { attachConnectionFacts, ConnectionFacts } from '../proxy/connection-facts.ts';
import { respondWithError } from '../proxy/error-responses.ts';
import { handleH3Request, type ListenerServices } from '../proxy/request-pipeline.ts';
import { H3Response } from './h3-response.ts';
import type { QuicSessionLike, QuicStreamLike, QuicTransport } from './quic-transport.ts';

/** H3Limits bound what one request's head may be (E17). */
export interface H3Limits {
  /** SETTINGS_MAX_FIELD_SECTION_SIZE: names + values + 32 per line. */
  readonly maxFieldSectionSize: number;
  /** Regular fields per section. */
  readonly maxFieldCount: number;
}

/**
 * H3_LIMITS are E17's on HTTP/3: a head of 16 KiB of names and values (plus RFC 9114's 32 bytes
 * per line, for 100 lines) and 100 fields; the pipeline counts the head again as it does for
 * HTTP/1 and HTTP/2.
 */
export const H3_LIMITS: H3Limits = { maxFieldSectionSize: 16 * 1024 + 101 * 32, maxFieldCount: 100 };

/** H3ConnectionHost is what a connection needs of its listener. */
export interface H3ConnectionHost {
  /** The configuration new requests get. */
  currentConfig(): ListenerConfig;
  readonly services: ListenerServices;
  /** The connection closed (its requests are finished or cut). */
  closed(connection: H3Connection): void;
  /** E17's head deadline, ms: a request not in the pipeline this long after its stream opened is refused 408. */
  readonly headersTimeoutMs: number;
}

/**
 * CLOSE_GRACE_MS is how long a connection sent away stays open after its last response: closing
 * at once would discard response bytes the transport has not sent yet; a client that read the
 * GOAWAY usually closes first.
 */
export const CLOSE_GRACE_MS = 1000;

/** MAX_CONCURRENT_STREAMS is E17's bound on request streams per connection, as on HTTP/2 (QUIC MAX_STREAMS). */
export const MAX_CONCURRENT_STREAMS = 128;

/** TLS facts of every QUIC connection: QUIC is TLS 1.3 only; the transport does not report the suite. */
const QUIC_TLS = { version: 'TLSv1.3', cipher: '' } as const;

/** H3Connection serves one QUIC connection. */
export class H3Connection {
  readonly session: QuicSessionLike;
  private readonly host: H3ConnectionHost;
  private readonly control: QuicStreamLike;
  private readonly decoder: FieldSectionDecoder;
  private readonly uniStreams: PeerUniStreams;
  readonly facts: ConnectionFacts;
  /** Request streams open (read or answered). */
  private readonly requests = new Set<H3Request>();
  /** The first request stream id refused after GOAWAY; Infinity before. */
  private goawayId = Number.POSITIVE_INFINITY;
  /** The highest request stream id taken, -4 before any. */
  private lastTaken = -4;
  private closedAlready = false;
  private graceTimer: NodeJS.Timeout | undefined = undefined;
  /** Set when the connection closed with an error of ours or the peer's (tests, logs). */
  closeCode = -1;
  /**
   * E17's flood budgets, as on HTTP/2: requests the client cancels before their response is
   * complete (Rapid Reset: each may have reached a backend) and requests refused for their size;
   * over a budget the connection is closed with H3_EXCESSIVE_LOAD.
   */
  private readonly cancelled = new TokenBucket(HTTP2_FLOOD_LIMITS.cancelledStreams, performance.now());
  private readonly refusals = new TokenBucket(HTTP2_FLOOD_LIMITS.refusedStreams, performance.now());

  /**
   * `peer` is the client's real address when the session comes through the listener's UDP front
   * (the session's own peer is then the front's relay socket on the loopback interface).
   */
  constructor(transport: QuicTransport, session: QuicSessionLike, host: H3ConnectionHost, peer?: { readonly address: string; readonly port: number }) {
    this.session = session;
    this.host = host;
    this.facts = attachConnectionFacts(session, new ConnectionFacts(peer?.address ?? session.remoteAddress, peer?.port ?? session.remotePort, QUIC_TLS, undefined));
    this.facts.guard = { streamCancelled: () => this.spend(this.cancelled, 'requests cancelled before their response') };
    this.decoder = new FieldSectionDecoder(H3_LIMITS);
    this.uniStreams = new PeerUniStreams({ settings: ignoreSettings, goaway: ignoreGoaway });
    this.control = transport.openControlStream(session);
    this.control.on('error', ignore);
    this.control.write(Buffer.concat([CONTROL_STREAM_PREFACE, serializeSettingsFrame({ maxFieldSectionSize: H3_LIMITS.maxFieldSectionSize })]));
    session.on('stream', (stream) => this.onStream(stream));
    session.on('error', ignore);
    session.on('close', (info) => this.onClose(info.errorCode));
  }

  /** Requests in the pipeline (a head taken and an exchange started) whose response is not finished. */
  exchanges = 0;

  /** inFlight is the number of request streams not finished (read, or answered). */
  get inFlight(): number {
    return this.requests.size;
  }

  /**
   * goaway starts a graceful close: GOAWAY names the first request stream not taken, later ones
   * are refused, and the connection closes once the requests taken are done.
   */
  goaway(): void {
    if (this.closedAlready || this.goawayId !== Number.POSITIVE_INFINITY) return;
    this.goawayId = this.lastTaken + 4;
    if (!this.control.destroyed) this.control.write(serializeGoaway(this.goawayId));
    this.closeIfDone();
  }

  /** close closes the connection now with `code`. */
  close(code: number, reason = ''): void {
    if (this.closedAlready || this.closeCode >= 0) return;
    this.closeCode = code;
    try {
      this.session.close(code, reason);
    } catch {
      // Already closed by the transport.
    }
  }

  /**
   * abandon ends the connection here when its server has closed: the transport drops the
   * sessions of a server it closes without a close event, so a connection still open then
   * (sent away, its requests past the deadline) would stay tracked and counted open forever,
   * its requests never cut. Idempotent; nothing happens if the close event came.
   */
  abandon(): void {
    this.onClose(H3_NO_ERROR);
  }

  /** spend takes one token of a flood budget; over it, the connection is closed with H3_EXCESSIVE_LOAD. */
  spend(bucket: 'refusals' | TokenBucket, what = 'requests refused for their size'): void {
    const b = bucket === 'refusals' ? this.refusals : bucket;
    if (!b.take(1, performance.now())) this.close(H3_EXCESSIVE_LOAD, `too many ${what}`);
  }

  /** ping sends a PING (keeps the QUIC idle timers of both ends alive while requests wait). */
  ping(): void {
    if (this.closedAlready) return;
    try {
      this.session.ping();
    } catch {
      // Closed meanwhile.
    }
  }

  /** fail acts on a protocol failure of `stream`. */
  fail(stream: QuicStreamLike, failure: H3Failure): void {
    if (failure.scope === 'connection') this.close(failure.code, failure.reason);
    else if (!stream.destroyed) stream.close(failure.code);
  }

  /**
   * sweep enforces E17's head deadline (the listener's sweep calls it every second): a request
   * whose head is not complete `headersTimeoutMs` after its stream opened is answered 408; one
   * whose head came but that neither sent a body byte nor ended goes into the pipeline with a
   * body, whose hold answers 408 when it does not come within requestTimeout.
   */
  sweep(now: number): void {
    const limit = now - this.host.headersTimeoutMs;
    for (const request of this.requests) if (request.openedAt < limit) request.deadlinePassed();
  }

  /** requestDone: a request stream finished. */
  requestDone(request: H3Request): void {
    this.requests.delete(request);
    this.closeIfDone();
  }

  private closeIfDone(): void {
    if (this.goawayId === Number.POSITIVE_INFINITY || this.requests.size !== 0 || this.graceTimer !== undefined) return;
    this.graceTimer = setTimeout(() => this.close(H3_NO_ERROR), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  private onStream(stream: QuicStreamLike): void {
    stream.on('error', ignore);
    const id = stream.id;
    const kind = id & 0x3;
    if (kind === 0x0) this.onRequestStream(stream, id);
    else if (kind === 0x2) this.onUniStream(stream);
    // Server-initiated ids never arrive as peer streams.
  }

  private onUniStream(stream: QuicStreamLike): void {
    const reader = this.uniStreams.open();
    const check = (failure: H3Failure | undefined): void => {
      if (failure !== undefined) this.fail(stream, failure);
    };
    stream.on('data', (chunk: Buffer) => check(reader.push(chunk)));
    stream.on('end', () => check(reader.end()));
    // A reset critical stream closes the connection as its end does.
    stream.on('error', () => check(reader.end()));
  }

  private onRequestStream(stream: QuicStreamLike, id: number): void {
    if (id >= this.goawayId) {
      stream.close(H3_REQUEST_REJECTED);
      return;
    }
    if (this.requests.size >= MAX_CONCURRENT_STREAMS) {
      // More request streams than QUIC's limit allows at once: the client cancelled some whose
      // exchanges still run (the transport may hand a cancelled stream's credit back before the
      // exchange learns of the cancel). Refused, and counted as cancels (Rapid Reset): however
      // often a client cancels and asks again, one connection never has more than the limit in
      // the pipeline.
      stream.close(H3_REQUEST_REJECTED);
      this.spend(this.cancelled, 'requests cancelled before their response');
      return;
    }
    if (id > this.lastTaken) this.lastTaken = id;
    const request = new H3Request(this, stream, this.decoder, this.host);
    this.requests.add(request);
  }

  private onClose(code: number): void {
    if (this.closedAlready) return;
    this.closedAlready = true;
    clearTimeout(this.graceTimer);
    if (this.closeCode < 0) this.closeCode = code;
    for (const request of this.requests) request.cut();
    this.requests.clear();
    this.host.closed(this);
  }
}

const NOT_STARTED = 0;
const WAITING_BODY = 1;
const STARTED = 2;
const REFUSED = 3;

/**
 * H3Request reads one request stream and, once its head is valid, runs it through the pipeline.
 * The exchange starts when the client says whether a body follows (its FIN, or a first DATA
 * frame), or at once with `content-length: 0`, so a GET reaches the backend without a body
 * framing it never had.
 */
class H3Request implements RequestStreamHandler {
  private readonly connection: H3Connection;
  private readonly stream: QuicStreamLike;
  private readonly reader: RequestStream;
  private readonly host: H3ConnectionHost;
  private readonly res: H3Response;
  private state = NOT_STARTED;
  private head: H3RequestHead | undefined = undefined;
  private body: Readable | undefined = undefined;
  private done = false;
  /** Date.now() when the stream opened (E17's head deadline). */
  readonly openedAt = Date.now();

  constructor(connection: H3Connection, stream: QuicStreamLike, decoder: FieldSectionDecoder, host: H3ConnectionHost) {
    this.connection = connection;
    this.stream = stream;
    this.host = host;
    this.res = new H3Response(stream);
    this.reader = new RequestStream(this, { decoder, maxHeadersFrame: H3_LIMITS.maxFieldSectionSize });
    stream.on('data', (chunk: Buffer) => {
      const failure = this.reader.push(chunk);
      if (failure !== undefined) this.failed(failure);
    });
    stream.on('end', () => {
      const failure = this.reader.end();
      if (failure !== undefined) this.failed(failure);
    });
    // A reset from the client (or the connection going): the response is cut, the exchange finishes.
    stream.on('error', () => this.cut());
    stream.on('close', () => {
      if (!this.res.writableFinished) this.cut();
    });
    this.res.on('close', () => this.finished());
  }

  request(head: H3RequestHead): void {
    if (this.state !== NOT_STARTED) return;
    this.head = head;
    if (head.contentLength === 0) this.start(false);
    else this.state = WAITING_BODY;
  }

  data(chunk: Buffer): void {
    if (this.state === WAITING_BODY) this.start(true);
    const body = this.body;
    if (body === undefined || body.destroyed) return;
    if (!body.push(Buffer.from(chunk))) this.stream.pause();
  }

  trailers(_trailers: FieldSection): void {
    // Trailers are not forwarded (the request goes on over HTTP/1.1, re-framed, as on HTTP/1).
    if (this.state === WAITING_BODY) this.start(true);
  }

  end(): void {
    if (this.state === WAITING_BODY) this.start(false);
    else if (this.body !== undefined && !this.body.destroyed) this.body.push(null);
  }

  refused(_reason: string): void {
    if (this.state === STARTED) {
      this.res.destroy();
      return;
    }
    this.state = REFUSED;
    this.connection.spend('refusals');
    // Answer 431 through the pipeline's error writer (no exchange: nothing is logged as forwarded).
    respondWithError({ res: this.res, http2: true, status: 0, bytesSent: 0 }, 431);
    // The rest of the stream is read and dropped.
  }

  /** deadlinePassed: E17's head deadline passed (H3Connection.sweep). */
  deadlinePassed(): void {
    if (this.state === WAITING_BODY) this.start(true);
    else if (this.state === NOT_STARTED) {
      this.state = REFUSED;
      respondWithError({ res: this.res, http2: true, status: 0, bytesSent: 0 }, 408);
    }
  }

  /** cut ends the request's response where it is (client reset, connection gone). */
  cut(): void {
    this.body?.destroy();
    if (!this.res.destroyed) this.res.destroy();
    this.finished();
  }

  private failed(failure: H3Failure): void {
    this.connection.fail(this.stream, failure);
    if (failure.scope === 'stream' && this.state !== STARTED) this.finished();
  }

  private start(withBody: boolean): void {
    const head = this.head!;
    this.state = STARTED;
    if (withBody) {
      const stream = this.stream;
      this.body = new Readable({ highWaterMark: 64 * 1024, read: () => stream.resume() });
    }
    const raw = [':method', head.method];
    if (head.scheme !== undefined) raw.push(':scheme', head.scheme);
    if (head.authority !== undefined) raw.push(':authority', head.authority);
    if (head.path !== undefined) raw.push(':path', head.path);
    let expect: string | undefined;
    const fields = head.headers;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      raw.push(fields[i]!, fields[i + 1]!);
      if (fields[i] === 'expect') expect = fields[i + 1];
    }
    this.connection.exchanges++;
    handleH3Request(this.host.currentConfig(), this.res, this.body, head.method, head.path ?? '', raw, expect, this.connection.session, this.host.services);
  }

  private finished(): void {
    if (this.done) return;
    this.done = true;
    if (this.state === STARTED) this.connection.exchanges--;
    this.connection.requestDone(this);
  }
}

function ignore(): void {}
function ignoreSettings(_settings: PeerSettings): void {}
function ignoreGoaway(_pushId: number): void {}

