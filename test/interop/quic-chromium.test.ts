/**
 * Headless Chromium (Debian's, driven with playwright-core) loads a page through a QUIC
 * listener on a port where nothing listens on TCP, so the page can only have come over HTTP/3;
 * the backend sees the request with the forwarded headers (SPEC 1.3, 1.2.1).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogRecord } from '../../engine/index.ts';
import { createCa, issueCertificate, type Issued } from '../helpers/pki.ts';
import { startBackend, type TestBackend } from '../engine/support/backends.ts';
import { EngineHarness, portOf } from '../engine/support/harness.ts';
import { quicSnapshot } from '../engine/quic/quic-support.ts';

const CHROMIUM = '/usr/bin/chromium';
const records: AccessLogRecord[] = [];
let harness: EngineHarness;
let backend: TestBackend;
let cert: Issued;
let port: number;
let browser: Browser | undefined;
const seen: Record<string, string | string[] | undefined>[] = [];

/** spkiPin is what --ignore-certificate-errors-spki-list takes: base64 SHA-256 of the certificate's DER SPKI. */
function spkiPin(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** tcpRefused tells whether a TCP connection to 127.0.0.1:port is refused (nothing listens there). */
function tcpRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, await createCa());
  harness = new EngineHarness({ accessLog: (r) => records.push(r) });
  backend = await startBackend('page', (req, res) => {
    seen.push({ ...req.headers, url: req.url });
    const body = `<!doctype html><html><head><title>h3</title></head><body><p id="from">served by the backend for ${req.url ?? ''}</p></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
    return true;
  });
  port = portOf(await harness.apply(quicSnapshot({ backends: [backend.port], cert })), 'lsn-q');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--enable-quic', `--origin-to-force-quic-on=127.0.0.1:${port}`, `--ignore-certificate-errors-spki-list=${spkiPin(cert.certPem)}`],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await backend?.close();
});

describe.skipIf(!existsSync(CHROMIUM))('Chromium over HTTP/3', () => {
  it('loads a page through a QUIC listener with nothing on TCP, and the backend sees X-Forwarded-For and X-Forwarded-Proto https', async () => {
    expect(await tcpRefused(port)).toBe(true);
    const page = await browser!.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const protocols: string[] = [];
    cdp.on('Network.responseReceived', (event: { response: { url: string; protocol?: string } }) => {
      if (event.response.url.includes('/page')) protocols.push(event.response.protocol ?? '');
    });
    const response = await page.goto(`https://127.0.0.1:${port}/page`, { timeout: 20_000 });
    expect(response?.status()).toBe(200);
    expect(await page.textContent('#from')).toBe('served by the backend for /page');
    expect(protocols).toEqual(['h3']);
    const request = seen.find((s) => s['url'] === '/page');
    expect(request).toMatchObject({ host: `127.0.0.1:${port}`, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' });
    expect(String(request!['user-agent'])).toContain('Chrome');
    expect(records.find((r) => r.path === '/page')).toMatchObject({ protocol: 'HTTP/3', status: 200, listenerId: 'lsn-q' });
    await page.close();
  }, 40_000);
});
