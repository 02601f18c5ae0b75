/**
 * HTTP/3 SETTINGS (RFC 9114 §7.2.4, RFC 9204 §5): the identifiers we know, the payload we send
 * on our control stream, and the reading of the peer's.
 *
 * Reading refuses, as H3_SETTINGS_ERROR, a setting sent twice and the HTTP/2 settings HTTP/3
 * reserves (0x2 ENABLE_PUSH, 0x3 MAX_CONCURRENT_STREAMS, 0x4 INITIAL_WINDOW_SIZE, 0x5
 * MAX_FRAME_SIZE); a payload that ends inside an identifier or value is H3_FRAME_ERROR. Unknown
 * identifiers (extensions, the reserved 0x1f * N + 0x21 grease values) are ignored.
 */
import { connectionError, H3_FRAME_ERROR, H3_SETTINGS_ERROR, type H3Failure } from './error-codes.ts';
import { FRAME_SETTINGS, writeFrameHeader } from './frames.ts';
import { QPACK_BLOCKED_STREAMS, QPACK_MAX_TABLE_CAPACITY } from './qpack-streams.ts';
import { readVarint, varintLength, varintSizeAt, writeVarint } from './varint.ts';

/** SETTINGS_QPACK_MAX_TABLE_CAPACITY (RFC 9204): the decoder's dynamic table capacity; default 0. */
export const SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0x1;
/** SETTINGS_MAX_FIELD_SECTION_SIZE: the largest field section (name + value + 32 per line) the sender accepts; default unlimited. */
export const SETTINGS_MAX_FIELD_SECTION_SIZE = 0x6;
/** SETTINGS_QPACK_BLOCKED_STREAMS (RFC 9204): streams that may block on the table; default 0. */
export const SETTINGS_QPACK_BLOCKED_STREAMS = 0x7;
/** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 9220): extended CONNECT; 0 or 1. */
export const SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

/** PeerSettings is what the peer's SETTINGS frame told us, defaults filled in. */
export interface PeerSettings {
  readonly qpackMaxTableCapacity: number;
  /** Infinity when the peer set no limit. */
  readonly maxFieldSectionSize: number;
  readonly qpackBlockedStreams: number;
  readonly enableConnectProtocol: boolean;
}

/**
 * parseSettings reads a SETTINGS payload payload[start, end); a failure closes the connection.
 * The payload's size is bounded by the frame reader, so the number of settings is too.
 */
export function parseSettings(payload: Uint8Array, start: number, end: number): PeerSettings | H3Failure {
  let qpackMaxTableCapacity = 0;
  let maxFieldSectionSize = Infinity;
  let qpackBlockedStreams = 0;
  let enableConnectProtocol = false;
  const seen = new Set<number>();
  let at = start;
  while (at < end) {
    const idSize = varintSizeAt(payload, at);
    if (at + idSize >= end) return connectionError(H3_FRAME_ERROR, 'SETTINGS frame ends inside a setting');
    const id = readVarint(payload, at);
    at += idSize;
    const valueSize = varintSizeAt(payload, at);
    if (at + valueSize > end) return connectionError(H3_FRAME_ERROR, 'SETTINGS frame ends inside a setting');
    const value = readVarint(payload, at);
    at += valueSize;
    if (seen.has(id)) return connectionError(H3_SETTINGS_ERROR, `setting 0x${id.toString(16)} sent twice`);
    seen.add(id);
    switch (id) {
      case 0x2:
      case 0x3:
      case 0x4:
      case 0x5:
        return connectionError(H3_SETTINGS_ERROR, `HTTP/2 setting 0x${id.toString(16)} is reserved in HTTP/3`);
      case SETTINGS_QPACK_MAX_TABLE_CAPACITY:
        qpackMaxTableCapacity = value;
        break;
      case SETTINGS_MAX_FIELD_SECTION_SIZE:
        maxFieldSectionSize = value;
        break;
      case SETTINGS_QPACK_BLOCKED_STREAMS:
        qpackBlockedStreams = value;
        break;
      case SETTINGS_ENABLE_CONNECT_PROTOCOL:
        if (value > 1) return connectionError(H3_SETTINGS_ERROR, 'SETTINGS_ENABLE_CONNECT_PROTOCOL is neither 0 nor 1');
        enableConnectProtocol = value === 1;
        break;
      default:
        break;
    }
  }
  return { qpackMaxTableCapacity, maxFieldSectionSize, qpackBlockedStreams, enableConnectProtocol };
}

/** isFailure tells a parseSettings failure from settings. */
export function isSettingsFailure(result: PeerSettings | H3Failure): result is H3Failure {
  return 'code' in result;
}

/** LocalSettings is what we advertise beyond QPACK's zero table. */
export interface LocalSettings {
  /** The SETTINGS_MAX_FIELD_SECTION_SIZE we enforce on requests (FieldSectionLimits.maxFieldSectionSize). */
  readonly maxFieldSectionSize: number;
}

/**
 * serializeSettingsFrame is our SETTINGS frame: no dynamic table, no blocked streams (both the
 * defaults, stated so a reader of a capture sees them) and the field section bound.
 */
export function serializeSettingsFrame(local: LocalSettings): Buffer {
  const settings = [
    SETTINGS_QPACK_MAX_TABLE_CAPACITY, QPACK_MAX_TABLE_CAPACITY,
    SETTINGS_QPACK_BLOCKED_STREAMS, QPACK_BLOCKED_STREAMS,
    SETTINGS_MAX_FIELD_SECTION_SIZE, local.maxFieldSectionSize,
  ];
  let length = 0;
  for (const n of settings) length += varintLength(n);
  const out = Buffer.allocUnsafe(1 + varintLength(length) + length);
  let at = writeFrameHeader(out, 0, FRAME_SETTINGS, length);
  for (const n of settings) at = writeVarint(out, at, n);
  return out;
}
