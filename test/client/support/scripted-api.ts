/**
 * ScriptedApi: a stand-in for the management API on a real 127.0.0.1 socket (port 0) whose
 * answers a test scripts request by request: JSON, problem+json, a proxy's HTML page, no answer
 * at all, or a connection cut before any answer. It records every request it took.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Seen is one request as the stand-in received it. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Script answers the n-th request (0-based): it writes the answer, cuts the socket, or leaves it hanging. */
export type Script = (req: Seen, res: ServerResponse, n: number) => void;

/** json answers a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}

/** cut destroys the connection before any answer: the client sees a reset / closed socket. */
export function cut(res: ServerResponse): void {
  res.socket?.destroy();
}

/** ScriptedApi owns the server; close() ends every connection. */
export class ScriptedApi {
  readonly seen: Seen[] = [];
  script: Script = (_req, res) => json(res, 200, {});
  readonly #server: Server;
  url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        const n = this.seen.length;
        this.seen.push(seen);
        this.script(seen, res, n);
      });
    });
  }

  static async start(): Promise<ScriptedApi> {
    const api = new ScriptedApi();
    await new Promise<void>((done) => api.#server.listen(0, '127.0.0.1', done));
    api.url = `http://127.0.0.1:${(api.#server.address() as AddressInfo).port}`;
    return api;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}
