/**
 * ControlStreamReader: the client's control stream as a server reads it (RFC 9114 §6.2.1, §7.2),
 * after its stream type byte. Every failure here closes the connection:
 *
 * - the first frame is not SETTINGS (whatever it is, even an unknown type) → H3_MISSING_SETTINGS;
 * - a second SETTINGS, DATA, HEADERS, PUSH_PROMISE (clients never send it) or an HTTP/2-only
 *   frame type → H3_FRAME_UNEXPECTED;
 * - GOAWAY, MAX_PUSH_ID and CANCEL_PUSH hold exactly one varint, else H3_FRAME_ERROR; a client's
 *   GOAWAY carries a push id that may never grow, MAX_PUSH_ID may never shrink, CANCEL_PUSH may not
 *   name a push id above the MAX_PUSH_ID sent → H3_ID_ERROR;
 * - a SETTINGS frame longer than the reader's bound → H3_EXCESSIVE_LOAD, before it is buffered;
 * - the stream ending at all → H3_CLOSED_CRITICAL_STREAM.
 *
 * Unknown and reserved frame types after SETTINGS are skipped.
 */
import { connectionError, H3_CLOSED_CRITICAL_STREAM, H3_EXCESSIVE_LOAD, H3_FRAME_ERROR, H3_FRAME_UNEXPECTED, H3_ID_ERROR, H3_MISSING_SETTINGS, type H3Failure } from './error-codes.ts';
import { FRAME_BUFFER, FRAME_SKIP, FrameReader, type FrameHandler } from './frame-reader.ts';
import { FRAME_CANCEL_PUSH, FRAME_DATA, FRAME_GOAWAY, FRAME_HEADERS, FRAME_MAX_PUSH_ID, FRAME_PUSH_PROMISE, FRAME_SETTINGS, isHttp2OnlyFrameType } from './frames.ts';
import { isSettingsFailure, parseSettings, type PeerSettings } from './settings.ts';
import { readVarint, varintSizeAt } from './varint.ts';

/** MAX_SETTINGS_FRAME is the default bound on the peer's SETTINGS payload: far above any real one (a few dozen bytes). */
export const MAX_SETTINGS_FRAME = 4096;

/** ControlStreamHandler is told what the peer's control stream says. */
export interface ControlStreamHandler {
  /** settings: the peer's SETTINGS, once, before anything else. */
  settings(settings: PeerSettings): void;
  /** goaway: the client will accept no push with an id at or above `pushId`; the connection is closing. */
  goaway(pushId: number): void;
}

/** ControlStreamReader reads the client's control stream. */
export class ControlStreamReader implements FrameHandler {
  private readonly reader: FrameReader;
  private readonly handler: ControlStreamHandler;
  private readonly maxSettingsFrame: number;
  private settingsSeen = false;
  private lastGoaway = Infinity;
  private maxPushId = -1;

  constructor(handler: ControlStreamHandler, maxSettingsFrame = MAX_SETTINGS_FRAME) {
    this.handler = handler;
    this.maxSettingsFrame = maxSettingsFrame;
    this.reader = new FrameReader(this, Math.max(maxSettingsFrame, 8));
  }

  /** push reads a piece of the stream. */
  push(chunk: Buffer): H3Failure | undefined {
    return this.reader.push(chunk);
  }

  /** end: the client closed (or reset) its control stream. */
  end(): H3Failure {
    return connectionError(H3_CLOSED_CRITICAL_STREAM, 'the client closed its control stream');
  }

  /** settingsReceived tells whether the client's SETTINGS arrived. */
  get settingsReceived(): boolean {
    return this.settingsSeen;
  }

  frameStart(type: number, length: number): number | H3Failure {
    if (!this.settingsSeen) {
      if (type !== FRAME_SETTINGS) return connectionError(H3_MISSING_SETTINGS, `the control stream starts with frame 0x${type.toString(16)}, not SETTINGS`);
      if (length > this.maxSettingsFrame) return connectionError(H3_EXCESSIVE_LOAD, `SETTINGS frame of ${length} bytes`);
      return FRAME_BUFFER;
    }
    switch (type) {
      case FRAME_SETTINGS:
        return connectionError(H3_FRAME_UNEXPECTED, 'second SETTINGS frame on the control stream');
      case FRAME_DATA:
      case FRAME_HEADERS:
        return connectionError(H3_FRAME_UNEXPECTED, `${type === FRAME_DATA ? 'DATA' : 'HEADERS'} frame on the control stream`);
      case FRAME_PUSH_PROMISE:
        return connectionError(H3_FRAME_UNEXPECTED, 'PUSH_PROMISE from a client');
      case FRAME_GOAWAY:
      case FRAME_MAX_PUSH_ID:
      case FRAME_CANCEL_PUSH:
        if (length === 0 || length > 8) return connectionError(H3_FRAME_ERROR, `frame 0x${type.toString(16)} of ${length} bytes does not hold one varint`);
        return FRAME_BUFFER;
      default:
        if (isHttp2OnlyFrameType(type)) return connectionError(H3_FRAME_UNEXPECTED, `HTTP/2 frame type 0x${type.toString(16)}`);
        return FRAME_SKIP;
    }
  }

  framePayload(type: number, payload: Buffer): H3Failure | undefined {
    if (type === FRAME_SETTINGS) {
      const settings = parseSettings(payload, 0, payload.length);
      if (isSettingsFailure(settings)) return settings;
      this.settingsSeen = true;
      this.handler.settings(settings);
      return undefined;
    }
    if (varintSizeAt(payload, 0) !== payload.length) return connectionError(H3_FRAME_ERROR, `frame 0x${type.toString(16)} does not hold exactly one varint`);
    const id = readVarint(payload, 0);
    if (type === FRAME_GOAWAY) {
      if (id > this.lastGoaway) return connectionError(H3_ID_ERROR, `GOAWAY push id ${id} is above the previous ${this.lastGoaway}`);
      this.lastGoaway = id;
      this.handler.goaway(id);
    } else if (type === FRAME_MAX_PUSH_ID) {
      if (id < this.maxPushId) return connectionError(H3_ID_ERROR, `MAX_PUSH_ID ${id} is below the previous ${this.maxPushId}`);
      this.maxPushId = id;
    } else if (id > this.maxPushId) {
      return connectionError(H3_ID_ERROR, `CANCEL_PUSH for push id ${id}, above MAX_PUSH_ID`);
    }
    return undefined;
  }

  frameData(): H3Failure | undefined {
    return undefined;
  }
}
