/**
 * UpstreamConnection: one TCP (or TLS, for HTTPS server groups) connection to a backend,
 * carrying one exchange at a time. It writes the request head exactly as the pipeline built
 * it, streams the request body (chunked when its length is unknown) with back-pressure,
 * parses the response, and goes back to its pool when the backend allows keep-alive (E6).
 *
 * Time limits are not timers per request: the pool's clock sweeps every connection a few times
 * a second and fails those past their deadline — the response head by the exchange's deadline
 * (504, E8), a silent body after `upstreamBodyTimeoutMs`, a client that takes none of the body
 * for as long (CLIENT_STALLED: the connection is paused for it), a connect after CONNECT_TIMEOUT_MS.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import type { ConnectionPool } from './connection-pool.ts';
import { ResponseParser, type ResponseSink } from './response-parser.ts';
import { UpstreamError, type UpstreamExchange, type UpstreamLink } from './upstream-exchange.ts';

/** CONNECT_TIMEOUT_MS bounds the TCP (and TLS) connect to a backend; beyond it the client gets 502. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** KEEP_ALIVE_IDLE_MS keeps idle connections a little under common backend idle limits (node: 5 s). */
export const KEEP_ALIVE_IDLE_MS = 4_000;

/** KEEP_ALIVE_HINT_MARGIN_MS is how long before a backend's announced keep-alive timeout an idle connection stops being reused. */
const KEEP_ALIVE_HINT_MARGIN_MS = 1_000;

/** UpstreamConnection is one connection of a BackendPool. */
export class UpstreamConnection implements ResponseSink, UpstreamLink {
  readonly pool: ConnectionPool<UpstreamConnection>;
  readonly socket: net.Socket;
  private readonly parser: ResponseParser;
  private exchange: UpstreamExchange | undefined = undefined;
  /** Responses completed on this connection (a reused connection has served > 0). */
  served = 0;
  /** When it was put back idle (pool clock). */
  idleSince = 0;
  /** How long it may stay idle before the pool closes it. */
  idleLimitMs = KEEP_ALIVE_IDLE_MS;
  private connected = false;
  private closed = false;
  private connectDeadline: number;
  private bodyDeadline = Number.POSITIVE_INFINITY;
  private body: Readable | null = null;
  private chunked = false;
  private bodyDone = true;
  private bodyPaused = false;
  private paused = false;
  private completed = false;
  private http10 = false;
  private lastError: Error | undefined = undefined;
  private readonly onBodyData = (chunk: Buffer): void => this.forwardBody(chunk);
  private readonly onBodyEnd = (): void => this.endBody();
  private readonly onBodyError = (err: Error): void => this.fail(new UpstreamError('REQUEST_BODY', `client request body failed: ${err.message}`, { cause: err }));

  constructor(pool: ConnectionPool<UpstreamConnection>, now: number) {
    this.pool = pool;
    this.connectDeadline = now + CONNECT_TIMEOUT_MS;
    this.parser = new ResponseParser(this);
    if (pool.protocol === 'HTTPS') {
      // Backends behind a load balancer commonly use self-signed or internal certificates; like
      // the cloud ALB, the engine encrypts to them without verifying their identity. SNI carries
      // the server's name when it is one; sessions are resumed across connections.
      this.socket = tls.connect({
        host: pool.address,
        port: pool.port,
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
        ...(pool.servername !== undefined ? { servername: pool.servername } : {}),
        ...(pool.tlsSession !== undefined ? { session: pool.tlsSession } : {}),
      });
      this.socket.once('secureConnect', () => this.onConnected());
      this.socket.on('session', (session: Buffer) => {
        pool.tlsSession = session;
      });
    } else {
      this.socket = net.connect({ host: pool.address, port: pool.port });
      this.socket.once('connect', () => this.onConnected());
    }
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.onDrain());
    this.socket.on('error', (err: Error) => {
      this.lastError = err;
    });
    this.socket.once('close', () => this.onClose());
  }

  /** usable tells whether an idle connection may carry another request now. */
  usable(now: number): boolean {
    return !this.closed && this.exchange === undefined && now - this.idleSince < this.idleLimitMs && !this.socket.destroyed;
  }

  /** assign starts an exchange on this connection (sent at once, or when connected). */
  assign(ex: UpstreamExchange): void {
    this.exchange = ex;
    ex.upstream = this;
    this.completed = false;
    this.http10 = ex.upstreamHttp10;
    this.bodyDeadline = Number.POSITIVE_INFINITY;
    this.parser.expect(ex.upstreamHeadRequest);
    if (this.connected) this.send(ex);
  }

  /** resume continues reading the response after the client side drained. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.bodyDeadline = this.pool.clock.now + (this.exchange?.upstreamBodyTimeoutMs ?? 0);
    this.socket.resume();
  }

  /** abort drops the exchange (the client went away): the connection is closed, no callback follows. */
  abort(): void {
    const ex = this.exchange;
    if (ex === undefined) return;
    this.exchange = undefined;
    ex.upstream = undefined;
    this.detachBody();
    this.destroy();
  }

  /** destroy closes the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  /** sweep fails the exchange past its deadline, or closes the connection idle too long. */
  sweep(now: number): void {
    if (this.closed) return;
    const ex = this.exchange;
    if (ex === undefined) {
      if (now - this.idleSince >= this.idleLimitMs) this.destroy();
      return;
    }
    if (!this.parser.headReceived) {
      if (now >= ex.upstreamDeadline) this.fail(new UpstreamError('RESPONSE_TIMEOUT', 'no response from the backend within the request timeout'));
      else if (!this.connected && now >= this.connectDeadline) this.fail(new UpstreamError('CONNECT_TIMEOUT', `connect to ${this.pool.label} timed out`));
    } else if (now >= this.bodyDeadline) {
      // Paused, the client is the one not taking the body (a slow or zero-window reader): it
      // may not hold this connection, and the bytes buffered for it, longer than a silent backend could.
      if (this.paused) this.fail(new UpstreamError('CLIENT_STALLED', 'the client stopped reading the response body'));
      else this.fail(new UpstreamError('BODY_TIMEOUT', 'the backend stopped sending the response body'));
    }
  }

  private onConnected(): void {
    this.connected = true;
    const ex = this.exchange;
    if (ex !== undefined) this.send(ex);
  }

  private send(ex: UpstreamExchange): void {
    const body = ex.upstreamBody;
    const socket = this.socket;
    if (body === null) {
      socket.write(ex.upstreamHead, 'latin1');
      this.bodyDone = true;
      return;
    }
    this.chunked = ex.upstreamChunked;
    socket.cork();
    socket.write(ex.upstreamHead, 'latin1');
    const held = ex.upstreamBodyHeld;
    if (held !== null) this.writeHeld(held);
    if (ex.upstreamBodyEnded) {
      if (this.chunked) socket.write('0\r\n\r\n', 'latin1');
      socket.uncork();
      this.bodyDone = true;
      return;
    }
    socket.uncork();
    this.bodyDone = false;
    this.body = body;
    body.on('data', this.onBodyData);
    body.on('end', this.onBodyEnd);
    body.on('error', this.onBodyError);
    // The pipeline paused the body when it stopped holding it.
    body.resume();
  }

  /** writeHeld sends the body bytes the pipeline read before choosing this backend, as one chunk when chunked. */
  private writeHeld(held: readonly Buffer[]): void {
    let length = 0;
    for (let i = 0; i < held.length; i++) length += held[i]!.length;
    if (length === 0) return;
    const socket = this.socket;
    if (this.chunked) socket.write(length.toString(16) + '\r\n', 'latin1');
    for (let i = 0; i < held.length; i++) socket.write(held[i]!);
    if (this.chunked) socket.write('\r\n', 'latin1');
  }

  private forwardBody(chunk: Buffer): void {
    const ex = this.exchange;
    if (ex === undefined || chunk.length === 0) return;
    let ok: boolean;
    if (this.chunked) {
      this.socket.cork();
      this.socket.write(chunk.length.toString(16) + '\r\n', 'latin1');
      this.socket.write(chunk);
      ok = this.socket.write('\r\n', 'latin1');
      this.socket.uncork();
    } else {
      ok = this.socket.write(chunk);
    }
    // Time to the response counts from the last request bytes sent.
    ex.upstreamDeadline = performance.now() + ex.upstreamBodyTimeoutMs;
    if (!ok && this.body !== null) {
      this.bodyPaused = true;
      this.body.pause();
    }
  }

  private endBody(): void {
    if (this.chunked) this.socket.write('0\r\n\r\n', 'latin1');
    this.detachBody();
    this.bodyDone = true;
    const ex = this.exchange;
    if (ex !== undefined && !this.parser.headReceived) ex.upstreamDeadline = performance.now() + ex.upstreamBodyTimeoutMs;
  }

  private detachBody(): void {
    const body = this.body;
    if (body === null) return;
    this.body = null;
    body.off('data', this.onBodyData);
    body.off('end', this.onBodyEnd);
    body.off('error', this.onBodyError);
    if (this.bodyPaused) {
      this.bodyPaused = false;
      body.resume();
    }
  }

  private onDrain(): void {
    if (this.bodyPaused && this.body !== null) {
      this.bodyPaused = false;
      this.body.resume();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.exchange === undefined) {
      // Bytes on an idle connection (or after an aborted exchange): it can no longer be trusted.
      this.destroy();
      return;
    }
    if (!this.parser.execute(chunk)) {
      this.fail(new UpstreamError('BAD_RESPONSE', `malformed response from ${this.pool.label}: ${this.parser.error}`));
      return;
    }
    if (this.completed) this.afterResponse();
  }

  onResponseHead(parser: ResponseParser): void {
    const ex = this.exchange;
    if (ex === undefined) return;
    this.bodyDeadline = this.pool.clock.now + ex.upstreamBodyTimeoutMs;
    if (parser.keepAliveHintMs >= 0) this.idleLimitMs = Math.min(KEEP_ALIVE_IDLE_MS, parser.keepAliveHintMs - KEEP_ALIVE_HINT_MARGIN_MS);
    ex.onUpstreamHead(parser.status, parser.headers, parser.connectionTokens);
  }

  onResponseBody(chunk: Buffer, last: boolean): boolean {
    const ex = this.exchange;
    if (ex === undefined) return false;
    this.bodyDeadline = this.pool.clock.now + ex.upstreamBodyTimeoutMs;
    if (ex.onUpstreamData(chunk, last)) return true;
    if (this.exchange !== undefined && !this.paused) {
      this.paused = true;
      // From now on the body deadline bounds the client's stall (sweep).
      this.bodyDeadline = this.pool.clock.now + ex.upstreamBodyTimeoutMs;
      this.socket.pause();
    }
    return false;
  }

  onResponseComplete(): void {
    this.completed = true;
  }

  /** afterResponse hands the finished response on and returns the connection to the pool if it can carry another. */
  private afterResponse(): void {
    const ex = this.exchange;
    if (ex === undefined) return;
    this.exchange = undefined;
    ex.upstream = undefined;
    this.served++;
    const reusable =
      this.parser.keepAlive && !this.parser.trailingData && this.bodyDone && !this.http10 && !this.closed && this.idleLimitMs > 0;
    this.detachBody();
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    if (reusable) this.pool.release(this);
    else this.destroy();
    ex.onUpstreamEnd();
  }

  /** fail ends the exchange with an error and closes the connection. */
  private fail(err: UpstreamError): void {
    const ex = this.exchange;
    this.exchange = undefined;
    this.detachBody();
    this.destroy();
    if (ex === undefined) return;
    ex.upstream = undefined;
    ex.onUpstreamError(err);
  }

  private onClose(): void {
    this.closed = true;
    this.pool.forget(this);
    const ex = this.exchange;
    if (ex === undefined) return;
    if (this.parser.readsUntilClose && this.parser.finish()) {
      this.afterResponse();
      return;
    }
    this.exchange = undefined;
    ex.upstream = undefined;
    this.detachBody();
    if (!this.parser.headReceived && this.served > 0 && ex.upstreamRetryable) {
      // A kept-alive connection the backend had closed before this request reached it.
      this.pool.retry(ex);
      return;
    }
    const err = this.lastError;
    const code = err !== undefined && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    ex.onUpstreamError(
      err !== undefined
        ? new UpstreamError(code ?? 'SOCKET', `${this.pool.label}: ${err.message}`, { cause: err })
        : new UpstreamError('CLOSED', `${this.pool.label} closed the connection before the response was complete`),
    );
  }
}
