/**
 * Test clients: plain node:http / node:https / node:http2 / node:tls calls with explicit
 * agents and bounded time, returning what tests assert on.
 */
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** Reply is a finished response. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** httpGet sends one request over a fresh connection (no keep-alive unless an agent is given). */
export function httpGet(port: number, path = '/', options: { agent?: HttpAgent; headers?: Record<string, string>; method?: string; body?: string; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false, timeout: options.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** httpsGet sends one HTTPS request with the given TLS options. */
export function httpsGet(port: number, tls: ConnectionOptions & { agent?: HttpsAgent }, path = '/', timeoutMs = 10_000): Promise<Reply & { socket: { protocol: string | null; cipher: string } }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, agent: tls.agent ?? false, timeout: timeoutMs, ...tls }, (res) => {
      const socket = res.socket as TLSSocket;
      const info = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), socket: info }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Handshake is what a finished TLS handshake showed. */
export interface Handshake {
  ok: true;
  /** CN of the certificate the server presented. */
  commonName: string;
  subjectAltNames: string;
  protocol: string | null;
  cipher: string;
  alpn: string | false | null;
  sessionReused: boolean;
  session: Buffer | undefined;
}

/** HandshakeFailure is a refused handshake. */
export interface HandshakeFailure {
  ok: false;
  error: string;
}

/**
 * tlsHandshake connects, completes the handshake (and, for TLS 1.3, waits for the server's
 * session tickets or a post-handshake alert such as a refused client certificate), then closes.
 */
export function tlsHandshake(port: number, options: ConnectionOptions & { settleMs?: number } = {}): Promise<Handshake | HandshakeFailure> {
  return new Promise((resolve) => {
    let session: Buffer | undefined;
    let settled = false;
    const done = (value: Handshake | HandshakeFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      socket.destroy();
      resolve(value);
    };
    const guard = setTimeout(() => done({ ok: false, error: 'timeout' }), 10_000);
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    socket.on('session', (s: Buffer) => {
      session = s;
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const seen = {
        ok: true as const,
        commonName: String(cert.subject?.CN ?? ''),
        subjectAltNames: cert.subjectaltname ?? '',
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        alpn: socket.alpnProtocol ?? false,
        sessionReused: socket.isSessionReused(),
      };
      // TLS 1.3 sends tickets and client-certificate verdicts after the handshake: give them a moment.
      setTimeout(() => done({ ...seen, session }), options.settleMs ?? 150);
    });
    socket.on('error', (err) => done({ ok: false, error: err.message }));
    socket.on('close', () => done({ ok: false, error: 'connection closed' }));
    // Reading keeps the TLS layer processing post-handshake messages.
    socket.resume();
  });
}

/** h2Get sends one HTTP/2 request and closes the session. */
export function h2Get(port: number, tls: ConnectionOptions, path = '/'): Promise<Reply & { alpn: string | false | null | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, ...tls });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error('h2 timeout'));
    }, 10_000);
    session.on('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
    const stream = session.request({ ':path': path });
    let headers: Record<string, string | string[] | undefined> = {};
    stream.on('response', (h) => {
      headers = h;
    });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      clearTimeout(timer);
      const alpn = (session.socket as TLSSocket | undefined)?.alpnProtocol;
      session.close();
      resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString(), alpn });
    });
    stream.on('error', (err) => {
      clearTimeout(timer);
      session.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    });
    stream.end();
  });
}
