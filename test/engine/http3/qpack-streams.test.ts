/**
 * The peer's QPACK encoder and decoder streams with our table capacity at 0: only Set Dynamic
 * Table Capacity 0 and Stream Cancellation pass, split anywhere; everything else, and closing
 * either stream, closes the connection with the RFC 9204 code.
 */
import { describe, expect, it } from 'vitest';
import { H3_CLOSED_CRITICAL_STREAM, QPACK_DECODER_STREAM_ERROR, QPACK_ENCODER_STREAM_ERROR } from '../../../engine/http3/error-codes.ts';
import { QpackDecoderStreamReader, QpackEncoderStreamReader } from '../../../engine/http3/qpack-streams.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function feed(reader: { push(chunk: Uint8Array): unknown }, bytes: Buffer, split: number): unknown {
  for (let at = 0; at < bytes.length; at += split) {
    const failure = reader.push(bytes.subarray(at, Math.min(at + split, bytes.length)));
    if (failure !== undefined) return failure;
  }
  return undefined;
}

describe('peer encoder stream', () => {
  it('accepts Set Dynamic Table Capacity 0, repeated and split at every byte', () => {
    for (const split of [1, 2, 100]) expect(feed(new QpackEncoderStreamReader(), hex('20 20 20'), split)).toBeUndefined();
  });

  it.each([
    ['a capacity of 220 (RFC 9204 B.2)', '3fbd01'],
    ['a capacity of 1', '21'],
    ['a capacity of 31', '3f00'],
    ['an overflowing capacity', '3fffffffffff7f'],
    ['Insert with Name Reference', 'c00f7777772e6578616d706c652e636f6d'],
    ['Insert with Literal Name', '4a637573746f6d2d6b65790c637573746f6d2d76616c7565'],
    ['Duplicate', '00'],
  ])('refuses %s with QPACK_ENCODER_STREAM_ERROR', (_what, bytes) => {
    for (const split of [1, 100]) {
      expect(feed(new QpackEncoderStreamReader(), hex(bytes), split)).toMatchObject({ scope: 'connection', code: QPACK_ENCODER_STREAM_ERROR });
    }
  });

  it('treats its closing as H3_CLOSED_CRITICAL_STREAM', () => {
    expect(new QpackEncoderStreamReader().end()).toMatchObject({ scope: 'connection', code: H3_CLOSED_CRITICAL_STREAM });
  });
});

describe('peer decoder stream', () => {
  it('accepts Stream Cancellation, split at every byte', () => {
    for (const split of [1, 3, 100]) expect(feed(new QpackDecoderStreamReader(), hex('44 7f 81 01 40'), split)).toBeUndefined();
  });

  it.each([
    ['Section Acknowledgment (RFC 9204 B.2)', '84'],
    ['Insert Count Increment', '01'],
    ['Insert Count Increment of 0', '00'],
  ])('refuses %s with QPACK_DECODER_STREAM_ERROR', (_what, bytes) => {
    expect(feed(new QpackDecoderStreamReader(), hex(bytes), 1)).toMatchObject({ scope: 'connection', code: QPACK_DECODER_STREAM_ERROR });
  });

  it('treats its closing as H3_CLOSED_CRITICAL_STREAM', () => {
    expect(new QpackDecoderStreamReader().end()).toMatchObject({ scope: 'connection', code: H3_CLOSED_CRITICAL_STREAM });
  });
});
