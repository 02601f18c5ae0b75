/**
 * SPEC E18 metrics: the engine's families on a given prom-client Registry (never the global
 * one), fed from hot-path methods; TLS failure reasons classified from real failed handshakes,
 * backend error reasons from real undici failures.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { Registry, register as globalRegistry } from 'prom-client';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { EngineMetrics, backendErrorReason, tlsFailureReason, type TlsFailureReason } from '../../../engine/observability/index.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';

function line(text: string, prefix: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(prefix));
}

describe('EngineMetrics', () => {
  it('registers every family on the given registry only', () => {
    const registry = new Registry();
    new EngineMetrics(registry);
    const names = registry.getMetricsAsArray().map((m) => m.name).sort();
    expect(names).toEqual([
      'gatehouse_active_connections',
      'gatehouse_backend_errors_total',
      'gatehouse_backend_health',
      'gatehouse_request_duration_seconds',
      'gatehouse_requests_total',
      'gatehouse_tls_handshake_failures_total',
    ]);
    expect(globalRegistry.getSingleMetric('gatehouse_requests_total')).toBeUndefined();
    // Two engines (e.g. two tests) can each have a registry.
    expect(() => new EngineMetrics(new Registry())).not.toThrow();
  });

  it('exposes requests by status class, durations, connections, TLS failures', async () => {
    const registry = new Registry();
    const metrics = new EngineMetrics(registry);
    const a = metrics.listener('lsn-a');
    expect(metrics.listener('lsn-a')).toBe(a);
    a.requestFinished(200, 0.004);
    a.requestFinished(204, 0.02);
    a.requestFinished(404, 0.3);
    a.requestFinished(502, 1.5);
    a.requestFinished(0, 0.001);
    a.connectionOpened();
    a.connectionOpened();
    a.connectionOpened();
    a.connectionClosed();
    a.tlsHandshakeFailed('no_shared_cipher');
    a.tlsHandshakeFailed('no_shared_cipher');
    metrics.listener('lsn-b').requestFinished(301, 0.01);

    const text = await registry.metrics();
    expect(line(text, 'gatehouse_requests_total{listener="lsn-a",status_class="2xx"}')).toMatch(/ 2$/);
    expect(line(text, 'gatehouse_requests_total{listener="lsn-a",status_class="4xx"}')).toMatch(/ 1$/);
    expect(line(text, 'gatehouse_requests_total{listener="lsn-a",status_class="5xx"}')).toMatch(/ 1$/);
    expect(line(text, 'gatehouse_requests_total{listener="lsn-a",status_class="other"}')).toMatch(/ 1$/);
    expect(line(text, 'gatehouse_requests_total{listener="lsn-a",status_class="3xx"}')).toBeUndefined();
    expect(line(text, 'gatehouse_requests_total{listener="lsn-b",status_class="3xx"}')).toMatch(/ 1$/);
    expect(line(text, 'gatehouse_request_duration_seconds_count{listener="lsn-a"}')).toMatch(/ 5$/);
    expect(line(text, 'gatehouse_request_duration_seconds_bucket{le="0.005",listener="lsn-a"}')).toMatch(/ 2$/);
    expect(line(text, 'gatehouse_request_duration_seconds_bucket{le="2.5",listener="lsn-a"}')).toMatch(/ 5$/);
    expect(line(text, 'gatehouse_active_connections{listener="lsn-a"}')).toMatch(/ 2$/);
    expect(line(text, 'gatehouse_tls_handshake_failures_total{listener="lsn-a",reason="no_shared_cipher"}')).toMatch(/ 2$/);

    // Counters stay monotonic across scrapes.
    a.requestFinished(200, 0.01);
    expect(line(await registry.metrics(), 'gatehouse_requests_total{listener="lsn-a",status_class="2xx"}')).toMatch(/ 3$/);
  });

  it('backend health and errors per server group; dropped resources disappear', async () => {
    const registry = new Registry();
    const metrics = new EngineMetrics(registry);
    const g = metrics.serverGroup('sgp-1');
    g.setHealth('127.0.0.1:8080', true);
    g.setHealth('127.0.0.1:8081', false);
    g.backendError('connect_refused');
    g.backendError('connect_refused');
    g.backendError('timeout');
    let text = await registry.metrics();
    expect(line(text, 'gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:8080"}')).toMatch(/ 1$/);
    expect(line(text, 'gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:8081"}')).toMatch(/ 0$/);
    expect(line(text, 'gatehouse_backend_errors_total{server_group="sgp-1",reason="connect_refused"}')).toMatch(/ 2$/);
    expect(line(text, 'gatehouse_backend_errors_total{server_group="sgp-1",reason="timeout"}')).toMatch(/ 1$/);

    g.removeServer('127.0.0.1:8081');
    metrics.listener('lsn-x').requestFinished(200, 0.1);
    metrics.dropListener('lsn-x');
    text = await registry.metrics();
    expect(line(text, 'gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:8081"}')).toBeUndefined();
    expect(text).not.toContain('lsn-x');
    metrics.dropServerGroup('sgp-1');
    expect(await registry.metrics()).not.toContain('sgp-1');
  });
});

describe('tlsFailureReason on real failed handshakes', () => {
  it('classifies version, cipher, missing and untrusted client certificates, plain HTTP, timeout, reset', async () => {
    const ca = await createCa();
    const otherCa = await createCa('Other CA');
    const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
    const stranger = await issueCertificate({ commonName: 'stranger', client: true }, otherCa);

    async function reasonFor(serverOptions: tls.TlsOptions, client: (port: number) => net.Socket): Promise<TlsFailureReason> {
      const server = tls.createServer({ key: cert.keyPem, cert: cert.chainPem, ...serverOptions }, (s) => s.end());
      const reason = new Promise<TlsFailureReason>((resolve) =>
        server.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => resolve(tlsFailureReason(err, socket))),
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const socket = client((server.address() as net.AddressInfo).port);
      socket.on('error', () => {});
      try {
        return await reason;
      } finally {
        socket.destroy();
        server.close();
      }
    }
    const tlsClient = (options: tls.ConnectionOptions) => (port: number) => tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
    const raw = (bytes: string | Buffer, reset = false) => (port: number) => {
      const s = net.connect(port, '127.0.0.1');
      s.write(bytes);
      if (reset) setTimeout(() => s.resetAndDestroy(), 50);
      return s;
    };

    expect(await reasonFor({ minVersion: 'TLSv1.3' }, tlsClient({ maxVersion: 'TLSv1.2' }))).toBe('unsupported_protocol');
    expect(await reasonFor({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }, tlsClient({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }))).toBe(
      'no_shared_cipher',
    );
    const mtls = { requestCert: true, rejectUnauthorized: true, ca: ca.certPem };
    expect(await reasonFor(mtls, tlsClient({}))).toBe('certificate_required');
    expect(await reasonFor(mtls, tlsClient({ cert: stranger.certPem, key: stranger.keyPem }))).toBe('bad_certificate');
    expect(await reasonFor({}, raw('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('not_tls');
    expect(await reasonFor({ handshakeTimeout: 200 }, (port) => net.connect(port, '127.0.0.1'))).toBe('timeout');
    expect(await reasonFor({}, raw(Buffer.from('160301', 'hex'), true))).toBe('reset');
  });
});

describe('backendErrorReason on real undici failures', () => {
  it('refused, headers timeout and reset', async () => {
    const closed = net.createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = new Client(`http://127.0.0.1:${deadPort}`);
    const err1 = await refused.request({ method: 'GET', path: '/' }).catch((e: Error) => e);
    expect(backendErrorReason(err1 as Error)).toBe('connect_refused');
    await refused.close();

    const sockets = new Set<net.Socket>();
    const slow = http.createServer((req) => {
      if (req.url === '/reset') req.socket.resetAndDestroy();
    });
    slow.on('connection', (s) => sockets.add(s));
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const client = new Client(`http://127.0.0.1:${(slow.address() as net.AddressInfo).port}`, { headersTimeout: 200 });
    const err2 = await client.request({ method: 'GET', path: '/slow' }).catch((e: Error) => e);
    expect(backendErrorReason(err2 as Error)).toBe('timeout');
    const err3 = await client.request({ method: 'GET', path: '/reset' }).catch((e: Error) => e);
    expect(backendErrorReason(err3 as Error)).toBe('reset');
    await client.destroy();
    for (const s of sockets) s.destroy();
    slow.close();
  });
});
