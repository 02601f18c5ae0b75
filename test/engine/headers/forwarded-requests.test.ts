/**
 * E11, E12 and SPEC 1.2.1 through a real engine, asserted on the exact bytes a raw backend
 * received: the seed's X-Forwarded-For table row by row (last hop 127.0.0.1), every
 * X-Forwarded-For field counted in order, the client's header case and order kept (Host
 * included), hop-by-hop fields dropped, added headers in SPEC's case and impossible to spoof
 * or strip through Connection, client-certificate headers from a real mutual-TLS handshake,
 * HTTP/2 names as they came (lower case), and Retrieve Client IP in the access log.
 */
import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { caCertificate, forwardedConfig, httpListener, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';
import { freePort } from '../../helpers/free-port.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import type { RawBackend } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

/** send makes one raw request and returns the head the backend received (request line and fields). */
async function headAtBackend(backend: RawBackend, port: number, request: string): Promise<string> {
  const before = backend.requests.length;
  const client = await RawClient.connect(port);
  client.send(request);
  let r = await client.response();
  // A request with `Expect: 100-continue` is answered 100 by the engine itself first.
  if (r.status === 100) r = await client.response();
  expect(r.status).toBe(200);
  client.close();
  return backend.requests[before]!.head;
}

describe('E11 X-Forwarded-For: the seed table, row by row', () => {
  const rows: { mode: 'append' | 'remove' | 'off'; sent: string[]; received: string[] }[] = [
    { mode: 'append', sent: [], received: ['127.0.0.1'] },
    { mode: 'append', sent: ['127.0.0.2'], received: ['127.0.0.2, 127.0.0.1'] },
    { mode: 'append', sent: ['127.0.0.2, 127.0.0.3'], received: ['127.0.0.2, 127.0.0.3, 127.0.0.1'] },
    { mode: 'append', sent: ['127.0.0.2', '127.0.0.3'], received: ['127.0.0.2, 127.0.0.3, 127.0.0.1'] },
    { mode: 'remove', sent: [], received: [] },
    { mode: 'remove', sent: ['127.0.0.2, 127.0.0.3'], received: [] },
    { mode: 'off', sent: [], received: [] },
    { mode: 'off', sent: ['127.0.0.2'], received: ['127.0.0.2'] },
    { mode: 'off', sent: ['127.0.0.2', '127.0.0.3'], received: ['127.0.0.2', '127.0.0.3'] },
  ];

  it.each(rows)('$mode with $sent → $received', async ({ mode, sent, received }) => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    const xff = mode === 'off' ? { enabled: false, mode: 'append' as const } : { enabled: true, mode };
    await fx.apply({ listeners: [httpListener('lsn-1', 'sgp-1', { forwardedHeaders: forwardedConfig({ xForwardedFor: xff }) })], serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])] });
    // Sent with a lower-case name: the engine always writes X-Forwarded-For with SPEC's capitalisation.
    const head = await headAtBackend(backend, fx.port('lsn-1'), `GET / HTTP/1.1\r\nHost: a\r\n${sent.map((v) => `x-forwarded-for: ${v}\r\n`).join('')}\r\n`);
    const lines = head.split('\r\n').filter((l) => l.toLowerCase().startsWith('x-forwarded-for:'));
    expect(lines).toEqual(received.map((v) => `X-Forwarded-For: ${v}`));
  });
});

describe('E12 header case, order and hop-by-hop fields', () => {
  it('keeps the client fields in case and order, Host included, and drops hop-by-hop ones', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    await fx.apply({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])] });
    const head = await headAtBackend(
      backend,
      fx.port('lsn-1'),
      'GET /p?q=1 HTTP/1.1\r\nhOsT: a.example\r\nX-Custom-Case: V1\r\naccept: */*\r\nConnection: keep-alive, X-Drop-Me\r\nX-Drop-Me: gone\r\nKeep-Alive: timeout=5\r\n' +
        'TE: trailers\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nExpect: 100-continue\r\nContent-Length: 2\r\nuSeR-aGeNt: Raw/1\r\n\r\nhi',
    );
    expect(head).toBe(
      'GET /p?q=1 HTTP/1.1\r\nhOsT: a.example\r\nX-Custom-Case: V1\r\naccept: */*\r\nContent-Length: 2\r\nuSeR-aGeNt: Raw/1\r\nTE: trailers\r\nX-Forwarded-For: 127.0.0.1',
    );
  });

  it('adds SLB-ID, X-Forwarded-Proto/Port/Host/Client-srcport in SPEC case, replacing spoofed ones; Connection cannot strip them', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    const port = await freePort();
    await fx.apply({
      listeners: [httpListener('lsn-1', 'sgp-1', { port, forwardedHeaders: forwardedConfig({ slbId: true, proto: true, port: true, host: true, clientSrcPort: true }) })],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    const client = await RawClient.connect(port);
    const localPort = client.socket.localPort;
    client.send(
      'GET / HTTP/1.1\r\nHost: shop.example:8080\r\nX-Forwarded-Proto: gopher\r\nslb-id: forged\r\nX-Forwarded-Port: 1\r\nX-Forwarded-Host: evil\r\n' +
        'X-Forwarded-Client-Srcport: 2\r\nConnection: X-Forwarded-For, X-Forwarded-Proto, SLB-ID, X-Forwarded-Port, X-Forwarded-Host\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
    );
    expect((await client.response()).status).toBe(200);
    client.close();
    expect(backend.requests[0]!.head).toBe(
      [
        'GET / HTTP/1.1',
        'Host: shop.example:8080',
        'X-Forwarded-For: 10.0.0.9, 127.0.0.1',
        'SLB-ID: alb-test0000000000000000',
        'X-Forwarded-Proto: http',
        `X-Forwarded-Port: ${port}`,
        'X-Forwarded-Host: shop.example:8080',
        `X-Forwarded-Client-srcport: ${localPort}`,
      ].join('\r\n'),
    );
  });

  it('client-certificate headers carry the real handshake: subject, issuer, SHA-1 fingerprint, SUCCESS; renamed ones keep their name', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    const serverCa = await createCa('Server CA');
    const clientCa = await createCa('Client CA');
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, serverCa);
    const alice = await issueCertificate({ commonName: 'alice', client: true }, clientCa);
    await fx.apply({
      listeners: [
        httpsListener('lsn-1', 'sgp-1', 'cert-1', { mutualCaId: 'cert-ca' }, {
          forwardedHeaders: forwardedConfig({
            proto: true,
            clientCertSubjectDn: { enabled: true },
            clientCertIssuerDn: { enabled: true, headerName: 'x-client-issuer' },
            clientCertFingerprint: { enabled: true },
            clientCertClientVerify: { enabled: true },
          }),
        }),
      ],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
      certificates: [serverCertificate('cert-1', leaf, ['a.example']), caCertificate('cert-ca', clientCa)],
    });
    const client = await RawClient.connectTls(fx.port('lsn-1'), { servername: 'a.example', ca: serverCa.certPem, cert: alice.certPem, key: alice.keyPem });
    client.send('GET / HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-Clientcert-subjectdn: CN=mallory\r\n\r\n');
    expect((await client.response()).status).toBe(200);
    client.close();
    expect(backend.requests[0]!.head).toBe(
      [
        'GET / HTTP/1.1',
        'Host: a.example',
        'X-Forwarded-For: 127.0.0.1',
        'X-Forwarded-Proto: https',
        // RFC 4514 order: the last RDN of the certificate's sequence first.
        'X-Forwarded-Clientcert-subjectdn: O=Gatehouse Test,CN=alice',
        'x-client-issuer: O=Gatehouse Test,CN=Client CA',
        `X-Forwarded-Clientcert-fingerprint: ${alice.sha1}`,
        'X-Forwarded-Clientcert-clientverify: SUCCESS',
      ].join('\r\n'),
    );
  });

  it('without a client certificate the verify header says NONE and the others are absent', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply({
      listeners: [httpsListener('lsn-1', 'sgp-1', 'cert-1', {}, { forwardedHeaders: forwardedConfig({ clientCertSubjectDn: { enabled: true }, clientCertClientVerify: { enabled: true } }) })],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
      certificates: [serverCertificate('cert-1', leaf, ['a.example'])],
    });
    const client = await RawClient.connectTls(fx.port('lsn-1'), { servername: 'a.example', ca: ca.certPem });
    client.send('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n');
    expect((await client.response()).status).toBe(200);
    client.close();
    expect(backend.requests[0]!.head).toBe('GET / HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Clientcert-clientverify: NONE');
  });

  it('an HTTP/2 client: field names as received (lower case), cookies joined, X-Forwarded-For capitalised', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply({
      listeners: [httpsListener('lsn-1', 'sgp-1', 'cert-1')],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
      certificates: [serverCertificate('cert-1', leaf, ['a.example'])],
    });
    const session = http2.connect(`https://127.0.0.1:${fx.port('lsn-1')}`, { ca: ca.certPem, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    await new Promise<void>((resolve, reject) => {
      const s = session.request({ ':path': '/x', ':authority': 'a.example', 'x-one': '1', cookie: ['a=1', 'b=2'], 'x-forwarded-for': '10.1.1.1' });
      s.on('end', resolve);
      s.on('error', reject);
      s.resume();
    });
    expect(backend.requests[0]!.head).toBe('GET /x HTTP/1.1\r\nx-one: 1\r\ncookie: a=1; b=2\r\nhost: a.example\r\nX-Forwarded-For: 10.1.1.1, 127.0.0.1');
  });
});

describe('Retrieve Client IP (1.2.1)', () => {
  it('the access log names the client found by the trusted-proxy walk; the chain itself is forwarded with the last hop appended', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    await fx.apply({
      listeners: [httpListener('lsn-1', 'sgp-1', { forwardedHeaders: forwardedConfig({ clientIp: { enabled: true, trustedProxies: ['127.0.0.1', '10.0.0.0/8'] } }) })],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
    const head = await headAtBackend(backend, fx.port('lsn-1'), 'GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7, 198.51.100.1, 10.0.0.5\r\n\r\n');
    expect(head).toContain('X-Forwarded-For: 203.0.113.7, 198.51.100.1, 10.0.0.5, 127.0.0.1');
    await new Promise((r) => setTimeout(r, 20));
    expect(fx.records.at(-1)!.clientIp).toBe('198.51.100.1');
  });
});
