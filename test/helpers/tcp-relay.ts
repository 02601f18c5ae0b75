/**
 * TcpRelay forwards connections from its own port on 127.0.0.1 to a target port, and can cut
 * them: every open connection reset and new ones refused, as when a database server or the
 * network to it goes away, until restore() listens again on the same port. A test points one
 * client (a node's store) at the relay to take its database away without touching the server
 * other tests share.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** TcpRelay is one relay; close() ends it for good. */
export class TcpRelay {
  readonly #target: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;

  private constructor(target: number) {
    this.#target = target;
  }

  /** start relays an ephemeral port (or `port`) of 127.0.0.1 to `target` on 127.0.0.1. */
  static async start(target: number, port = 0): Promise<TcpRelay> {
    const relay = new TcpRelay(target);
    await relay.#listen(port);
    return relay;
  }

  get port(): number {
    return this.#port;
  }

  /** cut resets every relayed connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.resetAndDestroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** restore accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (!this.#server) await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  #listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.#port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }
}
