/**
 * Access log (SPEC E18): one record per finished request, built from values the pipeline
 * already holds, and a writer that turns records into JSON lines in batches off the request
 * path, so a slow log destination never slows forwarding.
 */
import type { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { AccessLogRecord } from '../types.ts';

export type { AccessLogRecord };

/** TlsFacts are the connection's TLS version and cipher, captured once when the connection is set up. */
export interface TlsFacts {
  readonly version: string;
  readonly cipher: string;
}

/**
 * tlsFacts reads a TLS connection's protocol version and OpenSSL cipher name (as SPEC 1.5 names
 * them). Call it when the connection is set up (proxy/connection-facts.ts does), never when a
 * request finishes: by then the socket may be closed, or unbound from its HTTP/2 session.
 */
export function tlsFacts(socket: TLSSocket): TlsFacts | undefined {
  const version = socket.getProtocol();
  const cipher = socket.getCipher();
  if (!version || !cipher) return undefined;
  return { version, cipher: cipher.name };
}

/**
 * createAccessLogRecord starts the record of a request when it arrives; `path` is the request
 * target as received (query included). The record is the request's log state: the pipeline
 * completes it with completeAccessLogRecord when the response has ended.
 */
export function createAccessLogRecord(
  startedAtMs: number,
  listenerId: string,
  clientIp: string,
  method: string,
  host: string,
  path: string,
  protocol: string,
  tls: TlsFacts | undefined,
): AccessLogRecord {
  const record: AccessLogRecord = {
    time: new Date(startedAtMs).toISOString(),
    listenerId,
    clientIp,
    method,
    host,
    path,
    status: 0,
    bytesSent: 0,
    requestDurationMs: 0,
    protocol,
  };
  if (tls !== undefined) {
    record.tlsVersion = tls.version;
    // A QUIC connection's suite is not reported by its transport: no cipher rather than a guess.
    if (tls.cipher !== '') record.tlsCipher = tls.cipher;
  }
  return record;
}

/**
 * completeAccessLogRecord fills the response side: status, body bytes sent to the client,
 * total duration, and when a backend was used, its `address:port` and the time to its
 * response head. Durations are rounded to microseconds.
 */
export function completeAccessLogRecord(
  record: AccessLogRecord,
  status: number,
  bytesSent: number,
  requestDurationMs: number,
  backend?: string,
  upstreamDurationMs?: number,
): AccessLogRecord {
  record.status = status;
  record.bytesSent = bytesSent;
  record.requestDurationMs = Math.round(requestDurationMs * 1000) / 1000;
  if (backend !== undefined) record.backend = backend;
  if (upstreamDurationMs !== undefined) record.upstreamDurationMs = Math.round(upstreamDurationMs * 1000) / 1000;
  return record;
}

/** DEFAULT_MAX_QUEUE is how many records a writer holds while its stream is slow, by default. */
export const DEFAULT_MAX_QUEUE = 65_536;

/** AccessLogWriterOptions bound the writer's memory. */
export interface AccessLogWriterOptions {
  /** Records held while the stream is slow; beyond it new records are dropped and counted (default 65536). */
  maxQueue?: number;
  /** End the stream on close (default false: the stream belongs to the caller, e.g. stdout). */
  endStream?: boolean;
  /**
   * How long a record may wait for more to share its write, ms (default 0: the next turn of the
   * event loop). Under load a few milliseconds turn hundreds of small writes a second into a
   * few large ones, each a system call and a wake-up of whoever reads the other end.
   */
  flushDelayMs?: number;
  /** A batch this large is written at the next turn, whatever flushDelayMs says (default 1024). */
  flushAtRecords?: number;
}

/**
 * SERVER_FLUSH_DELAY_MS is the flushDelayMs `gatehouse serve` writes its access log with: lines
 * reach the log within a few tens of milliseconds, in far fewer writes under load.
 */
export const SERVER_FLUSH_DELAY_MS = 20;

/** DEFAULT_FLUSH_AT_RECORDS is the batch size that is written without waiting for flushDelayMs. */
export const DEFAULT_FLUSH_AT_RECORDS = 1024;

/**
 * AccessLogWriter queues records and writes them as JSON lines, many per write, on a later
 * turn of the event loop (the next one, or after flushDelayMs); it respects the stream's backpressure and drops (and
 * counts) records rather than growing without bound. Use `write` as the engine's `accessLog`.
 */
export class AccessLogWriter {
  private readonly stream: Writable;
  private readonly maxQueue: number;
  private readonly endStream: boolean;
  private readonly flushDelayMs: number;
  private readonly flushAtRecords: number;
  private queue: AccessLogRecord[] = [];
  /** A flush is due at the next turn (setImmediate). */
  private scheduled = false;
  /** A flush is due when the delay ends. */
  private timer: NodeJS.Timeout | undefined;
  private waitingDrain = false;
  private closed = false;
  private droppedCount = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly flushNow = (): void => this.flush();

  constructor(stream: Writable, options: AccessLogWriterOptions = {}) {
    this.stream = stream;
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.endStream = options.endStream ?? false;
    this.flushDelayMs = options.flushDelayMs ?? 0;
    this.flushAtRecords = options.flushAtRecords ?? DEFAULT_FLUSH_AT_RECORDS;
    this.write = this.write.bind(this);
  }

  /** dropped counts records lost because the queue was full or the writer closed. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** write queues one record (cheap: no serialisation here). */
  write(record: AccessLogRecord): void {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.droppedCount++;
      return;
    }
    this.queue.push(record);
    if (this.scheduled || this.waitingDrain) return;
    if (this.flushDelayMs > 0 && this.queue.length < this.flushAtRecords) {
      if (this.timer === undefined) {
        this.timer = setTimeout(this.flushNow, this.flushDelayMs);
        this.timer.unref();
      }
      return;
    }
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  /** close writes everything queued, waits for the stream to take it, then stops accepting. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      while (this.queue.length > 0 || this.waitingDrain) {
        if (!this.waitingDrain) this.flush();
        if (this.waitingDrain) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
      }
      if (this.endStream && !this.stream.destroyed) await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.waitingDrain || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    if (this.stream.destroyed || this.stream.writableEnded) {
      this.droppedCount += batch.length;
      return;
    }
    let chunk = '';
    for (let i = 0; i < batch.length; i++) chunk += JSON.stringify(batch[i]) + '\n';
    if (this.stream.write(chunk)) return;
    this.waitingDrain = true;
    const resume = () => {
      this.stream.off('drain', resume);
      this.stream.off('close', resume);
      this.waitingDrain = false;
      if (this.stream.destroyed) {
        this.droppedCount += this.queue.length;
        this.queue = [];
      }
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
      if (this.queue.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushNow);
      }
    };
    this.stream.on('drain', resume);
    this.stream.on('close', resume);
  }
}
