/**
 * Chromium through the UDP front: its ClientHello carries a post-quantum key share and spans
 * two Initial packets, the case the SNI reader reassembles; its SNI must pick the internal
 * server, whose HTTP/3 answer names itself. The server is trusted by its key's hash alone, so a
 * route to the other server would fail the handshake. Chromium (/usr/bin/chromium, driven by
 * playwright-core) is required: the test fails when it is missing.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { chromium, type Browser } from 'playwright-core';
import { SniReader, type SniVerdict } from '../../engine/quic/front/sni-reader.ts';
import { UdpFront } from '../../engine/quic/front/udp-front.ts';
import { startH3Answer, type H3Answer } from '../engine/quic/front/support/h3-answer.ts';
import { makePki } from '../engine/quic/front/support/quic-echo.ts';

describe('UdpFront with Chromium', () => {
  let a: H3Answer;
  let b: H3Answer;
  let front: UdpFront;
  let port: number;
  let browser: Browser;
  const names: Array<string | undefined> = [];
  /** A plain socket that only reads what Chromium sends it. */
  const sniffer = createSocket('udp4');
  const sniffed = new SniReader();
  const verdicts: SniVerdict[] = [];

  beforeAll(async () => {
    const pki = await makePki();
    a = await startH3Answer('served by a', pki.a);
    b = await startH3Answer('served by b', pki.b);
    front = new UdpFront({
      host: '127.0.0.1',
      port: 0,
      route: (name) => {
        names.push(name);
        return { host: '127.0.0.1', port: name === 'b.example' ? b.port : a.port };
      },
    });
    port = (await front.start()).port;
    sniffer.on('message', (datagram) => verdicts.push(sniffed.push(datagram)));
    await new Promise<void>((resolve) => sniffer.bind(0, '127.0.0.1', () => resolve()));
    // Chromium's QUIC trusts a certificate by the hash of its public key, not by --ignore-certificate-errors.
    const spki = createHash('sha256')
      .update(new X509Certificate(pki.b.certPem).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--enable-quic',
        `--origin-to-force-quic-on=b.example:${port},c.example:${sniffer.address().port}`,
        '--host-resolver-rules=MAP *.example 127.0.0.1',
        `--ignore-certificate-errors-spki-list=${spki}`,
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    sniffer.close();
    await front?.close();
    await a?.server.close();
    await b?.server.close();
  });

  it('needs Chromium’s second Initial datagram for the name', async () => {
    const page = await browser.newPage();
    await page.goto(`https://c.example:${sniffer.address().port}/`, { timeout: 1500 }).catch(() => undefined);
    await page.close();
    expect(verdicts[0]).toEqual({ kind: 'pending' });
    expect(verdicts[1]).toEqual({ kind: 'name', serverName: 'c.example' });
  });

  it('reads Chromium’s SNI and reaches the server it names', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`https://b.example:${port}/`, { timeout: 15_000 });
    expect(response?.status()).toBe(200);
    expect(await response?.text()).toBe('served by b');
    expect(names[0]).toBe('b.example');
    expect(b.answered).toBeGreaterThan(0);
    expect(a.answered).toBe(0);
  });
});
