/**
 * HTTP/3 frames: the serializers, SETTINGS reading (duplicates, HTTP/2 ids, unknown ids,
 * truncation), and the incremental frame reader — the same frames however the input is split,
 * DATA streamed rather than buffered, unknown types skipped, an oversized frame refused at its length.
 */
import { describe, expect, it } from 'vitest';
import { H3_EXCESSIVE_LOAD, H3_FRAME_ERROR, H3_SETTINGS_ERROR, type H3Failure } from '../../../engine/http3/error-codes.ts';
import { FRAME_BUFFER, FRAME_SKIP, FRAME_STREAM, FrameReader, type FrameHandler } from '../../../engine/http3/frame-reader.ts';
import { dataFrameHeader, FRAME_DATA, FRAME_GOAWAY, FRAME_HEADERS, serializeDataFrame, serializeGoaway, serializeHeadersFrame } from '../../../engine/http3/frames.ts';
import { FieldSection } from '../../../engine/http3/field-section.ts';
import { FieldSectionDecoder, SECTION_OK } from '../../../engine/http3/qpack-decoder.ts';
import { isSettingsFailure, parseSettings, serializeSettingsFrame } from '../../../engine/http3/settings.ts';
import { encodeVarint } from '../../../engine/http3/varint.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

/** Recorder buffers HEADERS/SETTINGS/GOAWAY, streams DATA, skips the rest, and logs what it saw. */
class Recorder implements FrameHandler {
  log: string[] = [];
  data = '';
  private readonly limit: number;
  constructor(limit = Infinity) {
    this.limit = limit;
  }
  frameStart(type: number, length: number): number | H3Failure {
    this.log.push(`start ${type} ${length}`);
    if (type === FRAME_DATA) return FRAME_STREAM;
    if (length > this.limit) return { scope: 'stream', code: 1, reason: 'too long' };
    return type === FRAME_HEADERS || type === 0x4 || type === FRAME_GOAWAY ? FRAME_BUFFER : FRAME_SKIP;
  }
  framePayload(type: number, payload: Buffer): H3Failure | undefined {
    this.log.push(`payload ${type} ${payload.toString('hex')}`);
    return undefined;
  }
  frameData(chunk: Buffer): H3Failure | undefined {
    this.data += chunk.toString('latin1');
    return undefined;
  }
}

function readAll(bytes: Buffer, split: number, maxBuffered = 1 << 16): { recorder: Recorder; failure: H3Failure | undefined; midFrame: boolean } {
  const recorder = new Recorder();
  const reader = new FrameReader(recorder, maxBuffered);
  let failure: H3Failure | undefined;
  for (let at = 0; at < bytes.length && failure === undefined; at += split) failure = reader.push(bytes.subarray(at, Math.min(at + split, bytes.length)));
  return { recorder, failure, midFrame: reader.midFrame };
}

describe('serializers', () => {
  it('write DATA, GOAWAY and SETTINGS frames', () => {
    expect(serializeDataFrame(Buffer.from('hi')).toString('hex')).toBe('00026869');
    expect(dataFrameHeader(300).toString('hex')).toBe('00412c');
    expect(serializeGoaway(0).toString('hex')).toBe('070100');
    expect(serializeGoaway(400).toString('hex')).toBe('07024190');
    expect(serializeSettingsFrame({ maxFieldSectionSize: 65536 }).toString('hex')).toBe('0409' + '0100' + '0700' + '0680010000');
  });

  it('write a HEADERS frame that decodes back', () => {
    const fields = [':status', '200', 'content-type', 'text/plain', 'x-long', 'y'.repeat(100)];
    const frame = serializeHeadersFrame(fields);
    expect(frame[0]).toBe(FRAME_HEADERS);
    const length = frame[1]! >= 0x40 ? ((frame[1]! & 0x3f) << 8) | frame[2]! : frame[1]!;
    const header = frame[1]! >= 0x40 ? 3 : 2;
    expect(frame.length).toBe(header + length);
    const section = new FieldSection();
    expect(new FieldSectionDecoder({ maxFieldSectionSize: 4096, maxFieldCount: 10 }).decode(frame, header, frame.length, section)).toBe(SECTION_OK);
    expect(section.fields).toEqual(fields);
  });
});

describe('parseSettings', () => {
  it('reads known settings, fills defaults and ignores unknown and reserved ids', () => {
    const payload = Buffer.concat([hex('0100 0680010000 0701 0801'), encodeVarint(0x1f * 3 + 0x21), encodeVarint(77), encodeVarint(0x33), hex('01')]);
    expect(parseSettings(payload, 0, payload.length)).toEqual({ qpackMaxTableCapacity: 0, maxFieldSectionSize: 65536, qpackBlockedStreams: 1, enableConnectProtocol: true });
    expect(parseSettings(hex(''), 0, 0)).toEqual({ qpackMaxTableCapacity: 0, maxFieldSectionSize: Infinity, qpackBlockedStreams: 0, enableConnectProtocol: false });
  });

  it.each(['02', '03', '04', '05'])('refuses the HTTP/2 setting 0x%s with H3_SETTINGS_ERROR', (id) => {
    expect(parseSettings(hex(`${id}00`), 0, 2)).toMatchObject({ scope: 'connection', code: H3_SETTINGS_ERROR });
  });

  it('refuses a duplicate setting, even an unknown one, and a bad ENABLE_CONNECT_PROTOCOL', () => {
    expect(parseSettings(hex('0600 0601'), 0, 4)).toMatchObject({ code: H3_SETTINGS_ERROR });
    expect(parseSettings(hex('2100 2100'), 0, 4)).toMatchObject({ code: H3_SETTINGS_ERROR });
    expect(parseSettings(hex('0802'), 0, 2)).toMatchObject({ code: H3_SETTINGS_ERROR });
  });

  it('refuses a payload that ends inside a setting with H3_FRAME_ERROR', () => {
    for (const payload of ['06', '0640', '4006']) {
      const result = parseSettings(hex(payload), 0, hex(payload).length);
      expect(isSettingsFailure(result) && result.code).toBe(H3_FRAME_ERROR);
    }
  });
});

describe('FrameReader', () => {
  const stream = Buffer.concat([
    hex('01 03 000051'), // HEADERS
    hex('21 04 deadbeef'), // reserved type 0x21: skipped
    serializeDataFrame(Buffer.from('hello ')),
    hex('00 00'), // empty DATA
    hex('4000 05'), Buffer.from('world'), // DATA with a two-byte type varint
    hex('01 00'), // empty HEADERS (buffered, empty payload)
    hex('07 01 04'), // GOAWAY
  ]);

  it('gives the same frames for input split at every size', () => {
    const whole = readAll(stream, stream.length);
    expect(whole.failure).toBeUndefined();
    expect(whole.midFrame).toBe(false);
    expect(whole.recorder.data).toBe('hello world');
    expect(whole.recorder.log).toEqual(['start 1 3', 'payload 1 000051', 'start 33 4', 'start 0 6', 'start 0 0', 'start 0 5', 'start 1 0', 'payload 1 ', 'start 7 1', 'payload 7 04']);
    for (let split = 1; split < stream.length; split++) {
      const { recorder, failure, midFrame } = readAll(stream, split);
      expect(failure).toBeUndefined();
      expect(midFrame).toBe(false);
      expect(recorder.log).toEqual(whole.recorder.log);
      expect(recorder.data).toBe('hello world');
    }
  });

  it('knows when the input stops inside a frame', () => {
    for (let cut = 1; cut < 5; cut++) expect(readAll(stream.subarray(0, cut), 1).midFrame).toBe(true);
    expect(readAll(stream.subarray(0, 5), 1).midFrame).toBe(false);
  });

  it('streams DATA in the pieces it arrives in, never gathering them', () => {
    const pieces: number[] = [];
    const reader = new FrameReader({ frameStart: () => FRAME_STREAM, framePayload: () => undefined, frameData: (c) => void pieces.push(c.length) }, 16);
    reader.push(Buffer.concat([hex('00 80100000'), Buffer.alloc(1000)]));
    reader.push(Buffer.alloc(5000));
    expect(pieces).toEqual([1000, 5000]);
  });

  it('refuses a frame claiming a huge length as soon as the length is read, holding nothing of it', () => {
    const recorder = new Recorder(1024);
    const reader = new FrameReader(recorder, 1024);
    expect(reader.push(hex('01'))).toBeUndefined();
    expect(reader.push(hex('c0000000ffffffff'))).toMatchObject({ reason: 'too long' });
    expect(recorder.log).toEqual([`start 1 ${0xffffffff}`]);
  });

  it('backstops a handler that asks to buffer more than the bound with H3_EXCESSIVE_LOAD', () => {
    expect(readAll(hex('01 4400'), 2, 1000).failure).toMatchObject({ scope: 'connection', code: H3_EXCESSIVE_LOAD });
  });
});
