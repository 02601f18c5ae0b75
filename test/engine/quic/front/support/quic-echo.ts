/**
 * Real QUIC endpoints for the UDP front's tests: internal servers from @currentspace/http3
 * that answer each stream with their name and what they read, and a client exchange.
 */
import { createRequire } from 'node:module';
import type { QuicClientSession, QuicServer, QuicServerSession } from '@currentspace/http3';
import { createCa, issueCertificate, type Issued } from '../../../../helpers/pki.ts';

const require = createRequire(import.meta.url);
/** http3 is the native QUIC library, loaded as the engine loads it. */
export const http3 = require('@currentspace/http3') as typeof import('@currentspace/http3');

/** ALPN is the protocol the echo servers speak. */
export const ALPN = ['gatehouse-echo'];

/** Pki is a CA and certificates for a.example and b.example it issued. */
export interface Pki {
  ca: Issued;
  a: Issued;
  b: Issued;
}

/** makePki issues the test certificates. */
export async function makePki(): Promise<Pki> {
  const ca = await createCa('Front Test CA');
  return {
    ca,
    a: await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca),
    b: await issueCertificate({ commonName: 'b.example', dnsNames: ['b.example'] }, ca),
  };
}

/** EchoServer is one internal QUIC server and the sessions it saw. */
export interface EchoServer {
  name: string;
  server: QuicServer;
  port: number;
  sessions: QuicServerSession[];
  /** Sessions not closed yet. */
  open: Set<QuicServerSession>;
}

/** startEcho starts a QUIC server on 127.0.0.1 that answers each stream with `name:` and what it read. */
export async function startEcho(name: string, cert: Issued): Promise<EchoServer> {
  const server = http3.createQuicServer({ key: cert.keyPem, cert: cert.chainPem, alpn: ALPN, maxIdleTimeoutMs: 10_000 });
  const sessions: QuicServerSession[] = [];
  const open = new Set<QuicServerSession>();
  server.on('session', (session) => {
    sessions.push(session);
    open.add(session);
    session.on('close', () => open.delete(session));
    session.on('error', () => undefined);
    session.on('stream', (stream) => {
      const parts: Buffer[] = [Buffer.from(`${name}:`)];
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      stream.on('end', () => stream.end(Buffer.concat(parts)));
      stream.on('error', () => undefined);
    });
  });
  const address = await server.listen(0, '127.0.0.1');
  return { name, server, port: address.port, sessions, open };
}

/** connect opens a client connection to the front with a server name, trusting the test CA. */
export async function connect(port: number, servername: string | undefined, pki: Pki, strict = true): Promise<QuicClientSession> {
  return await http3.connectQuicAsync(
    servername === undefined ? { address: '127.0.0.1', port } : { address: '127.0.0.1', port, servername },
    { alpn: ALPN, ca: pki.ca.certPem, rejectUnauthorized: strict, connectTimeoutMs: 5000, runtimeMode: 'portable' },
  );
}

/** exchange sends `body` on a new stream and returns the whole answer. */
export async function exchange(session: QuicClientSession, body: string): Promise<string> {
  const stream = session.openStream();
  const parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  return await new Promise<string>((resolve, reject) => {
    stream.on('end', () => resolve(Buffer.concat(parts).toString()));
    stream.on('error', reject);
    stream.end(Buffer.from(body));
  });
}
