/**
 * HTTP/3 requests through a QUIC listener take the HTTPS pipeline (SPEC 1.3, §2): forwarded
 * headers (X-Forwarded-For, X-Forwarded-Proto https), bodies, compression (E10), the request
 * timeout (E8, 504), E17's head limits (431, nothing forwarded), the access log with protocol
 * `HTTP/3` and the listener's metrics (E18) — with the QUIC library's own HTTP/3 client and
 * with ngtcp2's gtlsclient as peers.
 */
import { existsSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogRecord } from '../../../engine/index.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { GTLSCLIENT, gtlsclient, h3Connect, h3Request, quicSnapshot, type H3ClientSession } from './quic-support.ts';

const records: AccessLogRecord[] = [];
const registry = new Registry();
let harness: EngineHarness;
let backend: TestBackend;
let cert: Issued;
let port: number;
let session: H3ClientSession;

const LONG_TEXT = 'gatehouse '.repeat(400);

beforeAll(async () => {
  cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa());
  harness = new EngineHarness({ accessLog: (r) => records.push(r), metricsRegistry: registry });
  backend = await startBackend('b1', (req, res) => {
    if (req.url === '/slow') return true; // never answers
    if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(LONG_TEXT.length) });
      res.end(LONG_TEXT);
      return true;
    }
    return false;
  });
  const result = await harness.apply(quicSnapshot({ backends: [backend.port], cert, quic: { requestTimeout: 1 } }));
  port = portOf(result, 'lsn-q');
  session = await h3Connect(port);
});

afterAll(async () => {
  await session.close();
  await harness.close();
  await backend.close();
});

describe('HTTP/3 through a QUIC listener', () => {
  it('forwards a GET with X-Forwarded-For and X-Forwarded-Proto: https, Host from :authority', async () => {
    const reply = await h3Request(session, port, '/a/b?c=d', { 'x-client': 'one' });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as { method: string; url: string; headers: Record<string, string> };
    expect(seen).toMatchObject({ method: 'GET', url: '/a/b?c=d' });
    expect(seen.headers).toMatchObject({ host: `localhost:${port}`, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https', 'x-client': 'one' });
    expect(seen.headers['transfer-encoding']).toBeUndefined();
    expect(reply.headers['x-backend']).toBe('b1');
  });

  it('forwards a request body', async () => {
    const reply = await h3Request(session, port, '/upload', { 'content-type': 'text/plain' }, 'hello over h3');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ method: 'POST', body: 'hello over h3' });
  });

  it('serves many requests on one connection concurrently', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => h3Request(session, port, `/n${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 40 }, () => 200));
    expect(replies.map((r) => (JSON.parse(r.body) as { url: string }).url)).toEqual(Array.from({ length: 40 }, (_, i) => `/n${i}`));
  });

  it('compresses as on HTTPS (E10): br for a client accepting it, with Vary', async () => {
    const reply = await h3Request(session, port, '/text', { 'accept-encoding': 'br' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.headers['vary']).toBe('Accept-Encoding');
  });

  it('answers 504 when the backend gives no head within requestTimeout (E8)', async () => {
    const started = Date.now();
    const reply = await h3Request(session, port, '/slow');
    expect(reply.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('refuses a head of more than 100 fields with 431, forwarding nothing (E17)', async () => {
    const before = backend.hits;
    const many: Record<string, string> = {};
    for (let i = 0; i < 101; i++) many[`x-f${i}`] = 'v';
    const reply = await h3Request(session, port, '/many', many);
    expect(reply.status).toBe(431);
    const big = await h3Request(session, port, '/big', { 'x-big': 'a'.repeat(17 * 1024) });
    expect(big.status).toBe(431);
    expect(backend.hits).toBe(before);
    // The connection goes on serving.
    expect((await h3Request(session, port, '/after')).status).toBe(200);
  });

  it('refuses what SPEC 2.1 refuses on HTTPS: a bad :path is 400 and reaches no backend', async () => {
    const before = backend.hits;
    expect((await h3Request(session, port, '/a<b')).status).toBe(400);
    expect(backend.hits).toBe(before);
  });

  it('logs each request with protocol HTTP/3 and TLSv1.3, and counts it in the listener metrics (E18)', async () => {
    await h3Request(session, port, '/logged');
    const line = records.find((r) => r.path === '/logged');
    expect(line).toMatchObject({ listenerId: 'lsn-q', protocol: 'HTTP/3', tlsVersion: 'TLSv1.3', status: 200, method: 'GET', clientIp: '127.0.0.1', backend: `127.0.0.1:${backend.port}` });
    const metrics = await registry.getSingleMetricAsString('gatehouse_requests_total');
    expect(metrics).toMatch(/gatehouse_requests_total\{listener="lsn-q",status_class="2xx"\} \d+/);
  });

  it.skipIf(!existsSync(GTLSCLIENT))('is fetched through by ngtcp2 gtlsclient (another HTTP/3 stack)', async () => {
    const before = backend.hits;
    const reply = await gtlsclient(port, '/from-gtls');
    expect(reply.code).toBe(0);
    expect(reply.log).toContain('[:status: 200]');
    expect(JSON.parse(reply.body!)).toMatchObject({ url: '/from-gtls', headers: { 'user-agent': 'nghttp3/ngtcp2 client', 'x-forwarded-proto': 'https', 'x-forwarded-for': '127.0.0.1' } });
    expect(backend.hits).toBe(before + 1);
  });
});
