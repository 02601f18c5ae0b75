/**
 * E1 and E4 with real clients: curl --resolve sends each server name to the listener and
 * verifies the certificate it gets against the test CA (exact, wildcard, fallback to the
 * default); curl and nghttp negotiate HTTP/2 only while the listener has it enabled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../helpers/pki.ts';
import { EngineHarness, portOf } from '../engine/support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../engine/support/snapshots.ts';
import { requireTool, runTool } from './support/tools.ts';

let harness: EngineHarness;
let h2Port: number;
let h1Port: number;
let dir: string;
let caFile: string;

beforeAll(async () => {
  const ca = await createCa('Interop CA');
  const [def, exact, wild] = await Promise.all([
    issueCertificate({ commonName: 'default-cert', dnsNames: ['default.test'] }, ca),
    issueCertificate({ commonName: 'exact-cert', dnsNames: ['www.example.com'] }, ca),
    issueCertificate({ commonName: 'wild-cert', dnsNames: ['*.example.com'] }, ca),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-curl-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  harness = new EngineHarness();
  const backend = await harness.backend('curl-backend');
  const listener = (id: string, http2Enabled: boolean) => httpsListener(id, 'sgp-1', 'cert-def', { http2Enabled, additionalCertificateIds: ['cert-exact', 'cert-wild'] });
  const result = await harness.apply(
    buildSnapshot({
      listeners: [listener('lsn-h2', true), listener('lsn-h1', false)],
      certificates: [serverCertificate('cert-def', def, ['default.test']), serverCertificate('cert-exact', exact, ['www.example.com']), serverCertificate('cert-wild', wild, ['*.example.com'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    }),
  );
  h2Port = portOf(result, 'lsn-h2');
  h1Port = portOf(result, 'lsn-h1');
});

afterAll(async () => {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

function curl(name: string, port: number, extra: string[] = []) {
  return runTool('curl', ['-sS', '-v', '--max-time', '10', '--cacert', caFile, '--resolve', `${name}:${port}:127.0.0.1`, ...extra, `https://${name}:${port}/sni`], { timeoutMs: 15_000 });
}

describe('curl --resolve (SNI)', () => {
  it.each([
    { name: 'www.example.com', cn: 'exact-cert' },
    { name: 'shop.example.com', cn: 'wild-cert' },
    { name: 'default.test', cn: 'default-cert' },
  ])('$name is served $cn and verifies against the CA', async ({ name, cn }) => {
    requireTool('curl');
    const run = await curl(name, h2Port);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`subject: CN=${cn}`));
    expect(JSON.parse(run.stdout)).toMatchObject({ backend: 'curl-backend', url: '/sni' });
  });

  it('a name no certificate covers gets the default certificate (and fails verification)', async () => {
    requireTool('curl');
    const run = await curl('a.b.example.com', h2Port);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/subject: CN=default-cert/);
    expect(run.stderr).toMatch(/no alternative certificate subject name matches|SSL: no alternative/);
  });
});

describe('HTTP/2 negotiation with curl and nghttp (E4)', () => {
  it('curl --http2 gets h2 with HTTP/2 on, HTTP/1.1 with it off', async () => {
    requireTool('curl');
    const on = await curl('www.example.com', h2Port, ['--http2']);
    expect(on.code).toBe(0);
    expect(on.stderr).toMatch(/ALPN: server accepted h2|ALPN, server accepted to use h2/);
    expect(on.stderr).toMatch(/< HTTP\/2 200/);
    const off = await curl('www.example.com', h1Port, ['--http2']);
    expect(off.code).toBe(0);
    expect(off.stderr).toMatch(/ALPN: server accepted http\/1\.1|ALPN, server accepted to use http\/1\.1/);
    expect(off.stderr).toMatch(/< HTTP\/1\.1 200/);
  });

  it('nghttp speaks HTTP/2 to the listener with it on and cannot with it off', async () => {
    requireTool('nghttp');
    const on = await runTool('nghttp', ['-v', `https://127.0.0.1:${h2Port}/nghttp`], { timeoutMs: 15_000 });
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/h2 is negotiated|The negotiated protocol: h2/);
    expect(on.stdout).toContain('"url":"/nghttp"');
    // nghttp offers only h2: with HTTP/2 off there is no protocol in common and no request is made.
    const off = await runTool('nghttp', ['-v', `https://127.0.0.1:${h1Port}/nghttp`], { timeoutMs: 15_000 });
    expect(off.stdout).not.toMatch(/h2 is negotiated|The negotiated protocol: h2/);
    expect(off.stdout).not.toContain('"url":"/nghttp"');
    expect(off.stderr).toMatch(/not processed/);
  });
});
