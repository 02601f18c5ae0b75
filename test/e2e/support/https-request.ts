/**
 * httpsRequest: one HTTPS request through a listener on a fresh connection (no agent, so each
 * call makes its own TLS handshake with its own SNI name, client certificate and TLS limits),
 * answering what the client saw: status, body, and the certificate and TLS parameters served.
 */
import { request, type Agent } from 'node:https';
import type { PeerCertificate, SecureVersion } from 'node:tls';

/** HttpsRequestOptions choose the connection and the request. */
export interface HttpsRequestOptions {
  port: number;
  /** Trusted CA certificates (PEM). */
  ca: string;
  /** SNI name and Host header; default `localhost`. */
  servername?: string;
  path?: string;
  /** Client certificate chain and key (PEM), for mutual TLS. */
  cert?: string;
  key?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher list (TLS 1.2 and below). */
  ciphers?: string;
  /** Check the served certificate's name against servername; default true. */
  checkName?: boolean;
  timeoutMs?: number;
  /** A keep-alive agent to reuse connections; default none (a new connection per request). */
  agent?: Agent;
}

/** HttpsAnswer is what the client saw. */
export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The served leaf certificate. */
  peer: PeerCertificate;
  protocol: string | null;
  cipher: string;
  /** True when the request went over a connection kept alive from an earlier one. */
  reusedSocket: boolean;
}

/** httpsRequest sends GET and resolves with the answer; a failed handshake rejects. */
export function httpsRequest(o: HttpsRequestOptions): Promise<HttpsAnswer> {
  const servername = o.servername ?? 'localhost';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: o.port,
        path: o.path ?? '/',
        method: 'GET',
        agent: o.agent ?? false,
        servername,
        headers: { host: servername },
        ca: o.ca,
        ...(o.cert !== undefined ? { cert: o.cert, key: o.key } : {}),
        ...(o.minVersion !== undefined ? { minVersion: o.minVersion } : {}),
        ...(o.maxVersion !== undefined ? { maxVersion: o.maxVersion } : {}),
        ...(o.ciphers !== undefined ? { ciphers: o.ciphers } : {}),
        ...(o.checkName === false ? { checkServerIdentity: () => undefined } : {}),
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        const socket = res.socket as import('node:tls').TLSSocket;
        const peer = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        const cipher = socket.getCipher().name;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer, protocol, cipher, reusedSocket: req.reusedSocket }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${o.port} within ${o.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** waitForAnswer retries until a request answers `status` (a listener may still be starting), else throws the last failure. */
export async function waitForAnswer(o: HttpsRequestOptions, status = 200, timeoutMs = 15_000): Promise<HttpsAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const answer = await httpsRequest(o);
      if (answer.status === status) return answer;
      last = new Error(`status ${answer.status}: ${answer.body}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, 100));
  }
}
