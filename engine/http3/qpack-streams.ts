/**
 * The peer's QPACK encoder and decoder streams (RFC 9204 §4.3, §4.4) when our dynamic table
 * capacity is 0 and we never insert into the peer's.
 *
 * - On the peer's encoder stream the only instruction we can accept is Set Dynamic Table
 *   Capacity with 0 (≤ our maximum); any other capacity, and every insert or duplicate, is
 *   QPACK_ENCODER_STREAM_ERROR.
 * - On the peer's decoder stream only Stream Cancellation can be right: we never send a section
 *   that references the dynamic table, so a Section Acknowledgment or an Insert Count Increment
 *   refers to something that never happened — QPACK_DECODER_STREAM_ERROR.
 * - Either stream closing is H3_CLOSED_CRITICAL_STREAM (RFC 9204 §4.2).
 *
 * Our own decoder stream need never carry anything (nothing to acknowledge, no table to cancel
 * against), and our encoder stream nothing either.
 */
import { connectionError, H3_CLOSED_CRITICAL_STREAM, QPACK_DECODER_STREAM_ERROR, QPACK_ENCODER_STREAM_ERROR, type H3Failure } from './error-codes.ts';
import { INT_INCOMPLETE, INT_OK, PrefixedIntReader } from './prefixed-integer.ts';

/** QPACK_MAX_TABLE_CAPACITY is the dynamic table capacity we advertise: none. */
export const QPACK_MAX_TABLE_CAPACITY = 0;
/** QPACK_BLOCKED_STREAMS is the number of streams we let block on the table: none. */
export const QPACK_BLOCKED_STREAMS = 0;

/** QpackEncoderStreamReader reads the peer's encoder stream (after its stream type). */
export class QpackEncoderStreamReader {
  private readonly int = new PrefixedIntReader();
  private inCapacity = false;

  /** push reads a piece of the stream; a failure closes the connection. */
  push(chunk: Uint8Array): H3Failure | undefined {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (!this.inCapacity) {
        const first = chunk[at]!;
        if ((first & 0x80) !== 0) return connectionError(QPACK_ENCODER_STREAM_ERROR, 'Insert with Name Reference while the dynamic table capacity is 0');
        if ((first & 0x40) !== 0) return connectionError(QPACK_ENCODER_STREAM_ERROR, 'Insert with Literal Name while the dynamic table capacity is 0');
        if ((first & 0x20) === 0) return connectionError(QPACK_ENCODER_STREAM_ERROR, 'Duplicate while the dynamic table is empty');
        this.int.begin(5);
        this.inCapacity = true;
      }
      const r = this.int.read(chunk, at, end);
      at = this.int.next;
      if (r === INT_INCOMPLETE) return undefined;
      if (r !== INT_OK || this.int.value > QPACK_MAX_TABLE_CAPACITY) {
        return connectionError(QPACK_ENCODER_STREAM_ERROR, `Set Dynamic Table Capacity beyond the advertised maximum of ${QPACK_MAX_TABLE_CAPACITY}`);
      }
      this.inCapacity = false;
    }
    return undefined;
  }

  /** end: the peer closed its encoder stream. */
  end(): H3Failure {
    return connectionError(H3_CLOSED_CRITICAL_STREAM, 'the peer closed its QPACK encoder stream');
  }
}

/** QpackDecoderStreamReader reads the peer's decoder stream (after its stream type). */
export class QpackDecoderStreamReader {
  private readonly int = new PrefixedIntReader();
  private inCancellation = false;

  /** push reads a piece of the stream; a failure closes the connection. */
  push(chunk: Uint8Array): H3Failure | undefined {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (!this.inCancellation) {
        const first = chunk[at]!;
        if ((first & 0x80) !== 0) return connectionError(QPACK_DECODER_STREAM_ERROR, 'Section Acknowledgment for a section that referenced no dynamic table entry');
        if ((first & 0x40) === 0) return connectionError(QPACK_DECODER_STREAM_ERROR, 'Insert Count Increment while nothing was inserted');
        this.int.begin(6);
        this.inCancellation = true;
      }
      const r = this.int.read(chunk, at, end);
      at = this.int.next;
      if (r === INT_INCOMPLETE) return undefined;
      if (r !== INT_OK) return connectionError(QPACK_DECODER_STREAM_ERROR, 'Stream Cancellation stream id overflows');
      this.inCancellation = false;
    }
    return undefined;
  }

  /** end: the peer closed its decoder stream. */
  end(): H3Failure {
    return connectionError(H3_CLOSED_CRITICAL_STREAM, 'the peer closed its QPACK decoder stream');
  }
}
