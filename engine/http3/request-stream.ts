/**
 * RequestStream: the server's reading of one client-initiated bidirectional stream (RFC 9114
 * §4.1): HEADERS, then any number of DATA, then optionally one trailing HEADERS, then nothing
 * but frames of unknown types — with the request's head, body pieces, trailers and end reported
 * to the handler as they arrive.
 *
 * What ends it, and how (each failure says its scope):
 *
 * - DATA before HEADERS, or any known frame after the trailers → H3_FRAME_UNEXPECTED (connection,
 *   §4.1: an invalid frame sequence); CANCEL_PUSH, SETTINGS, GOAWAY, MAX_PUSH_ID, PUSH_PROMISE and
 *   the HTTP/2-only types on a request stream → H3_FRAME_UNEXPECTED (connection, §7.2);
 * - a field section QPACK cannot decode → QPACK_DECOMPRESSION_FAILED (connection);
 * - a malformed request (field-rules.ts, request-head.ts) or a body longer or shorter than its
 *   Content-Length → H3_MESSAGE_ERROR (stream); the overrun is refused at the DATA frame header
 *   that announces it, before its bytes are passed on;
 * - the stream ending inside a frame → H3_FRAME_ERROR (connection); ending before a request
 *   head → H3_REQUEST_INCOMPLETE (stream);
 * - a HEADERS frame longer than `maxHeadersFrame` (refused as soon as its length is read, before
 *   a byte of it is kept), a section over `maxFieldSectionSize` or with more than `maxFieldCount`
 *   fields → `refused`: not a protocol error but a request too large to take. The handler's
 *   `refused` is called once; the transport answers 431 (with no request head there is nothing
 *   else to answer) and stops reading the stream with STOP_SENDING H3_NO_ERROR, and this object
 *   ignores anything after.
 *
 * After any failure or refusal, further input is ignored.
 */
import { connectionError, H3_FRAME_ERROR, H3_FRAME_UNEXPECTED, H3_MESSAGE_ERROR, H3_REQUEST_INCOMPLETE, QPACK_DECOMPRESSION_FAILED, streamError, type H3Failure } from './error-codes.ts';
import { FieldSection } from './field-section.ts';
import { FRAME_BUFFER, FRAME_SKIP, FRAME_STREAM, FrameReader, type FrameHandler } from './frame-reader.ts';
import { FRAME_CANCEL_PUSH, FRAME_DATA, FRAME_GOAWAY, FRAME_HEADERS, FRAME_MAX_PUSH_ID, FRAME_PUSH_PROMISE, FRAME_SETTINGS, isHttp2OnlyFrameType } from './frames.ts';
import { SECTION_DECOMPRESSION_FAILED, SECTION_MALFORMED, SECTION_OK, type FieldSectionDecoder } from './qpack-decoder.ts';
import { checkTrailers, readRequestHead, type H3RequestHead } from './request-head.ts';

/** RequestStreamHandler is the transport glue's side of one request. */
export interface RequestStreamHandler {
  /** request: the head is complete and valid. */
  request(head: H3RequestHead): void;
  /** data: a piece of the body (a view into the transport's bytes, valid only during the call). */
  data(chunk: Buffer): void;
  /** trailers: the trailing field section, checked. */
  trailers(trailers: FieldSection): void;
  /** end: the request is complete (the client ended the stream cleanly). */
  end(): void;
  /**
   * refused: the request is too large to take (answer 431, STOP_SENDING H3_NO_ERROR). When it
   * follows `request` (oversized trailers) a response may be under way: reset the stream instead.
   */
  refused(reason: string): void;
}

/** RequestStreamOptions bound one request's head. */
export interface RequestStreamOptions {
  /** The connection's decoder (its limits apply: maxFieldSectionSize, maxFieldCount). */
  readonly decoder: FieldSectionDecoder;
  /** The longest HEADERS frame payload kept (encoded bytes); longer frames are refused unread. */
  readonly maxHeadersFrame: number;
}

const EXPECT_HEADERS = 0;
const IN_BODY = 1;
const AFTER_TRAILERS = 2;
const STOPPED = 3;

/** RequestStream reads one request stream. */
export class RequestStream implements FrameHandler {
  private readonly reader: FrameReader;
  private readonly handler: RequestStreamHandler;
  private readonly decoder: FieldSectionDecoder;
  private readonly maxHeadersFrame: number;
  private state = EXPECT_HEADERS;
  private contentLength = -1;
  private received = 0;

  constructor(handler: RequestStreamHandler, options: RequestStreamOptions) {
    this.handler = handler;
    this.decoder = options.decoder;
    this.maxHeadersFrame = options.maxHeadersFrame;
    this.reader = new FrameReader(this, options.maxHeadersFrame);
  }

  /** push reads a piece of the stream. */
  push(chunk: Buffer): H3Failure | undefined {
    if (this.state === STOPPED) return undefined;
    const failure = this.reader.push(chunk);
    if (failure !== undefined) this.state = STOPPED;
    return failure;
  }

  /** end: the client ended the stream cleanly (FIN). */
  end(): H3Failure | undefined {
    if (this.state === STOPPED) return undefined;
    const state = this.state;
    this.state = STOPPED;
    if (this.reader.midFrame) return connectionError(H3_FRAME_ERROR, 'request stream ends inside a frame');
    if (state === EXPECT_HEADERS) return streamError(H3_REQUEST_INCOMPLETE, 'request stream ends before its HEADERS');
    if (this.contentLength >= 0 && this.received !== this.contentLength) {
      return streamError(H3_MESSAGE_ERROR, `body of ${this.received} bytes, content-length ${this.contentLength}`);
    }
    this.handler.end();
    return undefined;
  }

  frameStart(type: number, length: number): number | H3Failure {
    if (this.state === STOPPED) return FRAME_SKIP;
    switch (type) {
      case FRAME_DATA:
        if (this.state === EXPECT_HEADERS) return connectionError(H3_FRAME_UNEXPECTED, 'DATA before HEADERS');
        if (this.state === AFTER_TRAILERS) return connectionError(H3_FRAME_UNEXPECTED, 'DATA after trailers');
        if (this.contentLength >= 0 && this.received + length > this.contentLength) {
          return streamError(H3_MESSAGE_ERROR, `body passes content-length ${this.contentLength}`);
        }
        this.received += length;
        return FRAME_STREAM;
      case FRAME_HEADERS:
        if (this.state === AFTER_TRAILERS) return connectionError(H3_FRAME_UNEXPECTED, 'HEADERS after trailers');
        if (length > this.maxHeadersFrame) return this.refuse(`HEADERS frame of ${length} bytes is over ${this.maxHeadersFrame}`);
        return FRAME_BUFFER;
      case FRAME_CANCEL_PUSH:
      case FRAME_SETTINGS:
      case FRAME_GOAWAY:
      case FRAME_MAX_PUSH_ID:
      case FRAME_PUSH_PROMISE:
        return connectionError(H3_FRAME_UNEXPECTED, `frame 0x${type.toString(16)} on a request stream`);
      default:
        if (isHttp2OnlyFrameType(type)) return connectionError(H3_FRAME_UNEXPECTED, `HTTP/2 frame type 0x${type.toString(16)}`);
        return FRAME_SKIP;
    }
  }

  framePayload(_type: number, payload: Buffer): H3Failure | undefined {
    if (this.state === STOPPED) return undefined;
    const section = new FieldSection();
    const result = this.decoder.decode(payload, 0, payload.length, section);
    if (result === SECTION_DECOMPRESSION_FAILED) return connectionError(QPACK_DECOMPRESSION_FAILED, this.decoder.reason);
    if (result === SECTION_MALFORMED) return streamError(H3_MESSAGE_ERROR, this.decoder.reason);
    if (result !== SECTION_OK) {
      this.refuse(this.decoder.reason);
      return undefined;
    }
    if (this.state === EXPECT_HEADERS) {
      const head = readRequestHead(section);
      if (typeof head === 'string') return streamError(H3_MESSAGE_ERROR, head);
      this.contentLength = head.contentLength;
      this.state = IN_BODY;
      this.handler.request(head);
      return undefined;
    }
    const malformed = checkTrailers(section);
    if (malformed !== undefined) return streamError(H3_MESSAGE_ERROR, malformed);
    this.state = AFTER_TRAILERS;
    this.handler.trailers(section);
    return undefined;
  }

  frameData(chunk: Buffer): H3Failure | undefined {
    if (this.state !== STOPPED) this.handler.data(chunk);
    return undefined;
  }

  private refuse(reason: string): number {
    this.state = STOPPED;
    this.handler.refused(reason);
    return FRAME_SKIP;
  }
}
