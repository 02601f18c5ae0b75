/**
 * FrameReader: the incremental HTTP/3 frame parser for one stream's bytes, however the
 * transport splits them. It holds no more than a frame header (two varints, at most 16 bytes)
 * plus, for the frames its handler asks it to buffer (HEADERS, SETTINGS, GOAWAY, …), that one
 * payload — and the handler sees the length before a byte of payload is kept, so a frame that
 * claims more than it may take is refused as soon as its length is read. DATA payloads are
 * handed on in pieces as they arrive, never gathered; unknown frame types are skipped unread
 * (RFC 9114 §9: extension frames are ignored).
 */
import { connectionError, H3_EXCESSIVE_LOAD, type H3Failure } from './error-codes.ts';
import { VarintReader } from './varint.ts';

/** FRAME_BUFFER: deliver the payload whole to framePayload. */
export const FRAME_BUFFER = 0;
/** FRAME_STREAM: deliver the payload in pieces to frameData as it arrives. */
export const FRAME_STREAM = 1;
/** FRAME_SKIP: drop the payload. */
export const FRAME_SKIP = 2;

/** FrameHandler is the stream's state machine the reader reports to; a failure stops the reader. */
export interface FrameHandler {
  /** frameStart: a frame's type and length are known; answer what to do with its payload, or a failure. */
  frameStart(type: number, length: number): number | H3Failure;
  /** framePayload: a buffered frame's whole payload (valid only during the call). */
  framePayload(type: number, payload: Buffer): H3Failure | undefined;
  /** frameData: a piece of a streamed frame's payload (a view into the input, valid only during the call). */
  frameData(chunk: Buffer): H3Failure | undefined;
}

const READ_TYPE = 0;
const READ_LENGTH = 1;
const READ_PAYLOAD = 2;

/** FrameReader parses the frames of one stream. */
export class FrameReader {
  private readonly handler: FrameHandler;
  private readonly maxBuffered: number;
  private readonly varint = new VarintReader();
  private state = READ_TYPE;
  private type = 0;
  private remaining = 0;
  private disposition = FRAME_SKIP;
  private payload: Buffer | undefined = undefined;
  private filled = 0;

  /** `maxBuffered` bounds a buffered payload; handlers check lengths first, this is the backstop. */
  constructor(handler: FrameHandler, maxBuffered: number) {
    this.handler = handler;
    this.maxBuffered = maxBuffered;
  }

  /** push parses a piece of the stream; the first failure is returned and the rest is not read. */
  push(chunk: Buffer): H3Failure | undefined {
    let at = 0;
    const end = chunk.length;
    while (at < end || (this.state === READ_PAYLOAD && this.remaining === 0)) {
      if (this.state === READ_TYPE) {
        at = this.varint.read(chunk, at, end);
        if (!this.varint.complete) return undefined;
        this.type = this.varint.value;
        this.varint.reset();
        this.state = READ_LENGTH;
      } else if (this.state === READ_LENGTH) {
        at = this.varint.read(chunk, at, end);
        if (!this.varint.complete) return undefined;
        const length = this.varint.value;
        this.varint.reset();
        const failure = this.start(length);
        if (failure !== undefined) return failure;
      } else {
        const take = Math.min(this.remaining, end - at);
        if (this.disposition === FRAME_STREAM) {
          if (take > 0) {
            const failure = this.handler.frameData(chunk.subarray(at, at + take));
            if (failure !== undefined) return failure;
          }
        } else if (this.disposition === FRAME_BUFFER) {
          if (this.payload === undefined && take === this.remaining) {
            // The whole payload is in this piece: hand over a view, no copy.
            this.remaining = 0;
            const failure = this.handler.framePayload(this.type, chunk.subarray(at, at + take));
            at += take;
            this.state = READ_TYPE;
            if (failure !== undefined) return failure;
            continue;
          }
          this.payload ??= Buffer.allocUnsafe(this.remaining);
          chunk.copy(this.payload, this.filled, at, at + take);
          this.filled += take;
        }
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) {
          this.state = READ_TYPE;
          if (this.disposition === FRAME_BUFFER) {
            const payload = this.payload ?? Buffer.alloc(0);
            this.payload = undefined;
            this.filled = 0;
            const failure = this.handler.framePayload(this.type, payload);
            if (failure !== undefined) return failure;
          }
        }
      }
    }
    return undefined;
  }

  private start(length: number): H3Failure | undefined {
    const disposition = this.handler.frameStart(this.type, length);
    if (typeof disposition !== 'number') return disposition;
    if (disposition === FRAME_BUFFER && length > this.maxBuffered) {
      return connectionError(H3_EXCESSIVE_LOAD, `frame 0x${this.type.toString(16)} of ${length} bytes is over ${this.maxBuffered}`);
    }
    this.disposition = disposition;
    this.remaining = length;
    this.state = READ_PAYLOAD;
    return undefined;
  }

  /** midFrame tells whether the bytes so far end inside a frame (a stream that ends here is truncated: H3_FRAME_ERROR). */
  get midFrame(): boolean {
    return this.state !== READ_TYPE || this.varint.started;
  }
}
