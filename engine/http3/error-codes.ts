/**
 * The HTTP/3 and QPACK application error codes (RFC 9114 §8.1, RFC 9204 §6) in one registry,
 * and the shape every failure of the HTTP/3 protocol layer takes: which scope the transport must
 * act on (reset or stop one stream, or close the whole connection), the code it sends, and a
 * reason for logs. The transport glue branches on `scope` and `code`, never on `reason`.
 */

/** H3_NO_ERROR: no error; also what STOP_SENDING carries once a response no longer needs the request body. */
export const H3_NO_ERROR = 0x100;
/** H3_GENERAL_PROTOCOL_ERROR: a violation no more specific code fits. */
export const H3_GENERAL_PROTOCOL_ERROR = 0x101;
/** H3_INTERNAL_ERROR: a failure inside this endpoint. */
export const H3_INTERNAL_ERROR = 0x102;
/** H3_STREAM_CREATION_ERROR: a stream the peer may not open, or a unidirectional stream type we do not read. */
export const H3_STREAM_CREATION_ERROR = 0x103;
/** H3_CLOSED_CRITICAL_STREAM: the control stream or a QPACK stream was closed. */
export const H3_CLOSED_CRITICAL_STREAM = 0x104;
/** H3_FRAME_UNEXPECTED: a frame not permitted in the current state or on this stream. */
export const H3_FRAME_UNEXPECTED = 0x105;
/** H3_FRAME_ERROR: a frame whose layout is wrong (bad length, truncated). */
export const H3_FRAME_ERROR = 0x106;
/** H3_EXCESSIVE_LOAD: the peer asks for more than we are willing to hold. */
export const H3_EXCESSIVE_LOAD = 0x107;
/** H3_ID_ERROR: a stream or push id used wrongly (e.g. a GOAWAY id that grows). */
export const H3_ID_ERROR = 0x108;
/** H3_SETTINGS_ERROR: a SETTINGS frame that is malformed or says something forbidden. */
export const H3_SETTINGS_ERROR = 0x109;
/** H3_MISSING_SETTINGS: the control stream did not start with SETTINGS. */
export const H3_MISSING_SETTINGS = 0x10a;
/** H3_REQUEST_REJECTED: a request refused before any processing (safe to retry). */
export const H3_REQUEST_REJECTED = 0x10b;
/** H3_REQUEST_CANCELLED: a request or response no longer wanted. */
export const H3_REQUEST_CANCELLED = 0x10c;
/** H3_REQUEST_INCOMPLETE: the request stream ended before the request was whole. */
export const H3_REQUEST_INCOMPLETE = 0x10d;
/** H3_MESSAGE_ERROR: a malformed message (fields, pseudo-fields, content-length). */
export const H3_MESSAGE_ERROR = 0x10e;
/** H3_CONNECT_ERROR: the connection of a CONNECT request failed. */
export const H3_CONNECT_ERROR = 0x10f;
/** H3_VERSION_FALLBACK: the request should be retried over HTTP/1.1. */
export const H3_VERSION_FALLBACK = 0x110;
/** QPACK_DECOMPRESSION_FAILED: a field section could not be decoded. */
export const QPACK_DECOMPRESSION_FAILED = 0x200;
/** QPACK_ENCODER_STREAM_ERROR: an instruction on the peer's encoder stream we cannot accept. */
export const QPACK_ENCODER_STREAM_ERROR = 0x201;
/** QPACK_DECODER_STREAM_ERROR: an instruction on the peer's decoder stream we cannot accept. */
export const QPACK_DECODER_STREAM_ERROR = 0x202;

/** H3_ERROR_NAMES maps each registered code to its name, for logs and metrics labels. */
export const H3_ERROR_NAMES: ReadonlyMap<number, string> = new Map([
  [H3_NO_ERROR, 'H3_NO_ERROR'],
  [H3_GENERAL_PROTOCOL_ERROR, 'H3_GENERAL_PROTOCOL_ERROR'],
  [H3_INTERNAL_ERROR, 'H3_INTERNAL_ERROR'],
  [H3_STREAM_CREATION_ERROR, 'H3_STREAM_CREATION_ERROR'],
  [H3_CLOSED_CRITICAL_STREAM, 'H3_CLOSED_CRITICAL_STREAM'],
  [H3_FRAME_UNEXPECTED, 'H3_FRAME_UNEXPECTED'],
  [H3_FRAME_ERROR, 'H3_FRAME_ERROR'],
  [H3_EXCESSIVE_LOAD, 'H3_EXCESSIVE_LOAD'],
  [H3_ID_ERROR, 'H3_ID_ERROR'],
  [H3_SETTINGS_ERROR, 'H3_SETTINGS_ERROR'],
  [H3_MISSING_SETTINGS, 'H3_MISSING_SETTINGS'],
  [H3_REQUEST_REJECTED, 'H3_REQUEST_REJECTED'],
  [H3_REQUEST_CANCELLED, 'H3_REQUEST_CANCELLED'],
  [H3_REQUEST_INCOMPLETE, 'H3_REQUEST_INCOMPLETE'],
  [H3_MESSAGE_ERROR, 'H3_MESSAGE_ERROR'],
  [H3_CONNECT_ERROR, 'H3_CONNECT_ERROR'],
  [H3_VERSION_FALLBACK, 'H3_VERSION_FALLBACK'],
  [QPACK_DECOMPRESSION_FAILED, 'QPACK_DECOMPRESSION_FAILED'],
  [QPACK_ENCODER_STREAM_ERROR, 'QPACK_ENCODER_STREAM_ERROR'],
  [QPACK_DECODER_STREAM_ERROR, 'QPACK_DECODER_STREAM_ERROR'],
]);

/**
 * errorCodeName names a code; codes outside the registry (a peer's reserved 0x1f * N + 0x21
 * codes, extensions) read as hex, since a peer may close with any code.
 */
export function errorCodeName(code: number): string {
  return H3_ERROR_NAMES.get(code) ?? `0x${code.toString(16)}`;
}

/**
 * H3ErrorScope says what the transport does with a failure: `stream` resets (and stops reading)
 * the one stream, `connection` closes the connection with the code.
 */
export type H3ErrorScope = 'stream' | 'connection';

/** H3Failure is every protocol failure the HTTP/3 layer reports: what to close, with which code, and why. */
export interface H3Failure {
  readonly scope: H3ErrorScope;
  readonly code: number;
  readonly reason: string;
}

/** connectionError builds a failure that closes the connection. */
export function connectionError(code: number, reason: string): H3Failure {
  return { scope: 'connection', code, reason };
}

/** streamError builds a failure that ends one stream only. */
export function streamError(code: number, reason: string): H3Failure {
  return { scope: 'stream', code, reason };
}
