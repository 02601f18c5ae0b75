/**
 * A minimal WebSocket (RFC 6455) toolkit for tests: handshake accept key, frame encoding (masked
 * for clients, unmasked for servers) and an incremental frame reader. Enough for text/binary
 * messages in single frames and close frames; no extensions.
 */
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** acceptKey is the Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** newKey returns a fresh Sec-WebSocket-Key. */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** Frame is one decoded frame. */
export interface Frame {
  opcode: number;
  payload: Buffer;
}

/** encodeFrame builds a final frame; clients must mask, servers must not. */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  header[0] = 0x80 | opcode;
  header[1] = (mask ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
  if (lenBytes === 2) header.writeUInt16BE(len, 2);
  if (lenBytes === 8) header.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lenBytes);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ key[i % 4]!;
  return Buffer.concat([header, masked]);
}

/** FrameReader accumulates bytes and yields complete frames (unmasking client frames). */
export class FrameReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffer.length < 2) break;
      const opcode = this.buffer[0]! & 0x0f;
      const masked = (this.buffer[1]! & 0x80) !== 0;
      let len = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) break;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) break;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + len) break;
      const payload = Buffer.from(this.buffer.subarray(offset, offset + len));
      if (masked) for (let i = 0; i < len; i++) payload[i] = payload[i]! ^ this.buffer[maskAt + (i % 4)]!;
      frames.push({ opcode, payload });
      this.buffer = this.buffer.subarray(offset + len);
    }
    return frames;
  }
}
