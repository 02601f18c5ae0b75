/**
 * A UDP socket that records what it receives, standing for a client or an internal server in
 * the UDP front's datagram-level tests.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { eventually } from '../../../../helpers/eventually.ts';

/** Received is one datagram and where it came from. */
export interface Received {
  data: Buffer;
  from: RemoteInfo;
}

/** UdpPeer is a bound socket and the datagrams it received. */
export interface UdpPeer {
  socket: Socket;
  port: number;
  received: Received[];
  /** send sends to `port` on the peer's loopback address. */
  send(data: Buffer, port: number): void;
  /** waitFor waits until `count` datagrams have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** udpPeer binds a socket on 127.0.0.1 (or ::1) on an ephemeral port; `echo` sends every datagram back. */
export async function udpPeer(options: { echo?: boolean; v6?: boolean } = {}): Promise<UdpPeer> {
  const host = options.v6 ? '::1' : '127.0.0.1';
  const socket = createSocket(options.v6 ? 'udp6' : 'udp4');
  const received: Received[] = [];
  socket.on('message', (data, from) => {
    received.push({ data, from });
    if (options.echo) socket.send(data, from.port, from.address);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  return {
    socket,
    port: socket.address().port,
    received,
    send: (data, port) => socket.send(data, port, host),
    waitFor: async (count, timeoutMs = 3000) => {
      await eventually(() => {
        if (received.length < count) throw new Error(`${received.length} of ${count} datagrams arrived`);
      }, timeoutMs, 10);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
