/**
 * H3Response: the answer to one HTTP/3 request, offering the pipeline what it uses of an HTTP/2
 * stream — `respond(fields)` with a flat field list carrying `:status`, then a writable body
 * with back-pressure, `close` once done or cut — so Exchange treats both alike.
 *
 * The head is a HEADERS frame encoded by the engine's QPACK encoder (static table and literals
 * only), `:status` first and the fields HTTP/3 forbids (RFC 9114 §4.2: Connection, Keep-Alive,
 * Proxy-Connection, Transfer-Encoding, Upgrade) removed. Each body write is a DATA frame: its
 * header, then the bytes as the engine holds them. Ending writes the stream's FIN; a response
 * destroyed before its end resets the stream with H3_REQUEST_CANCELLED.
 */
import { Writable } from 'node:stream';
import { H3_REQUEST_CANCELLED } from '../http3/error-codes.ts';
import { dataFrameHeader, serializeHeadersFrame } from '../http3/frames.ts';
import type { QuicStreamLike } from './quic-transport.ts';

/** CONNECTION_SPECIFIC are the response fields HTTP/3 does not carry. */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** H3Response writes one response on a request stream. */
export class H3Response extends Writable {
  private readonly stream: QuicStreamLike;
  /** The final head was written. */
  headersSent = false;
  /** The response was cut before its end (the client reset the stream, or the engine cut it). */
  aborted = false;

  constructor(stream: QuicStreamLike) {
    super({ highWaterMark: 64 * 1024 });
    this.stream = stream;
  }

  /**
   * respond writes the head: `fields` is a flat [name, value, …] list holding `:status`
   * (anywhere: the pipeline appends it). Throws (nothing written) when a field may not be sent.
   */
  respond(fields: readonly string[]): void {
    let status = '';
    const out: string[] = [':status', ''];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]!;
      if (name === ':status') {
        status = fields[i + 1]!;
        continue;
      }
      const lower = name.toLowerCase();
      if (CONNECTION_SPECIFIC.has(lower)) continue;
      out.push(lower, fields[i + 1]!);
    }
    if (status === '') throw new TypeError('a response head without :status');
    out[1] = status;
    const frame = serializeHeadersFrame(out);
    if (status.charCodeAt(0) !== 49 /* 1xx */) this.headersSent = true;
    this.stream.write(frame);
  }

  /** informational writes a 1xx head (100 Continue) before the final one. */
  informational(status: number): void {
    this.stream.write(serializeHeadersFrame([':status', String(status)]));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (chunk.length === 0) {
      callback();
      return;
    }
    const stream = this.stream;
    if (stream.destroyed) {
      callback(new Error('the request stream is closed'));
      return;
    }
    stream.write(dataFrameHeader(chunk.length));
    if (stream.write(chunk)) callback();
    else stream.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.stream.destroyed) this.stream.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.writableFinished) {
      this.aborted = true;
      if (!this.stream.destroyed) this.stream.close(H3_REQUEST_CANCELLED);
    }
    callback(error);
  }
}
