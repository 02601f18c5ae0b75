/**
 * Rapid Reset on HTTP/3 (SPEC E17): a client that cancels its requests and asks again may get
 * stream credit back before the exchanges it started learn of the cancel (the transport does
 * not report a cancel on a stream whose request had ended). One connection never has more than
 * MAX_CONCURRENT_STREAMS requests in the pipeline: extra request streams are refused with
 * H3_REQUEST_REJECTED and counted as cancels, and a client that keeps at it is cut off with
 * H3_EXCESSIVE_LOAD. Shown twice: with the QUIC library's own client against a backend that
 * holds every request, and with a scripted session that hands the credit back at once.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H3_EXCESSIVE_LOAD, H3_REQUEST_REJECTED } from '../../../engine/http3/error-codes.ts';
import { serializeHeadersFrame } from '../../../engine/http3/frames.ts';
import { H3Connection, MAX_CONCURRENT_STREAMS, type H3ConnectionHost } from '../../../engine/quic/h3-connection.ts';
import type { QuicSessionLike, QuicStreamLike, QuicTransport } from '../../../engine/quic/quic-transport.ts';
import { HTTP2_FLOOD_LIMITS } from '../../../engine/limits/http2-guard.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { quicSnapshot, rawConnect } from './quic-support.ts';

/** H3_REQUEST_CANCELLED is the code a client cancels a request with (RFC 9114 §8.1). */
const H3_REQUEST_CANCELLED = 0x10c;
const REQUEST = [':method', 'GET', ':scheme', 'https', ':authority', 'localhost', ':path', '/slow'];

/** ScriptedStream is a peer request stream that records how the server ended it. */
class ScriptedStream extends Duplex implements QuicStreamLike {
  readonly id: number;
  closedWith: number | undefined;
  constructor(id: number) {
    super();
    this.id = id;
  }
  override _read(): void {}
  override _write(_chunk: Buffer, _encoding: string, done: () => void): void {
    done();
  }
  close(code = 0): void {
    this.closedWith = code;
    this.destroy();
  }
}

/** ScriptedSession is a QUIC session whose peer opens request streams without limit, as a transport that returns credit early would allow. */
class ScriptedSession extends EventEmitter implements QuicSessionLike {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40_000;
  closedWith: number | undefined;
  close(code = 0): void {
    this.closedWith ??= code;
  }
  ping(): boolean {
    return true;
  }
}

describe('HTTP/3 Rapid Reset, scripted', () => {
  it(`refuses request streams beyond ${MAX_CONCURRENT_STREAMS} in the pipeline with H3_REQUEST_REJECTED, and closes the connection with H3_EXCESSIVE_LOAD once the cancel budget is spent`, () => {
    const session = new ScriptedSession();
    const transport = { openControlStream: () => new ScriptedStream(3) } as unknown as QuicTransport;
    const host: H3ConnectionHost = {
      currentConfig: () => {
        throw new Error('no request reaches the pipeline in this test');
      },
      services: { accessLog: undefined, metrics: undefined },
      closed: () => undefined,
      headersTimeoutMs: 10_000,
    };
    const connection = new H3Connection(transport, session, host);
    const streams: ScriptedStream[] = [];
    const open = (): ScriptedStream => {
      const stream = new ScriptedStream(streams.length * 4);
      streams.push(stream);
      session.emit('stream', stream);
      return stream;
    };
    // The limit's worth of requests whose heads are still coming: all taken.
    for (let i = 0; i < MAX_CONCURRENT_STREAMS; i++) open();
    expect(streams.filter((s) => s.closedWith !== undefined)).toEqual([]);
    expect(connection.inFlight).toBe(MAX_CONCURRENT_STREAMS);
    // One more: refused, the connection goes on.
    expect(open().closedWith).toBe(H3_REQUEST_REJECTED);
    expect(session.closedWith).toBeUndefined();
    expect(connection.inFlight).toBe(MAX_CONCURRENT_STREAMS);
    // A client that keeps asking beyond the limit spends the cancel budget and is cut off.
    for (let i = 1; i < HTTP2_FLOOD_LIMITS.cancelledStreams.burst + 1 && session.closedWith === undefined; i++) open();
    expect(session.closedWith).toBe(H3_EXCESSIVE_LOAD);
    expect(connection.inFlight).toBe(MAX_CONCURRENT_STREAMS);
  });
});

describe('HTTP/3 Rapid Reset, end to end', () => {
  let harness: EngineHarness;
  let backend: TestBackend;
  let port: number;
  let waiting = 0;
  let mostWaiting = 0;
  const held: (() => void)[] = [];

  beforeAll(async () => {
    const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa());
    harness = new EngineHarness();
    // The backend answers nothing until the test ends: every request stays in the pipeline.
    backend = await startBackend('slow', (req, res) => {
      waiting++;
      mostWaiting = Math.max(mostWaiting, waiting);
      let answered = false;
      const answer = () => {
        if (answered) return;
        answered = true;
        waiting--;
        if (!res.destroyed) res.end('late');
      };
      req.socket.on('close', answer);
      held.push(answer);
      return true;
    });
    port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert, quic: { requestTimeout: 30 } })), 'lsn-q');
  });

  afterAll(async () => {
    for (const answer of held) answer();
    await harness.close();
    await backend.close();
  });

  it(`cancelling and asking again, rounds over, never puts more than ${MAX_CONCURRENT_STREAMS} requests of one connection in the pipeline`, async () => {
    const session = await rawConnect(port);
    try {
      let opened = 0;
      for (let round = 0; round < 4 && !session.closed; round++) {
        const streams = [];
        for (let i = 0; i < MAX_CONCURRENT_STREAMS; i++) {
          let stream;
          try {
            stream = session.openStream();
          } catch {
            break; // No stream credit left: the server has not let go of the cancelled streams.
          }
          stream.on('error', () => undefined);
          stream.end(serializeHeadersFrame(REQUEST));
          streams.push(stream);
          opened++;
        }
        await new Promise((resolve) => setTimeout(resolve, 400));
        for (const s of streams) (s as unknown as { close(code: number): void }).close(H3_REQUEST_CANCELLED);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      console.log(`opened ${opened} request streams over 4 rounds; the backend got ${backend.hits}, at most ${mostWaiting} waiting at once`);
      expect(backend.hits).toBeGreaterThanOrEqual(MAX_CONCURRENT_STREAMS);
      expect(mostWaiting).toBeLessThanOrEqual(MAX_CONCURRENT_STREAMS);
    } finally {
      await session.close();
    }
  }, 30_000);
});
