/**
 * SPEC §4 `gatehouse serve --demo` (what `npm start` runs): on an empty data directory it
 * creates a certificate, two demo backends, a load balancer and an HTTPS listener on
 * 127.0.0.1:8443 (the port SPEC fixes), answers there, and prints the curl line, the token
 * and how to point Pulumi at the server. A second start reuses the example.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fetch8443(ca: Buffer): Promise<{ status: number; text: string; backend: string }> {
  return new Promise((ok, fail) => {
    const req = httpsRequest({ host: '127.0.0.1', port: 8443, servername: 'localhost', path: '/demo', ca, agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text, backend: String(res.headers['x-demo-backend']) }));
    });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('gatehouse serve --demo', () => {
  it('answers HTTPS on 127.0.0.1:8443 in front of two backends and prints how to use it', async () => {
    const p = await GatehouseServe.start({ args: ['--demo', '--data-dir', dir, '--listen', '127.0.0.1:0'], cwd: dir });
    try {
      await p.waitFor(/Stop with Ctrl-C/, 30_000);
      const caFile = join(dir, 'demo-ca.pem');
      expect(p.stdout).toContain(`curl --cacert ${caFile} https://localhost:8443/`);
      expect(p.stdout).toContain(join(dir, 'admin-token'));
      expect(p.stdout).toContain(`pulumi config set gatehouse:endpoint ${p.url}`);
      expect(p.stdout).toContain('gatehouse:token');
      const ca = readFileSync(caFile);
      const backends = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await fetch8443(ca);
        expect(res.status).toBe(200);
        expect(res.text).toMatch(/^Hello from demo backend [12]/);
        backends.add(res.backend);
      }
      expect(backends).toEqual(new Set(['demo backend 1', 'demo backend 2']));
    } finally {
      p.child.kill('SIGINT');
      expect((await p.exited).code).toBe(0);
    }
  }, 60_000);

  it('a second start keeps the example and points it at the new backend ports', async () => {
    const p = await GatehouseServe.start({ args: ['--demo', '--data-dir', dir, '--listen', '127.0.0.1:0'], cwd: dir });
    try {
      await p.waitFor(/Stop with Ctrl-C/, 30_000);
      const res = await fetch8443(readFileSync(join(dir, 'demo-ca.pem')));
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^Hello from demo backend/);
    } finally {
      p.child.kill('SIGINT');
      await p.exited;
    }
  }, 60_000);
});
