/**
 * SPEC 1.6 health-check fields, one check at a time against real servers: TCP, HTTP and HTTPS;
 * method, path, Host (default = the server address), HTTP/1.0 or 1.1, port 0 = the server's
 * port, timeout, and the healthy code classes.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { compileProbe, probe } from '../../../engine/health/index.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { healthConfig } from '../support/snapshots.ts';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** rawServer answers every request with `status` and records the request heads it received. */
async function rawServer(status: number | 'silent', host = '127.0.0.1'): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      if (head.includes('\r\n\r\n')) {
        heads.push(head);
        if (status !== 'silent') socket.end(`HTTP/1.1 ${status} Whatever\r\nContent-Length: 0\r\n\r\n`);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, host);
  await once(server, 'listening');
  closers.push(() => server.close());
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => sockets.add(s));
  closers.push(() => sockets.forEach((s) => s.destroy()));
  return { port: (server.address() as net.AddressInfo).port, heads };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('TCP checks', () => {
  it('a listening port is healthy', async () => {
    const { port } = await rawServer('silent');
    const result = await probe(compileProbe(healthConfig({ protocol: 'TCP' })), '127.0.0.1', port, new Set());
    expect(result).toEqual({ ok: true, detail: 'TCP connect succeeded' });
  });

  it('a refused connection is unhealthy, with the reason', async () => {
    const result = await probe(compileProbe(healthConfig({ protocol: 'TCP' })), '127.0.0.1', await closedPort(), new Set());
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('ECONNREFUSED');
  });
});

describe('HTTP checks', () => {
  it('defaults: HEAD / HTTP/1.1 with Host = the server address', async () => {
    const { port, heads } = await rawServer(200);
    const result = await probe(compileProbe(healthConfig()), '127.0.0.1', port, new Set());
    expect(result).toEqual({ ok: true, detail: 'HTTP 200' });
    const lines = heads[0]!.split('\r\n');
    expect(lines[0]).toBe('HEAD / HTTP/1.1');
    expect(lines).toContain('Host: 127.0.0.1');
  });

  it('GET, path, host and HTTP/1.0 are sent as configured', async () => {
    const { port, heads } = await rawServer(204);
    const config = healthConfig({ method: 'GET', path: '/healthz?deep=1', host: 'app.example.com', httpVersion: 'HTTP1.0' });
    expect((await probe(compileProbe(config), '127.0.0.1', port, new Set())).ok).toBe(true);
    const lines = heads[0]!.split('\r\n');
    expect(lines[0]).toBe('GET /healthz?deep=1 HTTP/1.0');
    expect(lines).toContain('Host: app.example.com');
  });

  it('an IPv6 server address becomes a bracketed Host', async () => {
    const { port, heads } = await rawServer(200, '::1');
    expect((await probe(compileProbe(healthConfig()), '::1', port, new Set())).ok).toBe(true);
    expect(heads[0]!.split('\r\n')).toContain('Host: [::1]');
  });

  it('port 0 is the server port; another port overrides it', async () => {
    const { port, heads } = await rawServer(200);
    const result = await probe(compileProbe(healthConfig({ port })), '127.0.0.1', await closedPort(), new Set());
    expect(result.ok).toBe(true);
    expect(heads).toHaveLength(1);
  });

  it.each([
    [200, ['http_2xx', 'http_3xx'], true],
    [302, ['http_2xx', 'http_3xx'], true],
    [404, ['http_2xx', 'http_3xx'], false],
    [404, ['http_4xx'], true],
    [503, ['http_2xx', 'http_3xx'], false],
    [503, ['http_5xx'], true],
    [200, ['http_3xx'], false],
  ] as const)('status %s with codes %j → healthy %s', async (status, codes, ok) => {
    const { port } = await rawServer(status);
    const result = await probe(compileProbe(healthConfig({ codes: [...codes] })), '127.0.0.1', port, new Set());
    expect(result.ok).toBe(ok);
    expect(result.detail).toBe(ok ? `HTTP ${status}` : `HTTP ${status} not in ${codes.join(',')}`);
  });

  it('a server that never answers fails after the timeout, not before', async () => {
    const { port } = await rawServer('silent');
    const started = Date.now();
    const open = new Set<net.Socket>();
    const result = await probe(compileProbe(healthConfig({ timeout: 1 })), '127.0.0.1', port, open);
    const elapsed = Date.now() - started;
    expect(result).toEqual({ ok: false, detail: 'timeout after 1 s' });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(5000);
    expect(open.size).toBe(0);
  });

  it('a garbage answer is unhealthy', async () => {
    const server = net.createServer((s) => s.end('SSH-2.0-OpenSSH\r\n'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const result = await probe(compileProbe(healthConfig()), '127.0.0.1', (server.address() as net.AddressInfo).port, new Set());
    expect(result).toEqual({ ok: false, detail: 'malformed response: bad status line' });
  });
});

describe('HTTPS checks', () => {
  it('speaks TLS to the backend (certificate not verified) and reads the status', async () => {
    const ca = await createCa();
    const cert = await issueCertificate({ commonName: 'backend', dnsNames: ['backend.internal'] }, ca);
    const seen: { servername: string | false | null; head: string }[] = [];
    const server = tls.createServer({ key: cert.keyPem, cert: cert.chainPem }, (socket) => {
      socket.setEncoding('latin1');
      let head = '';
      socket.on('data', (c: string) => {
        head += c;
        if (head.includes('\r\n\r\n')) {
          seen.push({ servername: socket.servername, head });
          socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
        }
      });
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const result = await probe(compileProbe(healthConfig({ protocol: 'HTTPS', host: 'backend.internal' })), '127.0.0.1', port, new Set());
    expect(result).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(seen[0]!.servername).toBe('backend.internal');
    expect(seen[0]!.head.split('\r\n')[0]).toBe('HEAD / HTTP/1.1');
    // Plain HTTP against the TLS port is not a healthy answer.
    expect((await probe(compileProbe(healthConfig({ protocol: 'HTTP', timeout: 1 })), '127.0.0.1', port, new Set())).ok).toBe(false);
  });
});
