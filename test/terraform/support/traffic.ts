/**
 * Traffic through the listeners the Terraform tests make: a backend that answers every request
 * with HELLO, and one GET through a listener, plain or over TLS (the test certificates are not
 * verified; the served certificate's SHA-1 tells which one it was).
 */
import { createServer, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** HELLO is what the hello backend answers. */
export const HELLO = 'hello from the backend';

/** HelloBackend is a running backend on 127.0.0.1. */
export interface HelloBackend {
  readonly port: number;
  close(): Promise<void>;
}

/** startHelloBackend starts a node:http backend on a free port of 127.0.0.1 that answers 200 HELLO. */
export async function startHelloBackend(): Promise<HelloBackend> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(HELLO);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Answer is a response's status and body. */
export interface Answer {
  status: number;
  body: string;
}

/** get sends GET / to 127.0.0.1:port and resolves with the answer. */
export function get(port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 5000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** getTls sends GET / over TLS to 127.0.0.1:port for `servername`, and resolves with the answer and the served certificate's SHA-1 (lower-case hex, as `Issued.sha1`). */
export function getTls(port: number, servername = 'site.test'): Promise<Answer & { sha1: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 5000, rejectUnauthorized: false, servername, agent: false }, (res) => {
      const sha1 = (res.socket as TLSSocket).getPeerCertificate().fingerprint.replaceAll(':', '').toLowerCase();
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sha1 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
