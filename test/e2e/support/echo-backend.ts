/**
 * EchoBackend: a small node:http backend on an ephemeral port that answers every request with
 * its own name and the request it received (method, path, headers as sent on the wire), so a
 * test can tell which backend got a request and what the load balancer added to it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** EchoedRequest is what a backend saw and echoes back. */
export interface EchoedRequest {
  backend: string;
  method: string;
  url: string;
  /** Header names in lower case → value. */
  headers: Record<string, string | string[] | undefined>;
}

/** EchoBackend owns one HTTP server. */
export class EchoBackend {
  readonly name: string;
  readonly port: number;
  /** Every request received, health checks included. */
  readonly received: EchoedRequest[] = [];
  readonly #server: Server;
  #closed = false;

  private constructor(name: string, port: number, server: Server) {
    this.name = name;
    this.port = port;
    this.#server = server;
  }

  /** start listens on 127.0.0.1 port 0. */
  static async start(name: string): Promise<EchoBackend> {
    let self: EchoBackend | undefined;
    const server = createServer((req: IncomingMessage, res) => {
      const seen: EchoedRequest = { backend: name, method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } };
      self?.received.push(seen);
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify(seen);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-backend': name });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new EchoBackend(name, (server.address() as { port: number }).port, server);
    return self;
  }

  /** hostPort is the address as the examples' config takes it. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** close stops listening and cuts open connections; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
