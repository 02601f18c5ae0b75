/**
 * The client's unidirectional streams: type dispatch (control, push, QPACK encoder and decoder,
 * duplicates, unknown types as stream errors only), and the control stream's rules — SETTINGS
 * first and once, frames that do not belong there, GOAWAY / MAX_PUSH_ID / CANCEL_PUSH ids, and
 * its closing — each with its code and scope, split at every byte.
 */
import { describe, expect, it } from 'vitest';
import {
  H3_CLOSED_CRITICAL_STREAM,
  H3_EXCESSIVE_LOAD,
  H3_FRAME_ERROR,
  H3_FRAME_UNEXPECTED,
  H3_ID_ERROR,
  H3_MISSING_SETTINGS,
  H3_SETTINGS_ERROR,
  H3_STREAM_CREATION_ERROR,
  QPACK_ENCODER_STREAM_ERROR,
  type H3Failure,
} from '../../../engine/http3/error-codes.ts';
import type { PeerSettings } from '../../../engine/http3/settings.ts';
import { PeerUniStreams, UniStreamReader } from '../../../engine/http3/uni-streams.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function connection() {
  const seen = { settings: [] as PeerSettings[], goaways: [] as number[] };
  const streams = new PeerUniStreams({ settings: (s) => void seen.settings.push(s), goaway: (id) => void seen.goaways.push(id) }, 64);
  return { streams, seen };
}

function feed(reader: UniStreamReader, bytes: Buffer, split = bytes.length): H3Failure | undefined {
  for (let at = 0; at < bytes.length; at += split) {
    const failure = reader.push(bytes.subarray(at, Math.min(at + split, bytes.length)));
    if (failure !== undefined) return failure;
  }
  return undefined;
}

const SETTINGS = '04 04 0100 0630';

describe('unidirectional stream dispatch', () => {
  it('routes a control stream and reads its SETTINGS and GOAWAY, split at every byte', () => {
    const bytes = hex(`00 ${SETTINGS} 21 02 abcd 0d 01 08 03 01 02 07 01 05 07 01 05 07 01 03`);
    for (let split = 1; split <= bytes.length; split++) {
      const { streams, seen } = connection();
      const reader = streams.open();
      expect(feed(reader, bytes, split)).toBeUndefined();
      expect(reader.streamType).toBe(0);
      expect(seen.settings).toEqual([{ qpackMaxTableCapacity: 0, maxFieldSectionSize: 48, qpackBlockedStreams: 0, enableConnectProtocol: false }]);
      expect(seen.goaways).toEqual([5, 5, 3]);
    }
  });

  it('routes QPACK encoder and decoder streams', () => {
    const { streams } = connection();
    expect(feed(streams.open(), hex('02 20'), 1)).toBeUndefined();
    expect(feed(streams.open(), hex('03 41'), 1)).toBeUndefined();
    expect(feed(streams.open(), hex('02'))).toMatchObject({ scope: 'connection', code: H3_STREAM_CREATION_ERROR });
    const third = connection().streams.open();
    expect(feed(third, hex('02 3fbd01'))).toMatchObject({ scope: 'connection', code: QPACK_ENCODER_STREAM_ERROR });
  });

  it.each([
    ['a second control stream', '00', '00'],
    ['a second QPACK encoder stream', '02', '02'],
    ['a second QPACK decoder stream', '03', '03'],
  ])('refuses %s with H3_STREAM_CREATION_ERROR on the connection', (_what, first, second) => {
    const { streams } = connection();
    expect(feed(streams.open(), hex(first))).toBeUndefined();
    expect(feed(streams.open(), hex(second))).toMatchObject({ scope: 'connection', code: H3_STREAM_CREATION_ERROR });
  });

  it('refuses a push stream from a client on the connection', () => {
    expect(feed(connection().streams.open(), hex('01 00'))).toMatchObject({ scope: 'connection', code: H3_STREAM_CREATION_ERROR });
  });

  it.each(['21', '4040', '54', '80000021'])('stops reading an unknown or reserved stream type 0x%s as a stream error only', (type) => {
    const { streams } = connection();
    const reader = streams.open();
    expect(feed(reader, Buffer.concat([hex(type), hex('ffff')]), 1)).toMatchObject({ scope: 'stream', code: H3_STREAM_CREATION_ERROR });
    expect(reader.push(hex('00'))).toBeUndefined();
    expect(reader.end()).toBeUndefined();
    expect(feed(streams.open(), hex(`00 ${SETTINGS}`))).toBeUndefined();
  });

  it('forgets a stream closed before its type', () => {
    const reader = connection().streams.open();
    expect(reader.end()).toBeUndefined();
    expect(reader.streamType).toBe(-1);
  });

  it.each([
    ['control', `00 ${SETTINGS}`],
    ['QPACK encoder', '02'],
    ['QPACK decoder', '03'],
  ])('closes the connection when the %s stream closes', (_what, bytes) => {
    const reader = connection().streams.open();
    expect(feed(reader, hex(bytes))).toBeUndefined();
    expect(reader.end()).toMatchObject({ scope: 'connection', code: H3_CLOSED_CRITICAL_STREAM });
  });
});

describe('control stream', () => {
  it.each([
    ['a first frame other than SETTINGS', '07 01 00', H3_MISSING_SETTINGS],
    ['an unknown first frame', '21 00', H3_MISSING_SETTINGS],
    ['a second SETTINGS', `${SETTINGS} 04 00`, H3_FRAME_UNEXPECTED],
    ['DATA', `${SETTINGS} 00 01 61`, H3_FRAME_UNEXPECTED],
    ['HEADERS', `${SETTINGS} 01 02 0000`, H3_FRAME_UNEXPECTED],
    ['PUSH_PROMISE', `${SETTINGS} 05 02 0000`, H3_FRAME_UNEXPECTED],
    ['HTTP/2 PRIORITY', `${SETTINGS} 02 00`, H3_FRAME_UNEXPECTED],
    ['HTTP/2 PING', `${SETTINGS} 06 08 0000000000000000`, H3_FRAME_UNEXPECTED],
    ['HTTP/2 WINDOW_UPDATE', `${SETTINGS} 08 04 00000001`, H3_FRAME_UNEXPECTED],
    ['HTTP/2 CONTINUATION', `${SETTINGS} 09 00`, H3_FRAME_UNEXPECTED],
    ['a duplicate setting', '04 04 0600 0600', H3_SETTINGS_ERROR],
    ['an HTTP/2 setting', '04 02 0200', H3_SETTINGS_ERROR],
    ['a SETTINGS frame over its bound', '04 41 00', H3_EXCESSIVE_LOAD],
    ['an empty GOAWAY', `${SETTINGS} 07 00`, H3_FRAME_ERROR],
    ['a GOAWAY with bytes after its id', `${SETTINGS} 07 02 0101`, H3_FRAME_ERROR],
    ['a GOAWAY id that grows', `${SETTINGS} 07 01 04 07 01 05`, H3_ID_ERROR],
    ['a MAX_PUSH_ID that shrinks', `${SETTINGS} 0d 01 08 0d 01 07`, H3_ID_ERROR],
    ['a CANCEL_PUSH above MAX_PUSH_ID', `${SETTINGS} 0d 01 02 03 01 03`, H3_ID_ERROR],
    ['a CANCEL_PUSH without MAX_PUSH_ID', `${SETTINGS} 03 01 00`, H3_ID_ERROR],
  ])('refuses %s on the connection, split at every byte', (_what, frames, code) => {
    const bytes = Buffer.concat([hex('00'), hex(frames)]);
    for (let split = 1; split <= bytes.length; split++) {
      expect(feed(connection().streams.open(), bytes, split)).toMatchObject({ scope: 'connection', code });
    }
  });
});
