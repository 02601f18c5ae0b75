/**
 * HTTP/3 frame types (RFC 9114 §7.2) and the serializers of the frames a server sends: SETTINGS
 * (settings.ts builds its payload), HEADERS, DATA and GOAWAY. A frame is `type (varint)
 * length (varint) payload`.
 */
import { writeVarint, varintLength } from './varint.ts';
import { encodeFieldSectionInto, fieldSectionBound } from './qpack-encoder.ts';

/** FRAME_DATA carries request or response content. */
export const FRAME_DATA = 0x0;
/** FRAME_HEADERS carries a QPACK-encoded field section. */
export const FRAME_HEADERS = 0x1;
/** FRAME_CANCEL_PUSH asks to cancel a server push (control stream). */
export const FRAME_CANCEL_PUSH = 0x3;
/** FRAME_SETTINGS opens each control stream. */
export const FRAME_SETTINGS = 0x4;
/** FRAME_PUSH_PROMISE announces a server push (server to client only). */
export const FRAME_PUSH_PROMISE = 0x5;
/** FRAME_GOAWAY starts a graceful shutdown (control stream). */
export const FRAME_GOAWAY = 0x7;
/** FRAME_MAX_PUSH_ID bounds the pushes a server may make (client to server, control stream). */
export const FRAME_MAX_PUSH_ID = 0xd;

/**
 * isHttp2OnlyFrameType tells whether `type` is one HTTP/2 defines and HTTP/3 reserves
 * (PRIORITY 0x2, PING 0x6, WINDOW_UPDATE 0x8, CONTINUATION 0x9): receiving one is
 * H3_FRAME_UNEXPECTED (RFC 9114 §7.2.8), unlike truly unknown types, which are ignored.
 */
export function isHttp2OnlyFrameType(type: number): boolean {
  return type === 0x2 || type === 0x6 || type === 0x8 || type === 0x9;
}

/** FRAME_HEADER_MAX is the longest frame header: two 8-byte varints. */
export const FRAME_HEADER_MAX = 16;

/** writeFrameHeader writes `type` and `length` at `offset` and returns the offset after them. */
export function writeFrameHeader(out: Uint8Array, offset: number, type: number, length: number): number {
  return writeVarint(out, writeVarint(out, offset, type), length);
}

/**
 * dataFrameHeader is the header of a DATA frame of `length` bytes, to be written just before the
 * payload, so response content goes out as the engine holds it, never copied into a frame.
 */
export function dataFrameHeader(length: number): Buffer {
  const out = Buffer.allocUnsafe(1 + varintLength(length));
  writeFrameHeader(out, 0, FRAME_DATA, length);
  return out;
}

/** serializeDataFrame is a whole DATA frame holding `payload` (one copy; for small bodies and tests). */
export function serializeDataFrame(payload: Uint8Array): Buffer {
  const header = dataFrameHeader(payload.length);
  return Buffer.concat([header, payload]);
}

/**
 * serializeHeadersFrame encodes `fields` (flat name, value list) as a HEADERS frame in one
 * buffer: the section is encoded behind room for the largest frame header, then the header is
 * written right before it, so nothing is copied. `neverIndexed` lists lines to send never-index.
 */
export function serializeHeadersFrame(fields: readonly string[], neverIndexed?: readonly number[]): Buffer {
  const room = 1 + 8;
  const out = Buffer.allocUnsafe(room + fieldSectionBound(fields));
  const end = encodeFieldSectionInto(fields, neverIndexed, out, room);
  const length = end - room;
  const start = room - 1 - varintLength(length);
  writeFrameHeader(out, start, FRAME_HEADERS, length);
  return out.subarray(start, end);
}

/**
 * serializeGoaway is a GOAWAY frame. A server sends the id of the first client-initiated
 * bidirectional stream it will not process (a multiple of 4); it may send several, each id no
 * larger than the last.
 */
export function serializeGoaway(id: number): Buffer {
  const out = Buffer.allocUnsafe(2 + varintLength(id));
  writeFrameHeader(out, 0, FRAME_GOAWAY, varintLength(id));
  writeVarint(out, 2, id);
  return out;
}
