/**
 * SPEC E18 access log: one JSON line per request with time, listener, client ip, method, host,
 * path, status, bytes, durations, backend, TLS version/cipher; written in batches off the
 * request path, with backpressure respected and close() flushing.
 */
import { once } from 'node:events';
import type net from 'node:net';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { AccessLogWriter, completeAccessLogRecord, createAccessLogRecord, tlsFacts, type AccessLogRecord } from '../../../engine/observability/index.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';

/** Sink records every chunk; `delayMs` makes each write slow to exercise backpressure. */
class Sink extends Writable {
  readonly chunks: string[] = [];
  private readonly delayMs: number;
  constructor(delayMs = 0, highWaterMark = 16 * 1024) {
    super({ highWaterMark, decodeStrings: false });
    this.delayMs = delayMs;
  }
  override _write(chunk: string, _enc: string, done: () => void): void {
    this.chunks.push(String(chunk));
    if (this.delayMs > 0) setTimeout(done, this.delayMs);
    else done();
  }
  lines(): AccessLogRecord[] {
    return this.chunks
      .join('')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as AccessLogRecord);
  }
}

function record(i: number): AccessLogRecord {
  const r = createAccessLogRecord(Date.UTC(2026, 0, 2, 3, 4, 5, 678), 'lsn-1', '10.0.0.1', 'GET', 'example.com', `/item/${i}?q=1`, 'HTTP/1.1', undefined);
  return completeAccessLogRecord(r, 200, 1234, 12.3456789, '127.0.0.1:8080', 3.0004999);
}

describe('access log record', () => {
  it('holds every E18 field, durations rounded to microseconds', () => {
    expect(record(1)).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      listenerId: 'lsn-1',
      clientIp: '10.0.0.1',
      method: 'GET',
      host: 'example.com',
      path: '/item/1?q=1',
      status: 200,
      bytesSent: 1234,
      requestDurationMs: 12.346,
      upstreamDurationMs: 3,
      backend: '127.0.0.1:8080',
      protocol: 'HTTP/1.1',
    });
  });

  it('omits backend and upstream duration when the engine answered itself (e.g. 503)', () => {
    const r = completeAccessLogRecord(createAccessLogRecord(0, 'lsn-1', '::1', 'POST', 'h', '/', 'HTTP/2', undefined), 503, 19, 0.5);
    expect(Object.keys(r)).not.toContain('backend');
    expect(Object.keys(r)).not.toContain('upstreamDurationMs');
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({ status: 503, protocol: 'HTTP/2', clientIp: '::1' });
  });

  it('tlsFacts reads the version and OpenSSL cipher name of a real connection', async () => {
    const ca = await createCa();
    const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
    const server = tls.createServer({ key: cert.keyPem, cert: cert.chainPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    const facts = new Promise<ReturnType<typeof tlsFacts>>((resolve) => server.on('secureConnection', (s: tls.TLSSocket) => resolve(tlsFacts(s))));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = tls.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', ca: ca.certPem, servername: 'localhost' });
    await once(client, 'secureConnect');
    expect(await facts).toEqual({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    const r = createAccessLogRecord(0, 'l', 'c', 'GET', 'h', '/', 'HTTP/1.1', await facts);
    expect(r).toMatchObject({ tlsVersion: 'TLSv1.2', tlsCipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    client.destroy();
    server.close();
  });
});

describe('AccessLogWriter', () => {
  it('writes nothing on the request path and batches records into one write per turn', async () => {
    const sink = new Sink();
    const writer = new AccessLogWriter(sink);
    for (let i = 0; i < 100; i++) writer.write(record(i));
    expect(sink.chunks).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(sink.chunks).toHaveLength(1);
    expect(sink.lines().map((l) => l.path)).toEqual(Array.from({ length: 100 }, (_, i) => `/item/${i}?q=1`));
    await writer.close();
  });

  it('with flushDelayMs, records wait for the delay and share one write; a full batch goes at the next turn', async () => {
    const sink = new Sink();
    const writer = new AccessLogWriter(sink, { flushDelayMs: 40, flushAtRecords: 100 });
    for (let i = 0; i < 10; i++) writer.write(record(i));
    await new Promise((r) => setImmediate(r));
    expect(sink.chunks).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(sink.chunks).toHaveLength(1);
    expect(sink.lines()).toHaveLength(10);
    // A hundred records do not wait for the delay.
    for (let i = 0; i < 100; i++) writer.write(record(i));
    await new Promise((r) => setImmediate(r));
    expect(sink.chunks).toHaveLength(2);
    expect(sink.lines()).toHaveLength(110);
    // close writes what still waits, at once.
    writer.write(record(200));
    await writer.close();
    expect(sink.lines()).toHaveLength(111);
  });

  it('respects backpressure: waits for drain, keeps order, loses nothing', async () => {
    const sink = new Sink(5, 1024);
    let drains = 0;
    sink.on('drain', () => drains++);
    const writer = new AccessLogWriter(sink);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) writer.write(record(round * 50 + i));
      await new Promise((r) => setImmediate(r));
    }
    await writer.close();
    expect(drains).toBeGreaterThan(0);
    expect(sink.lines().map((l) => l.path)).toEqual(Array.from({ length: 1000 }, (_, i) => `/item/${i}?q=1`));
    expect(writer.dropped).toBe(0);
  });

  it('drops and counts records beyond maxQueue instead of growing without bound', async () => {
    const sink = new Sink(20, 64);
    const writer = new AccessLogWriter(sink, { maxQueue: 10 });
    writer.write(record(0));
    await new Promise((r) => setImmediate(r));
    for (let i = 1; i <= 30; i++) writer.write(record(i));
    expect(writer.dropped).toBe(20);
    await writer.close();
    expect(sink.lines()).toHaveLength(11);
  });

  it('close flushes pending records, is idempotent, and later records are dropped', async () => {
    const sink = new Sink();
    const writer = new AccessLogWriter(sink, { endStream: true });
    writer.write(record(1));
    writer.write(record(2));
    await writer.close();
    await writer.close();
    expect(sink.lines()).toHaveLength(2);
    expect(sink.writableEnded).toBe(true);
    writer.write(record(3));
    expect(writer.dropped).toBe(1);
  });

  it('a destroyed stream does not hang close', async () => {
    const sink = new Sink(50, 16);
    sink.on('error', () => {});
    const writer = new AccessLogWriter(sink);
    for (let i = 0; i < 10; i++) writer.write(record(i));
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) writer.write(record(i));
    sink.destroy();
    await writer.close();
    expect(writer.dropped).toBeGreaterThan(0);
  });

  it('write can be passed as a bare callback (EngineOptions.accessLog)', async () => {
    const sink = new Sink();
    const writer = new AccessLogWriter(sink);
    const accessLog: (r: AccessLogRecord) => void = (r) => writer.write(r);
    accessLog(record(7));
    await writer.close();
    expect(sink.lines()[0]!.path).toBe('/item/7?q=1');
  });
});
