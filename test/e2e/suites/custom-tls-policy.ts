/**
 * examples/custom-tls-policy end to end: the listener the program creates serves only what its
 * custom policy allows (E2) — TLS 1.3, and TLS 1.2 with ECDHE + AES-GCM; a TLS 1.1 client and a
 * TLS 1.2 client offering only CBC suites (which the default policy would accept) fail the
 * handshake. A cipher added to the policy through the API is drift, and is served until
 * refresh + up take it out again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../harness/index.ts';
import { EchoBackend } from '../support/echo-backend.ts';
import { EMPTY, ExampleStack, type ExampleInstall, gatehouseSteps, stepOf } from '../support/example-stack.ts';
import { previewWritesNothing, refreshAdopts, refreshInSync, runOk } from '../support/stack-expectations.ts';
import { freePort } from '../../helpers/free-port.ts';
import { GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { eventually } from '../../helpers/eventually.ts';
import { httpsRequest, waitForAnswer, type HttpsRequestOptions } from '../support/https-request.ts';

/**
 * customTlsPolicySuite defines the custom-tls-policy tests for one installation of the example, the SDK and the
 * plugin: the checkout's, or the packed artifacts installed outside it.
 */
export function customTlsPolicySuite(install: () => ExampleInstall): void {
  let server: GatehouseServe;
  let stack: ExampleStack;
  let backend: EchoBackend;
  let port: number;
  let config: Record<string, ConfigInput>;
  let policyId: string;

  /** CBC is a TLS 1.2 suite of the default policy (…_strict_with_1_3) that the example's policy leaves out. */
  const CBC = 'ECDHE-ECDSA-AES128-SHA256';

  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
    stack = await ExampleStack.create({ example: 'custom-tls-policy', project: 'gatehouse-custom-tls-policy', server, install: install() });
    backend = await EchoBackend.start('app');
    port = await freePort();
    config = { certFile: stack.certs.pem('server'), keyFile: stack.certs.key('server'), port: String(port), backend: backend.hostPort };
  });

  afterAll(async () => {
    await server?.close();
    await stack?.close();
    await backend?.close();
  });

  const client = (o: Partial<HttpsRequestOptions> = {}): HttpsRequestOptions => ({ port, ca: stack.certs.ca.certPem, timeoutMs: 5000, ...o });
  const tls13 = (): HttpsRequestOptions => client({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  const tls12Gcm = (): HttpsRequestOptions => client({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
  const tls12Cbc = (): HttpsRequestOptions => client({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: CBC });
  // The client needs security level 0 to offer TLS 1.1 at all on OpenSSL 3.
  const tls11 = (): HttpsRequestOptions => client({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' });

  describe('custom-tls-policy', { timeout: 60_000 }, () => {
    it('preview plans five creates, and nothing is written to the server', async () => {
      const r = await previewWritesNothing(stack, config);
      expect(gatehouseSteps(r).map((s) => s.type.replace('gatehouse:index:', '')).sort()).toEqual([
        'Certificate', 'Listener', 'LoadBalancer', 'ServerGroup', 'TlsSecurityPolicy',
      ]);
      expect(gatehouseSteps(r).every((s) => s.op === 'create')).toBe(true);
    });

    it('up creates the policy and a Running listener that uses it', async () => {
      const r = await runOk(stack, 'up', config);
      policyId = r.outputs.policyId as string;
      expect(policyId).toMatch(/^tlsp-[a-z2-7]{20}$/);
      expect((await server.api('GET', `/v1/tls-policies/${policyId}`)).body).toMatchObject({ name: 'modern-gcm', tlsVersions: ['TLSv1.2', 'TLSv1.3'] });
      expect((await server.api('GET', `/v1/listeners/${r.outputs.listenerId as string}`)).body).toMatchObject({ status: 'Running', port, tlsPolicyId: policyId });
    });

    it('TLS 1.3 and TLS 1.2 with ECDHE + AES-GCM are served', async () => {
      const a = await waitForAnswer(tls13());
      expect(a.protocol).toBe('TLSv1.3');
      expect(JSON.parse(a.body).backend).toBe('app');
      const b = await httpsRequest(tls12Gcm());
      expect(b).toMatchObject({ status: 200, protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    });

    it('a TLS 1.1 client and a TLS 1.2 client offering only CBC suites fail the handshake', async () => {
      // The server refuses with an alert: the clients themselves can speak these.
      await expect(httpsRequest(tls11())).rejects.toThrow(/alert protocol version/);
      await expect(httpsRequest(tls12Cbc())).rejects.toThrow(/alert handshake failure/);
    });

    it('refresh finds no changes; gatehouse drift exits 0', async () => {
      const d = await refreshInSync(stack, config);
      expect(d.stdout).toContain(`in sync  TlsSecurityPolicy "modern" (${policyId})`);
    });

    it('a CBC suite added to the policy through the API is served, and is drift naming ciphers', async () => {
      const live = (await server.api('GET', `/v1/tls-policies/${policyId}`)).body;
      const put = await server.api('PUT', `/v1/tls-policies/${policyId}`, { ...live, ciphers: [...live.ciphers, CBC] });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const served = await eventually(() => httpsRequest(tls12Cbc()));
      expect(served).toMatchObject({ status: 200, cipher: CBC });

      const d = await stack.drift();
      expect(d.code, d.stderr).toBe(2);
      expect(d.stdout).toMatch(new RegExp(`DRIFT    TlsSecurityPolicy "modern" \\(${policyId}\\): ciphers\\S* (set|changed) outside Pulumi`));
      expect(d.stdout).toContain(CBC);
    });

    it('refresh then up take the suite out again (drift exit 0 after each)', async () => {
      await refreshAdopts(stack, config, 'TlsSecurityPolicy', 'modern', 'ciphers');

      const up = await runOk(stack, 'up', config);
      expect(stepOf(up, 'TlsSecurityPolicy', 'modern')).toMatchObject({ op: 'update', id: policyId });
      expect((await server.api('GET', `/v1/tls-policies/${policyId}`)).body.ciphers).not.toContain(CBC);
      await eventually(() => expect(httpsRequest(tls12Cbc())).rejects.toThrow());
      expect((await httpsRequest(tls12Gcm())).status).toBe(200);
      expect((await stack.drift()).code).toBe(0);
    });

    it('destroy deletes everything, the custom policy included', async () => {
      const r = await runOk(stack, 'destroy', config);
      expect(gatehouseSteps(r)).toHaveLength(5);
      expect(await server.counts()).toEqual(EMPTY);
    });
  });
}
