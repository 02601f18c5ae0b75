/**
 * DemoBackends are the two small HTTP servers behind the demo listener: each answers with
 * its own name and what the load balancer told it (the forwarded headers), so a `curl`
 * shows the round robin and the header handling at a glance.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** DemoBackend is one running demo server. */
export interface DemoBackend {
  readonly name: string;
  readonly port: number;
}

const SHOWN_HEADERS = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-host'];

function answer(name: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const lines = [`Hello from ${name}`, `${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (const h of SHOWN_HEADERS) {
      const v = req.headers[h];
      if (v !== undefined) lines.push(`${h}: ${Array.isArray(v) ? v.join(', ') : v}`);
    }
    const body = `${lines.join('\n')}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-demo-backend': name });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** DemoBackends starts and stops the two demo servers on ephemeral loopback ports. */
export class DemoBackends {
  readonly backends: readonly DemoBackend[];
  readonly #servers: readonly Server[];
  #closed: Promise<void> | undefined;

  private constructor(servers: readonly Server[], backends: readonly DemoBackend[]) {
    this.#servers = servers;
    this.backends = backends;
  }

  /** start listens on 127.0.0.1 with two ports chosen by the OS. */
  static async start(): Promise<DemoBackends> {
    const servers: Server[] = [];
    const backends: DemoBackend[] = [];
    for (const name of ['demo backend 1', 'demo backend 2']) {
      const server = createServer({ keepAliveTimeout: 60_000 }, answer(name));
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(0, '127.0.0.1', () => ok());
      });
      servers.push(server);
      backends.push({ name, port: (server.address() as AddressInfo).port });
    }
    return new DemoBackends(servers, backends);
  }

  /** close stops both servers; idempotent. */
  close(): Promise<void> {
    this.#closed ??= Promise.all(
      this.#servers.map(
        (s) =>
          new Promise<void>((ok) => {
            s.close(() => ok());
            s.closeAllConnections();
          }),
      ),
    ).then(() => undefined);
    return this.#closed;
  }
}
