/**
 * Test backends: real HTTP servers on 127.0.0.1 that answer with their own name and what
 * they received, so tests can see which backend served a request and what was forwarded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Backend is one running test backend. */
export interface TestBackend {
  name: string;
  port: number;
  server: Server;
  /** Requests received so far. */
  hits: number;
  close(): Promise<void>;
}

/** BackendHandler may answer a request itself; return false to fall back to the echo answer. */
export type BackendHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean | void;

/** startBackend starts an echo backend: JSON {backend, method, url, headers, rawHeaders, body}. */
export async function startBackend(name: string, handler?: BackendHandler): Promise<TestBackend> {
  const server = createServer();
  const backend: TestBackend = {
    name,
    port: 0,
    server,
    hits: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req, res) => {
    backend.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (handler && handler(req, res, body) !== false) return;
      const out = JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, body: body.toString() });
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backend.port = (server.address() as AddressInfo).port;
  return backend;
}
