/**
 * E17 on the engine's real listeners — HTTP, HTTPS with HTTP/1.1, HTTP/2: request line +
 * headers over 16 KiB → 431 (414 for the URI), more than 100 fields → 431, headers not
 * complete in time → 408, CL+TE, duplicate differing Content-Length, obs-fold, bare CR/LF → 400,
 * each time with the connection closed and nothing reaching the recording backend; HTTP/2 at
 * most 128 concurrent streams. The head deadline is shortened to 600 ms (`headersTimeoutMs`).
 */
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpListener, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import type { RawBackend } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { eventually } from '../../helpers/eventually.ts';
import { E17_REFUSED, headerFields, type RefusedRequest } from '../support/refused-requests.ts';

let fx: ProxyFixture;
let backend: RawBackend;
let hanging: RawBackend;
let ca: Issued;
let httpPort = 0;
let httpsPort = 0;
let hangPort = 0;

beforeAll(async () => {
  fx = new ProxyFixture({ headersTimeoutMs: 600 });
  backend = await fx.backend();
  hanging = await fx.backend(() => 'hang');
  ca = await createCa();
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
  await fx.apply({
    listeners: [httpListener('lsn-http', 'sgp-1'), httpsListener('lsn-https', 'sgp-1', 'cert-1'), httpsListener('lsn-hang', 'sgp-hang', 'cert-1')],
    serverGroups: [serverGroup('sgp-1', [{ port: backend.port }]), serverGroup('sgp-hang', [{ port: hanging.port }])],
    certificates: [serverCertificate('cert-1', leaf, ['a.example'])],
  });
  httpPort = fx.port('lsn-http');
  httpsPort = fx.port('lsn-https');
  hangPort = fx.port('lsn-hang');
});
afterAll(async () => fx?.close());

const cases: RefusedRequest[] = [
  E17_REFUSED.bigHeader,
  E17_REFUSED.bigUri,
  { name: '101 header fields', request: `GET /f HTTP/1.1\r\nHost: x\r\n${headerFields(100)}\r\n`, status: 431 },
  E17_REFUSED.clWithTe,
  E17_REFUSED.differingCl,
  E17_REFUSED.obsFold,
  E17_REFUSED.bareLf,
  { ...E17_REFUSED.bareCr, name: 'a bare CR' },
  E17_REFUSED.twoHosts,
];

describe.each([
  { listener: 'HTTP', connect: () => RawClient.connect(httpPort) },
  { listener: 'HTTPS (HTTP/1.1)', connect: () => RawClient.connectTls(httpsPort, { servername: 'a.example' }) },
])('E17: request limits on a running $listener listener', ({ connect }) => {
  it.each(cases)('$name → $status, connection closed, nothing forwarded', async ({ request, status }) => {
    const before = backend.requests.length;
    const client = await connect();
    client.send(request);
    const { text, closed } = await client.text();
    expect(Number(text.slice(9, 12))).toBe(status);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(closed).toBe(true);
    expect(backend.requests.length).toBe(before);
  });

  it('headers not complete in time → 408 and closed, nothing forwarded', async () => {
    const before = backend.requests.length;
    const client = await connect();
    client.send('GET /slow HTTP/1.1\r\n');
    setTimeout(() => client.socket.writable && client.send('Host: x\r\n'), 200);
    const { text, closed } = await client.text();
    expect(text.slice(0, 12)).toBe('HTTP/1.1 408');
    expect(closed).toBe(true);
    expect(backend.requests.length).toBe(before);
  });

  it('a request within the limits (100 fields, 15 KiB in all) is forwarded', async () => {
    const client = await connect();
    client.send(`GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(13 * 1024)}\r\n${headerFields(98)}\r\n`);
    expect((await client.response()).status).toBe(200);
    client.close();
  });
});

describe('E17: request limits and concurrent streams on a running HTTP/2 listener', () => {
  async function h2(port: number): Promise<http2.ClientHttp2Session> {
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.certPem, servername: 'a.example', maxHeaderListPairs: 1000 });
    fx.onClose(() => session.destroy());
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    return session;
  }

  function status(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<number> {
    return new Promise((resolve, reject) => {
      const s = session.request({ ':path': '/h2', ...headers });
      s.on('response', (h) => resolve(Number(h[':status'])));
      s.on('error', reject);
      s.resume();
    });
  }

  it('101 fields and a 17 KiB field get 431, 100 fields are served; nothing malformed is forwarded', async () => {
    const session = await h2(httpsPort);
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-field-${i}`, `v${i}`]));
    const before = backend.requests.length;
    expect(await status(session, many(101))).toBe(431);
    expect(await status(session, { 'x-big': 'a'.repeat(17 * 1024) })).toBe(431);
    expect(backend.requests.length).toBe(before);
    expect(await status(session, many(99))).toBe(200);
    session.close();
  });

  it('a session may hold at most 128 concurrent streams', async () => {
    const session = await h2(hangPort);
    expect(session.remoteSettings.maxConcurrentStreams).toBe(128);
    const streams = Array.from({ length: 140 }, () => {
      const s = session.request({ ':path': '/hang' });
      s.on('error', () => {});
      return s;
    });
    await eventually(() => expect(hanging.requests.length).toBe(128), 5000, 25);
    await new Promise((r) => setTimeout(r, 200));
    expect(hanging.requests.length).toBe(128);
    for (const s of streams) s.close();
    session.destroy();
  });
});
