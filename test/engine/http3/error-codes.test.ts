/**
 * The HTTP/3 error code registry holds the values of RFC 9114 §8.1 and RFC 9204 §6, and names
 * codes outside it in hex (a peer may close with any code).
 */
import { describe, expect, it } from 'vitest';
import { connectionError, errorCodeName, H3_ERROR_NAMES, streamError } from '../../../engine/http3/error-codes.ts';

describe('HTTP/3 error codes', () => {
  it('has the RFC values', () => {
    const expected = [
      'H3_NO_ERROR', 'H3_GENERAL_PROTOCOL_ERROR', 'H3_INTERNAL_ERROR', 'H3_STREAM_CREATION_ERROR', 'H3_CLOSED_CRITICAL_STREAM',
      'H3_FRAME_UNEXPECTED', 'H3_FRAME_ERROR', 'H3_EXCESSIVE_LOAD', 'H3_ID_ERROR', 'H3_SETTINGS_ERROR', 'H3_MISSING_SETTINGS',
      'H3_REQUEST_REJECTED', 'H3_REQUEST_CANCELLED', 'H3_REQUEST_INCOMPLETE', 'H3_MESSAGE_ERROR', 'H3_CONNECT_ERROR', 'H3_VERSION_FALLBACK',
    ];
    expected.forEach((name, i) => expect(H3_ERROR_NAMES.get(0x100 + i)).toBe(name));
    expect([0x200, 0x201, 0x202].map(errorCodeName)).toEqual(['QPACK_DECOMPRESSION_FAILED', 'QPACK_ENCODER_STREAM_ERROR', 'QPACK_DECODER_STREAM_ERROR']);
    expect(H3_ERROR_NAMES.size).toBe(20);
    expect(errorCodeName(0x21)).toBe('0x21');
  });

  it('builds failures with their scope', () => {
    expect(connectionError(0x105, 'x')).toEqual({ scope: 'connection', code: 0x105, reason: 'x' });
    expect(streamError(0x10e, 'y')).toEqual({ scope: 'stream', code: 0x10e, reason: 'y' });
  });
});
