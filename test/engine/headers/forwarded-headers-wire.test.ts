/**
 * E11/E12 on real sockets: a raw client → a TLS front (mutual TLS) that builds the upstream
 * list with ForwardedHeaders and sends it through undici → a raw TCP backend that records the
 * bytes. Proves the list is accepted by undici and reaches the wire with the intended case, and
 * that the client-certificate values come from the real handshake.
 */
import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { ForwardedHeaders, clientCertInfo, type ClientCertInfo } from '../../../engine/headers/index.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { EVERY_ADDED_HEADER, forwardedConfig } from '../support/snapshots.ts';

let ca: Issued;
let server: Issued;
let client: Issued;
let backend: net.Server;
let front: https.Server;
let upstream: Client;
const captured: string[] = [];

beforeAll(async () => {
  ca = await createCa();
  server = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
  client = await issueCertificate({ commonName: 'client one', client: true }, ca);

  backend = net.createServer((socket) => {
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end !== -1) {
        captured.push(head.slice(0, end));
        head = head.slice(end + 4);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const backendPort = (backend.address() as net.AddressInfo).port;
  upstream = new Client(`http://127.0.0.1:${backendPort}`);

  front = https.createServer({ key: server.keyPem, cert: server.chainPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true });
  const certs = new WeakMap<tls.TLSSocket, ClientCertInfo | undefined>();
  front.on('secureConnection', (socket: tls.TLSSocket) => certs.set(socket, clientCertInfo(socket)));
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  const plan = new ForwardedHeaders(
    forwardedConfig({ ...EVERY_ADDED_HEADER, clientCertIssuerDn: { enabled: true, headerName: 'x-issuer' } }),
    { loadBalancerId: 'alb-wire', port: (front.address() as net.AddressInfo).port, protocol: 'HTTPS' },
  );
  front.on('request', (req, res) => {
    const socket = req.socket as tls.TLSSocket;
    const headers = plan.build(req.rawHeaders, { ip: socket.remoteAddress!, port: socket.remotePort!, clientCert: certs.get(socket) });
    upstream.request({ method: req.method as 'GET', path: req.url!, headers }).then(
      async (r) => {
        res.writeHead(r.statusCode);
        res.end(await r.body.text());
      },
      (err: Error) => {
        res.writeHead(502);
        res.end(err.message);
      },
    );
  });
});

afterAll(async () => {
  await upstream?.close();
  front?.close();
  front?.closeAllConnections();
  backend?.close();
});

/** rawRequest sends one request over mutual TLS, writing the head byte for byte; it must ask for Connection: close. */
async function rawRequest(head: string): Promise<{ status: string; localPort: number }> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: (front.address() as net.AddressInfo).port,
    servername: 'localhost',
    ca: ca.certPem,
    cert: client.certPem,
    key: client.keyPem,
  });
  await once(socket, 'secureConnect');
  const localPort = socket.localPort!;
  socket.write(head);
  let text = '';
  socket.setEncoding('latin1');
  for await (const chunk of socket) {
    text += chunk as string;
  }
  socket.destroy();
  return { status: text.slice(0, text.indexOf('\r\n')), localPort };
}

describe('forwarded headers on the wire', () => {
  it('client case kept, added headers in SPEC case, hop-by-hop gone, certificate facts real', async () => {
    captured.length = 0;
    const { status, localPort } = await rawRequest(
      'GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nx-forwarded-for: 10.0.0.9\r\nX-MiXeD-CaSe: yes\r\n' +
        'Connection: close, X-Drop-Me\r\nX-Drop-Me: 1\r\nslb-id: spoof\r\nKeep-Alive: timeout=5\r\n\r\n',
    );
    expect(status).toBe('HTTP/1.1 200 OK');
    expect(captured).toHaveLength(1);
    const lines = captured[0]!.split('\r\n');
    expect(lines[0]).toBe('GET /path?q=1 HTTP/1.1');
    expect(lines).toContain('X-MiXeD-CaSe: yes');
    expect(lines).toContain('X-Forwarded-For: 10.0.0.9, 127.0.0.1');
    expect(lines).toContain('SLB-ID: alb-wire');
    expect(lines).toContain('X-Forwarded-Proto: https');
    expect(lines).toContain(`X-Forwarded-Port: ${(front.address() as net.AddressInfo).port}`);
    expect(lines).toContain('X-Forwarded-Host: example.com');
    expect(lines).toContain(`X-Forwarded-Client-srcport: ${localPort}`);
    expect(lines).toContain('X-Forwarded-Clientcert-subjectdn: O=Gatehouse Test,CN=client one');
    expect(lines).toContain('x-issuer: O=Gatehouse Test,CN=Gatehouse Test CA');
    expect(lines).toContain(`X-Forwarded-Clientcert-fingerprint: ${client.sha1}`);
    expect(lines).toContain('X-Forwarded-Clientcert-clientverify: SUCCESS');
    const lower = lines.map((l) => l.toLowerCase());
    expect(lower.filter((l) => l.startsWith('x-drop-me'))).toEqual([]);
    expect(lower.filter((l) => l.startsWith('keep-alive'))).toEqual([]);
    expect(lower.filter((l) => l.startsWith('slb-id'))).toEqual(['slb-id: alb-wire']);
    expect(lower.filter((l) => l.startsWith('x-forwarded-for'))).toHaveLength(1);
  });
});
