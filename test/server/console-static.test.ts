/**
 * SPEC §3 `GET /console/`: the management port serves the built web console — public, with a
 * strict Content-Security-Policy and the framing, sniffing and referrer headers on every answer,
 * index.html revalidated, content-hashed assets cached for a year, only the files of the built
 * folder's listing (404 for any other name, 400 for a path that tries to climb out), and a 503
 * that says how to build it while it is not built. The folder here is a stand-in build, so the
 * test does not depend on `npm run build:console` having run.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { ConsoleFiles } from '../../server/console/console-files.ts';
import { Store } from '../../server/store/store.ts';
import { rawExchange, rawRequest } from './support/raw-http.ts';

const TOKEN = 'console-test-token-0123456789';
const INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-AbC123.js"></script></head><body></body></html>';
const SCRIPT = 'document.body.textContent = "hi";';
const STYLE = 'body { color: black }';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
let built: FastifyInstance;
let builtDir: string;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
  dirs.push(dir);
  return dir;
}

async function appFor(consoleDir: string): Promise<FastifyInstance> {
  const app = await buildApp({ store: Store.open({ dataDir: tempDir(), env: {} }), token: TOKEN, console: new ConsoleFiles(consoleDir) });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  builtDir = join(tempDir(), 'dist');
  mkdirSync(join(builtDir, 'assets'), { recursive: true });
  writeFileSync(join(builtDir, 'index.html'), INDEX);
  writeFileSync(join(builtDir, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(builtDir, 'assets', 'index-DeF456.css'), STYLE);
  writeFileSync(join(builtDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  // A secret beside the build and a link out of it: neither may be reachable.
  writeFileSync(join(builtDir, '..', 'secret.txt'), 'not for the browser');
  symlinkSync('/etc/hostname', join(builtDir, 'assets', 'linked.txt'));
  built = await appFor(builtDir);
});

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const EXPECTED_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
];

function expectSecurityHeaders(headers: Record<string, unknown>): void {
  const csp = String(headers['content-security-policy']);
  for (const directive of EXPECTED_CSP) expect(csp.split('; '), directive).toContain(directive);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
}

describe('the built console', () => {
  it('serves index.html at /console/ and /console without a token, revalidated, with the security headers', async () => {
    for (const url of ['/console/', '/console']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
      expectSecurityHeaders(res.headers);
    }
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await built.inject({ method: 'GET', url: '/console/' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await built.inject({ method: 'GET', url: '/console/', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets immutable for a year, with their content types', async () => {
    const js = await built.inject({ method: 'GET', url: '/console/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe(SCRIPT);
    expectSecurityHeaders(js.headers);
    const css = await built.inject({ method: 'GET', url: '/console/assets/index-DeF456.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const svg = await built.inject({ method: 'GET', url: '/console/favicon.svg' });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await built.inject({ method: 'HEAD', url: '/console/assets/index-AbC123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers 404, with the security headers, for a name not in the built listing', async () => {
    for (const url of ['/console/assets/index-XXXXXX.js', '/console/assets/', '/console/secret.txt', '/console/assets/linked.txt', '/console/overview', '/console/INDEX.HTML']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expectSecurityHeaders(res.headers);
    }
  });

  it('refuses paths that try to climb out of the folder, sent byte for byte', async () => {
    const port = await listen(built);
    const attempts = [
      '/console/../secret.txt',
      '/console/assets/../../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/%2E%2E/%2E%2E/package.json',
      '/console/assets%2f..%2f..%2fsecret.txt',
      '/console/..%5c..%5csecret.txt',
      '/console//etc/passwd',
      '/console/assets\\..\\..\\secret.txt',
    ];
    for (const target of attempts) {
      const res = await rawExchange(port, rawRequest('GET', target));
      expect([400, 404], target).toContain(res.status);
      expect(res.raw, target).not.toContain('not for the browser');
      expect(res.raw, target).not.toContain('"name": "gatehouse"');
    }
    // The dot segments are refused before any route is chosen.
    expect((await rawExchange(port, rawRequest('GET', '/console/../secret.txt'))).status).toBe(400);
  });

  it('keeps the management API behind the token', async () => {
    const res = await built.inject({ method: 'GET', url: '/v1/listeners' });
    expect(res.statusCode).toBe(401);
    const ok = await built.inject({ method: 'GET', url: '/v1/listeners', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('a console not built yet', () => {
  it('answers 503 with a plain message saying how to build it, then serves it once built', async () => {
    const dir = tempDir();
    const app = await appFor(join(dir, 'dist'));
    for (const url of ['/console/', '/console/assets/index-AbC123.js']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain('npm run build:console');
      expectSecurityHeaders(res.headers);
    }
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), INDEX);
    const later = await app.inject({ method: 'GET', url: '/console/' });
    expect(later.statusCode).toBe(200);
    expect(later.body).toBe(INDEX);
  });
});

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
