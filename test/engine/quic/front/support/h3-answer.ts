/**
 * A minimal HTTP/3 answer on a raw QUIC server, enough for an external HTTP/3 client to
 * complete a request through the UDP front: the server's control stream with an empty
 * SETTINGS frame, and on each request stream, once the request ends, HEADERS (:status 200,
 * QPACK static entry 25) and a DATA frame naming the server.
 */
import type { QuicServer } from '@currentspace/http3';
import type { Issued } from '../../../../helpers/pki.ts';
import { http3 } from './quic-echo.ts';

/** H3Answer is a running server and how many requests it answered. */
export interface H3Answer {
  server: QuicServer;
  port: number;
  answered: number;
}

/** CONTROL_STREAM is the stream type (0x00) and an empty SETTINGS frame (type 0x04, length 0). */
const CONTROL_STREAM = Buffer.from([0x00, 0x04, 0x00]);

/** HEADERS_200 is a HEADERS frame (type 0x01, length 3): QPACK prefix 00 00, static entry 25 (:status 200). */
const HEADERS_200 = Buffer.from([0x01, 0x03, 0x00, 0x00, 0xd9]);

/** startH3Answer starts a server with alpn h3 on 127.0.0.1 that answers every request with `body`. */
export async function startH3Answer(body: string, cert: Issued): Promise<H3Answer> {
  const server = http3.createQuicServer({ key: cert.keyPem, cert: cert.chainPem, alpn: ['h3'] });
  const state: H3Answer = { server, port: 0, answered: 0 };
  const bodyBytes = Buffer.from(body);
  const data = Buffer.concat([Buffer.from([0x00, bodyBytes.length]), bodyBytes]);
  server.on('session', (session) => {
    session.on('error', () => undefined);
    // The library's raw sessions open server unidirectional streams by id; 3 is the first.
    session._getOrCreateStream(3).write(CONTROL_STREAM);
    session.on('stream', (stream) => {
      stream.on('error', () => undefined);
      stream.on('data', () => undefined);
      const id = (stream as unknown as { _streamId: number })._streamId;
      if (id % 4 !== 0) return; // the client's control and QPACK streams
      stream.on('end', () => {
        state.answered += 1;
        stream.end(Buffer.concat([HEADERS_200, data]));
      });
    });
  });
  state.port = (await server.listen(0, '127.0.0.1')).port;
  return state;
}
