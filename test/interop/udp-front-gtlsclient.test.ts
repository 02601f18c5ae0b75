/**
 * An external HTTP/3 client (ngtcp2's gtlsclient, GnuTLS) through the UDP front: its SNI picks
 * the internal server, whose answer names itself, and a route change moves its next connection.
 * The tool is required: the test fails when it is missing. The packaged version (0.12) sends
 * "localhost" as SNI when dialing an address, whatever --sni says, so the routes key on that.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UdpFront } from '../../engine/quic/front/udp-front.ts';
import { startH3Answer, type H3Answer } from '../engine/quic/front/support/h3-answer.ts';
import { makePki } from '../engine/quic/front/support/quic-echo.ts';

/** gtlsclient runs one GET of https://localhost/ through `port` and returns its exit code and output. */
function gtlsclient(port: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'gtlsclient',
      ['--exit-on-all-streams-close', '--timeout=5s', '--handshake-timeout=5s', '--no-quic-dump', '127.0.0.1', String(port), 'https://localhost/'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('UdpFront with gtlsclient', () => {
  let a: H3Answer;
  let b: H3Answer;
  let front: UdpFront;
  let port: number;

  beforeAll(async () => {
    const pki = await makePki();
    a = await startH3Answer('served by a', pki.a);
    b = await startH3Answer('served by b', pki.b);
    front = new UdpFront({
      host: '127.0.0.1',
      port: 0,
      route: (name) => ({ host: '127.0.0.1', port: name === 'localhost' ? b.port : a.port }),
    });
    port = (await front.start()).port;
  });

  afterAll(async () => {
    await front?.close();
    await a?.server.close();
    await b?.server.close();
  });

  it('reaches the server its SNI routes to, and the new one after a route change', async () => {
    const first = await gtlsclient(port);
    expect(first.out).toContain('served by b');
    expect(first.code).toBe(0);
    expect([a.answered, b.answered]).toEqual([0, 1]);
    front.setRoutes((name) => ({ host: '127.0.0.1', port: name === 'localhost' ? a.port : b.port }));
    const second = await gtlsclient(port);
    expect(second.out).toContain('served by a');
    expect(second.code).toBe(0);
    expect([a.answered, b.answered]).toEqual([1, 1]);
  });
});
