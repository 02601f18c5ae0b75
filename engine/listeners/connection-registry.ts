/**
 * ConnectionRegistry tracks the client connections of one listener, so draining can wait for
 * them and, at the deadline, end the ones that are left.
 */
import type { Socket } from 'node:net';

/** ConnectionRegistry holds the open TCP connections of one server. */
export class ConnectionRegistry {
  private readonly sockets = new Set<Socket>();

  /** track registers a new connection and forgets it when it closes. */
  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** size is the number of open connections. */
  get size(): number {
    return this.sockets.size;
  }

  /** destroyAll ends every open connection at once (drain deadline reached). */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
