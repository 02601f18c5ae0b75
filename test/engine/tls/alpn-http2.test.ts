/**
 * E4: ALPN offers h2 only while http2Enabled is on; HTTP/1.1 is always served, with or without
 * ALPN. Switching HTTP/2 off and on is hot: same socket, new connections follow. Also E17's
 * HTTP/2 limit of 128 concurrent streams.
 */
import { connect as http2Connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { h2Get, httpsGet, tlsHandshake } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

let harness: EngineHarness;
let snapshot: (version: number, http2Enabled: boolean) => EngineSnapshot;
let port: number;

beforeAll(async () => {
  const cert = await issueCertificate({ commonName: 'alpn.test', dnsNames: ['alpn.test'] }, await createCa());
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  snapshot = (version, http2Enabled) =>
    buildSnapshot({
      version,
      listeners: [httpsListener('lsn-alpn', 'sgp-1', 'cert-a', { http2Enabled }, { version })],
      certificates: [serverCertificate('cert-a', cert, ['alpn.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    });
  port = portOf(await harness.apply(snapshot(1, true)), 'lsn-alpn');
});

afterAll(() => harness.close());

const TLS = { servername: 'alpn.test' };

describe('E4: ALPN chooses HTTP/2 or HTTP/1.1', () => {
  it('with HTTP/2 on: h2 is negotiated and served, HTTP/1.1 still served with and without ALPN', async () => {
    await harness.apply(snapshot(1, true));
    expect(await tlsHandshake(port, { ...TLS, ALPNProtocols: ['h2', 'http/1.1'] })).toMatchObject({ ok: true, alpn: 'h2' });
    expect(await tlsHandshake(port, { ...TLS, ALPNProtocols: ['http/1.1'] })).toMatchObject({ ok: true, alpn: 'http/1.1' });
    const h2 = await h2Get(port, TLS, '/over-h2');
    expect(h2.status).toBe(200);
    expect(h2.alpn).toBe('h2');
    expect(JSON.parse(h2.body)).toMatchObject({ url: '/over-h2', method: 'GET' });
    const h1 = await httpsGet(port, { ...TLS, rejectUnauthorized: false }, '/over-h1');
    expect(h1.status).toBe(200);
  });

  it('with HTTP/2 off (hot, same socket): h2 is never chosen, HTTP/1.1 is', async () => {
    const off = await harness.apply(snapshot(2, false));
    expect(portOf(off, 'lsn-alpn')).toBe(port);
    expect(await tlsHandshake(port, { ...TLS, ALPNProtocols: ['h2', 'http/1.1'] })).toMatchObject({ ok: true, alpn: 'http/1.1' });
    // A client that only speaks h2 gets no protocol it can use.
    expect((await tlsHandshake(port, { ...TLS, ALPNProtocols: ['h2'] })).ok).toBe(false);
    await expect(h2Get(port, TLS)).rejects.toThrow();
    expect((await httpsGet(port, { ...TLS, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] })).status).toBe(200);
    expect((await tlsHandshake(port, TLS)).ok).toBe(true);

    await harness.apply(snapshot(3, true));
    expect(await tlsHandshake(port, { ...TLS, ALPNProtocols: ['h2', 'http/1.1'] })).toMatchObject({ ok: true, alpn: 'h2' });
  });

  it('forwards an HTTP/2 request with a body and split cookies to the HTTP/1.1 backend', async () => {
    await harness.apply(snapshot(3, true));
    const session = http2Connect(`https://127.0.0.1:${port}`, { ...TLS, rejectUnauthorized: false });
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/upload', ':authority': 'app.alpn.test', 'content-type': 'text/plain', cookie: ['a=1', 'b=2'] });
      stream.end('body over h2');
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      const status = await new Promise<number>((resolve, reject) => {
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', reject);
      });
      await new Promise((r) => stream.on('end', r));
      expect(status).toBe(200);
      const echoed = JSON.parse(Buffer.concat(chunks).toString()) as { method: string; url: string; body: string; headers: Record<string, string> };
      expect(echoed).toMatchObject({ method: 'POST', url: '/upload', body: 'body over h2' });
      expect(echoed.headers.cookie).toBe('a=1; b=2');
      expect(echoed.headers.host).toBe('app.alpn.test');
    } finally {
      session.close();
    }
  });

  it('announces at most 128 concurrent HTTP/2 streams', async () => {
    await harness.apply(snapshot(3, true));
    const session = http2Connect(`https://127.0.0.1:${port}`, { ...TLS, rejectUnauthorized: false });
    try {
      const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.maxConcurrentStreams).toBe(128);
    } finally {
      session.destroy();
    }
  });
});
