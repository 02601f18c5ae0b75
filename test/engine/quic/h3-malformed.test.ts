/**
 * Malformed HTTP/3 input on a QUIC listener (RFC 9114 §8.1, RFC 9204 §6; SPEC E17: nothing
 * malformed is forwarded): written with a raw QUIC client, each closes the stream or the
 * connection with its error code, and no backend sees a request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H3_EXCESSIVE_LOAD, H3_FRAME_UNEXPECTED, H3_MESSAGE_ERROR, H3_STREAM_CREATION_ERROR, QPACK_DECOMPRESSION_FAILED } from '../../../engine/http3/error-codes.ts';
import { FieldSection } from '../../../engine/http3/field-section.ts';
import { serializeDataFrame, serializeHeadersFrame } from '../../../engine/http3/frames.ts';
import { FieldSectionDecoder, SECTION_OK } from '../../../engine/http3/qpack-decoder.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { h3Connect, h3Request, quicSnapshot, rawConnect, type RawQuicSession, type RawQuicStream } from './quic-support.ts';

let harness: EngineHarness;
let backend: TestBackend;
let port: number;

beforeAll(async () => {
  const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa());
  harness = new EngineHarness();
  backend = await startBackend('b1');
  port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert })), 'lsn-q');
});

afterAll(async () => {
  await harness.close();
  await backend.close();
});

const REQUEST = [':method', 'GET', ':scheme', 'https', ':authority', 'localhost', ':path', '/'];

/** closed resolves with the application error code the server closed the connection with. */
function closed(session: RawQuicSession, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the connection stayed open')), timeoutMs);
    session.on('close', (info) => {
      clearTimeout(timer);
      resolve(info.errorCode);
    });
  });
}

/** answer reads a request stream until it ends or is reset: its bytes, or the reset code. */
function answer(stream: RawQuicStream, timeoutMs = 5000): Promise<{ bytes: Buffer; reset: number | undefined }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('the stream stayed open')), timeoutMs);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), reset: undefined });
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      // The library words a peer's RESET_STREAM as `StreamReset(<code>)` (or `stream reset: <code>`).
      const m = /(?:StreamReset\(|stream reset: )(\d+)/.exec(err.message);
      resolve({ bytes: Buffer.concat(chunks), reset: m ? Number(m[1]) : -1 });
    });
  });
}

/** statusOf decodes the :status of the HEADERS frame a response starts with. */
function statusOf(bytes: Buffer): string | undefined {
  if (bytes[0] !== 0x01) return undefined;
  const length = bytes[1]! < 0x40 ? bytes[1]! : ((bytes[1]! & 0x3f) << 8) | bytes[2]!;
  const start = bytes[1]! < 0x40 ? 2 : 3;
  const section = new FieldSection();
  const decoder = new FieldSectionDecoder({ maxFieldSectionSize: 65536, maxFieldCount: 1000 });
  if (decoder.decode(bytes, start, start + length, section) !== SECTION_OK) return undefined;
  return section.fields[section.fields.indexOf(':status') + 1];
}

/** sendUni writes bytes on client unidirectional stream `id` (2, 6, …) through the library's send call. */
function sendUni(session: RawQuicSession, id: number, bytes: Buffer): void {
  (session as unknown as { _eventLoop: { streamSend(id: number, data: Buffer, fin: boolean): number } })._eventLoop.streamSend(id, bytes, false);
}

async function stillServes(): Promise<void> {
  const session = await h3Connect(port);
  try {
    expect((await h3Request(session, port, '/ok')).status).toBe(200);
  } finally {
    await session.close();
  }
}

describe('malformed HTTP/3 input', () => {
  it('DATA before HEADERS closes the connection with H3_FRAME_UNEXPECTED', async () => {
    const before = backend.hits;
    const session = await rawConnect(port);
    const done = closed(session);
    session.openStream().end(serializeDataFrame(Buffer.from('body first')));
    expect(await done).toBe(H3_FRAME_UNEXPECTED);
    expect(backend.hits).toBe(before);
  });

  it('a field section QPACK cannot decode closes the connection with QPACK_DECOMPRESSION_FAILED', async () => {
    const before = backend.hits;
    const session = await rawConnect(port);
    const done = closed(session);
    // Required Insert Count 5, while our dynamic table capacity is 0.
    session.openStream().end(Buffer.from([0x01, 0x03, 0x05, 0x00, 0xd1]));
    expect(await done).toBe(QPACK_DECOMPRESSION_FAILED);
    expect(backend.hits).toBe(before);
  });

  it('a second control stream closes the connection with H3_STREAM_CREATION_ERROR', async () => {
    const session = await rawConnect(port);
    const done = closed(session);
    const settings = Buffer.from([0x00, 0x04, 0x00]);
    sendUni(session, 2, settings);
    sendUni(session, 6, settings);
    expect(await done).toBe(H3_STREAM_CREATION_ERROR);
  });

  it('a HEADERS frame claiming a huge length is answered 431 before any of it is kept, and the connection goes on', async () => {
    const before = backend.hits;
    const session = await rawConnect(port);
    try {
      const stream = session.openStream();
      // Type 0x01, length 2^30 (an 8-byte varint), then a few bytes.
      stream.write(Buffer.from([0x01, 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00]));
      const got = await answer(stream);
      expect(statusOf(got.bytes)).toBe('431');
      expect(backend.hits).toBe(before);
      expect(session.closed).toBe(false);
    } finally {
      await session.close();
    }
  });

  it('a malformed request (no :path, a connection-specific field, a body longer than its content-length) resets its stream with H3_MESSAGE_ERROR; the connection goes on', async () => {
    const before = backend.hits;
    const session = await rawConnect(port);
    try {
      const noPath = session.openStream();
      noPath.end(serializeHeadersFrame([':method', 'GET', ':scheme', 'https', ':authority', 'localhost']));
      expect((await answer(noPath)).reset).toBe(H3_MESSAGE_ERROR);
      const connection = session.openStream();
      connection.end(serializeHeadersFrame([...REQUEST, 'connection', 'close']));
      expect((await answer(connection)).reset).toBe(H3_MESSAGE_ERROR);
      const longer = session.openStream();
      longer.end(Buffer.concat([serializeHeadersFrame([':method', 'POST', ':scheme', 'https', ':authority', 'localhost', ':path', '/up', 'content-length', '3']), serializeDataFrame(Buffer.from('too long'))]));
      expect((await answer(longer)).reset).toBe(H3_MESSAGE_ERROR);
      // The same connection still serves a well-formed request.
      const good = session.openStream();
      good.end(serializeHeadersFrame(REQUEST));
      const ok = await answer(good);
      expect(statusOf(ok.bytes)).toBe('200');
      expect(backend.hits).toBe(before + 1);
    } finally {
      await session.close();
    }
  });

  it('more than 50 requests refused for their size in a burst (then 5/s) close the connection with H3_EXCESSIVE_LOAD', async () => {
    const before = backend.hits;
    const session = await rawConnect(port);
    const done = closed(session);
    // Each stream announces a HEADERS frame of 2^30 bytes: refused (431) before any of it is kept.
    const huge = Buffer.from([0x01, 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00]);
    for (let i = 0; i < 60 && !session.closed; i++) {
      try {
        const s = session.openStream();
        s.on('error', () => undefined);
        s.write(huge);
      } catch {
        break; // closed under us
      }
    }
    expect(await done).toBe(H3_EXCESSIVE_LOAD);
    expect(backend.hits).toBe(before);
  });

  it('the listener serves new connections after all of it', async () => {
    await stillServes();
  });
});
