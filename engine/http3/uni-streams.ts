/**
 * The client's unidirectional streams (RFC 9114 §6.2, RFC 9204 §4.2): each starts with a stream
 * type varint, which decides who reads the rest.
 *
 * - 0x00 control → ControlStreamReader; 0x02 QPACK encoder and 0x03 QPACK decoder → their readers.
 *   A second stream of any of these three is H3_STREAM_CREATION_ERROR (connection).
 * - 0x01 push: only servers push, so a client's push stream is H3_STREAM_CREATION_ERROR (connection).
 * - Anything else (extensions, the reserved 0x1f * N + 0x21 types) is not ours to read: a stream
 *   error H3_STREAM_CREATION_ERROR, on which the transport stops reading that stream (STOP_SENDING)
 *   and the connection goes on — never a connection error (RFC 9114 §6.2).
 *
 * A stream closed before its type arrived is simply forgotten.
 */
import { ControlStreamReader, type ControlStreamHandler } from './control-stream.ts';
import { connectionError, H3_STREAM_CREATION_ERROR, streamError, type H3Failure } from './error-codes.ts';
import { QpackDecoderStreamReader, QpackEncoderStreamReader } from './qpack-streams.ts';
import { VarintReader } from './varint.ts';

/** STREAM_TYPE_CONTROL opens a control stream. */
export const STREAM_TYPE_CONTROL = 0x00;
/** STREAM_TYPE_PUSH opens a push stream (server to client only). */
export const STREAM_TYPE_PUSH = 0x01;
/** STREAM_TYPE_QPACK_ENCODER opens a QPACK encoder stream. */
export const STREAM_TYPE_QPACK_ENCODER = 0x02;
/** STREAM_TYPE_QPACK_DECODER opens a QPACK decoder stream. */
export const STREAM_TYPE_QPACK_DECODER = 0x03;

/** CONTROL_STREAM_PREFACE is the type byte our own control stream starts with, before our SETTINGS frame. */
export const CONTROL_STREAM_PREFACE: Readonly<Uint8Array> = Uint8Array.of(STREAM_TYPE_CONTROL);

/** PeerUniStreams tracks one connection's client-opened unidirectional streams. */
export class PeerUniStreams {
  private readonly controlHandler: ControlStreamHandler;
  private readonly maxSettingsFrame: number | undefined;
  private readonly opened = new Set<number>();

  constructor(controlHandler: ControlStreamHandler, maxSettingsFrame?: number) {
    this.controlHandler = controlHandler;
    this.maxSettingsFrame = maxSettingsFrame;
  }

  /** open returns the reader of a newly opened client unidirectional stream. */
  open(): UniStreamReader {
    return new UniStreamReader(this);
  }

  /** claim decides what reads a stream of `type` (UniStreamReader's business). */
  claim(type: number): ControlStreamReader | QpackEncoderStreamReader | QpackDecoderStreamReader | H3Failure {
    if (type === STREAM_TYPE_PUSH) return connectionError(H3_STREAM_CREATION_ERROR, 'a client opened a push stream');
    if (type !== STREAM_TYPE_CONTROL && type !== STREAM_TYPE_QPACK_ENCODER && type !== STREAM_TYPE_QPACK_DECODER) {
      return streamError(H3_STREAM_CREATION_ERROR, `unidirectional stream type 0x${type.toString(16)} is not read`);
    }
    if (this.opened.has(type)) return connectionError(H3_STREAM_CREATION_ERROR, `second ${UNI_NAMES[type]} stream`);
    this.opened.add(type);
    if (type === STREAM_TYPE_CONTROL) return new ControlStreamReader(this.controlHandler, this.maxSettingsFrame);
    return type === STREAM_TYPE_QPACK_ENCODER ? new QpackEncoderStreamReader() : new QpackDecoderStreamReader();
  }
}

const UNI_NAMES: Readonly<Record<number, string>> = { 0: 'control', 2: 'QPACK encoder', 3: 'QPACK decoder' };

/** UniStreamReader reads one client unidirectional stream: its type, then hands the bytes on. */
export class UniStreamReader {
  private readonly streams: PeerUniStreams;
  private readonly typeReader = new VarintReader();
  private target: ControlStreamReader | QpackEncoderStreamReader | QpackDecoderStreamReader | undefined = undefined;
  private stopped = false;

  constructor(streams: PeerUniStreams) {
    this.streams = streams;
  }

  /** The stream type once read, else -1. */
  get streamType(): number {
    return this.typeReader.complete ? this.typeReader.value : -1;
  }

  /** push reads a piece of the stream. A stream-scoped failure means: stop reading this stream with that code. */
  push(chunk: Buffer): H3Failure | undefined {
    if (this.stopped) return undefined;
    let rest = chunk;
    if (this.target === undefined) {
      const at = this.typeReader.read(chunk, 0, chunk.length);
      if (!this.typeReader.complete) return undefined;
      const claimed = this.streams.claim(this.typeReader.value);
      if ('code' in claimed) {
        this.stopped = true;
        return claimed;
      }
      this.target = claimed;
      rest = chunk.subarray(at);
      if (rest.length === 0) return undefined;
    }
    return this.target.push(rest);
  }

  /** end: the client closed or reset the stream. Closing a critical stream closes the connection. */
  end(): H3Failure | undefined {
    if (this.stopped || this.target === undefined) return undefined;
    return this.target.end();
  }
}
