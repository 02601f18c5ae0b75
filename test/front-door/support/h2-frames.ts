/**
 * h2-frames: the HTTP/2 wire format (RFC 9113) and a minimal HPACK encoder (RFC 7541), exact
 * to the byte, for clients that must send what a well-behaved library never would — floods,
 * bombs, endless CONTINUATIONs. Shared by the front-door tests and bench/front-door-attacks.ts.
 */

/** FrameType numbers (RFC 9113 §6). */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Flag bits. */
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** Setting identifiers (RFC 9113 §6.5.2). */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** ErrorCode names (RFC 9113 §7), for reports. */
export const ERROR_NAMES: readonly string[] = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR',
  'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

/** errorName names an HTTP/2 error code. */
export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** PREFACE is the client connection preface. */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** frame encodes one frame: 9-byte header then the payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type;
  out[4] = flags;
  out.writeUInt32BE(streamId & 0x7fffffff, 5);
  payload.copy(out, 9);
  return out;
}

/** settingsFrame encodes SETTINGS with the given [id, value] pairs (none: an empty SETTINGS). */
export function settingsFrame(entries: readonly (readonly [number, number])[] = [], ack = false): Buffer {
  const payload = Buffer.allocUnsafe(entries.length * 6);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, ack ? Flag.ACK : 0, 0, payload);
}

/** headersFrame encodes HEADERS carrying (part of) a header block. */
export function headersFrame(streamId: number, block: Buffer, o: { endStream?: boolean; endHeaders?: boolean } = {}): Buffer {
  const flags = (o.endStream ?? true ? Flag.END_STREAM : 0) | (o.endHeaders ?? true ? Flag.END_HEADERS : 0);
  return frame(FrameType.HEADERS, flags, streamId, block);
}

/** continuationFrame encodes CONTINUATION with a header block fragment (possibly empty). */
export function continuationFrame(streamId: number, fragment: Buffer, endHeaders = false): Buffer {
  return frame(FrameType.CONTINUATION, endHeaders ? Flag.END_HEADERS : 0, streamId, fragment);
}

/** rstStreamFrame encodes RST_STREAM with an error code (default CANCEL). */
export function rstStreamFrame(streamId: number, code = 0x8): Buffer {
  const p = Buffer.allocUnsafe(4);
  p.writeUInt32BE(code, 0);
  return frame(FrameType.RST_STREAM, 0, streamId, p);
}

/** pingFrame encodes PING with 8 bytes of opaque data. */
export function pingFrame(data = Buffer.alloc(8), ack = false): Buffer {
  return frame(FrameType.PING, ack ? Flag.ACK : 0, 0, data.subarray(0, 8));
}

/** windowUpdateFrame encodes WINDOW_UPDATE for a stream (0: the connection). */
export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const p = Buffer.allocUnsafe(4);
  p.writeUInt32BE(increment, 0);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, p);
}

/** dataFrame encodes DATA. */
export function dataFrame(streamId: number, data: Buffer, endStream = false): Buffer {
  return frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, data);
}

/** hpackInteger encodes an HPACK integer with an N-bit prefix whose high bits are `first`. */
export function hpackInteger(value: number, prefixBits: number, first: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const bytes = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** hpackString encodes a string literal without Huffman coding. */
export function hpackString(s: string): Buffer {
  const raw = Buffer.from(s, 'latin1');
  return Buffer.concat([hpackInteger(raw.length, 7, 0x00), raw]);
}

/**
 * Hpack builds header blocks: `indexed` references a table entry (static 1–61, dynamic from
 * 62, newest first), `literal` sends a field without indexing it, `literalIndexed` sends it
 * and adds it to the peer's dynamic table (a bomb's big entry).
 */
export class Hpack {
  private readonly parts: Buffer[] = [];

  /** indexed adds an indexed header field representation (one byte for indices < 127). */
  indexed(index: number): this {
    this.parts.push(hpackInteger(index, 7, 0x80));
    return this;
  }

  /** literal adds a literal field without indexing, new name. */
  literal(name: string, value: string): this {
    this.parts.push(Buffer.from([0x00]), hpackString(name), hpackString(value));
    return this;
  }

  /** literalIndexed adds a literal field with incremental indexing, new name. */
  literalIndexed(name: string, value: string): this {
    this.parts.push(Buffer.from([0x40]), hpackString(name), hpackString(value));
    return this;
  }

  /** raw appends bytes as they are. */
  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  /** request adds the four pseudo-fields of a GET (literals, so no table state is assumed). */
  request(path = '/', authority = 'a.example', method = 'GET'): this {
    return this.literal(':method', method).literal(':scheme', 'https').literal(':authority', authority).literal(':path', path);
  }

  /** build returns the block. */
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** requestBlock is a complete header block for a simple GET. */
export function requestBlock(path = '/', authority = 'a.example'): Buffer {
  return new Hpack().request(path, authority).build();
}

/** ReceivedFrame is one frame read from the peer. */
export interface ReceivedFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** FrameReader splits a byte stream into frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** push adds bytes and returns the frames now complete. */
  push(chunk: Buffer): ReceivedFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: ReceivedFrame[] = [];
    while (this.buf.length >= 9) {
      const length = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + length) break;
      out.push({ type: this.buf[3]!, flags: this.buf[4]!, streamId: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + length) });
      this.buf = this.buf.subarray(9 + length);
    }
    return out;
  }
}
