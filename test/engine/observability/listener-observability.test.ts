/**
 * E18 through a real engine: one access-log record per request (time, listener, client ip,
 * method, host, path, status, bytes, durations, backend, TLS version and cipher, protocol) —
 * also for requests the engine answers itself — and the engine's Prometheus metrics on the
 * registry given in EngineOptions: requests by status class, durations, open connections,
 * failed TLS handshakes, backend errors, backend health.
 */
import http2 from 'node:http2';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { buildSnapshotParts } from '../support/snapshots.ts';
import { okResponse } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { eventually } from '../../helpers/eventually.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

describe('E18: the access log of a running listener', () => {
  it('records an HTTP request with every field, and requests the engine refused or could not place', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend(() => ({ delayMs: 30, reply: okResponse('twelve bytes') }));
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const port = fx.port('lsn-1');
    const before = Date.now();
    const client = await RawClient.connect(port);
    client.send('POST /orders?id=7 HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 3\r\n\r\nabc');
    expect((await client.response()).status).toBe(200);
    client.send(`GET /${'u'.repeat(17 * 1024)} HTTP/1.1\r\nHost: shop.example\r\n\r\n`);
    expect((await client.response()).status).toBe(414);
    client.close();
    await eventually(() => expect(fx.records).toHaveLength(2), 5000, 25);
    const [ok, refused] = fx.records;
    expect(ok).toMatchObject({
      listenerId: 'lsn-1',
      clientIp: '127.0.0.1',
      method: 'POST',
      host: 'shop.example',
      path: '/orders?id=7',
      status: 200,
      bytesSent: 12,
      backend: `127.0.0.1:${backend.port}`,
      protocol: 'HTTP/1.1',
    });
    expect(Date.parse(ok!.time)).toBeGreaterThanOrEqual(before - 5);
    expect(ok!.upstreamDurationMs).toBeGreaterThanOrEqual(25);
    expect(ok!.requestDurationMs).toBeGreaterThanOrEqual(ok!.upstreamDurationMs!);
    expect(ok!.tlsVersion).toBeUndefined();
    expect(refused).toMatchObject({ status: 414, method: 'GET', host: 'shop.example' });
    expect(refused!.backend).toBeUndefined();
    expect(refused!.upstreamDurationMs).toBeUndefined();
  });

  it('records TLS version and cipher for HTTPS, HTTP/2 as its protocol, and 503 without a backend', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply(buildSnapshotParts({ backends: [{ port: backend.port, weight: 0 }], https: leaf }));
    const session = http2.connect(`https://127.0.0.1:${fx.port('lsn-1')}`, { ca: ca.certPem, servername: 'a.example' });
    fx.onClose(() => session.destroy());
    await new Promise<void>((resolve, reject) => {
      const s = session.request({ ':path': '/none' });
      s.on('end', resolve);
      s.on('error', reject);
      s.resume();
    });
    await eventually(() => expect(fx.records).toHaveLength(1), 5000, 25);
    expect(fx.records[0]).toMatchObject({ status: 503, protocol: 'HTTP/2.0', path: '/none', tlsVersion: 'TLSv1.3', tlsCipher: expect.stringMatching(/^TLS_/) });
  });
});

describe('E18: the metrics of a running listener', () => {
  it('counts requests by status class, observes durations, tracks connections, backend errors, health and TLS failures', async () => {
    fx = new ProxyFixture({ healthCheckSecondMs: 100 });
    const backend = await fx.backend((req) =>
      req.requestLine.includes('/missing')
        ? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'
        : req.requestLine.includes('/broken')
          ? 'reset'
          : req.requestLine.includes('/garbled')
            ? 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx'
            : req.requestLine.includes('/slow')
              ? { delayMs: 1500, reply: okResponse() }
              : okResponse(),
    );
    const ca = await createCa();
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
    await fx.apply(buildSnapshotParts({ backends: [backend.port], https: leaf, health: { interval: 1, timeout: 1 }, listener: { requestTimeout: 1 } }));
    const port = fx.port('lsn-1');
    const client = await RawClient.connectTls(port, { servername: 'a.example' });
    for (const path of ['/a', '/b', '/missing', '/broken', '/garbled', '/slow']) {
      client.send(`GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`);
      await client.response();
    }
    const open = await fx.registry.metrics();
    expect(open).toContain('gatehouse_active_connections{listener="lsn-1"} 1');
    client.close();
    // A TLS 1.1 client against the default policy (TLS 1.2+) fails its handshake.
    await new Promise<void>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, maxVersion: 'TLSv1.1', minVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    await eventually(async () => {
      const text = await fx.registry.metrics();
      expect(text).toContain('gatehouse_requests_total{listener="lsn-1",status_class="2xx"} 2');
      expect(text).toContain('gatehouse_requests_total{listener="lsn-1",status_class="4xx"} 1');
      expect(text).toContain('gatehouse_requests_total{listener="lsn-1",status_class="5xx"} 3');
      expect(text).toContain('gatehouse_request_duration_seconds_count{listener="lsn-1"} 6');
      expect(text).toContain('gatehouse_active_connections{listener="lsn-1"} 0');
      expect(text).toContain('gatehouse_backend_errors_total{server_group="sgp-1",reason="reset"} 1');
      expect(text).toContain('gatehouse_backend_errors_total{server_group="sgp-1",reason="bad_response"} 1');
      expect(text).toContain('gatehouse_backend_errors_total{server_group="sgp-1",reason="timeout"} 1');
      expect(text).toContain(`gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:${backend.port}"} 1`);
      expect(text).toMatch(/gatehouse_tls_handshake_failures_total\{listener="lsn-1",reason="unsupported_protocol"\} 1/);
    }, 5000, 25);
  });

  it('a removed listener and group leave the metrics', async () => {
    fx = new ProxyFixture();
    const backend = await fx.backend();
    await fx.apply(buildSnapshotParts({ backends: [backend.port] }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    client.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await client.response();
    client.close();
    await eventually(async () => expect(await fx.registry.metrics()).toContain('listener="lsn-1"'), 5000, 25);
    await fx.apply({ version: 2, listeners: [], serverGroups: [] });
    const text = await fx.registry.metrics();
    expect(text).not.toContain('listener="lsn-1"');
    expect(text).not.toContain('server_group="sgp-1"');
  });
});
