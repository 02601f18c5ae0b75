/**
 * examples/mutual-tls end to end: through the harness engine and the real plugin against a real
 * `gatehouse serve`, the listener it creates lets in only clients with a certificate from the
 * client CA and passes what it learned to the backend in the client-certificate headers.
 * Switching mutual TLS off behind Pulumi's back is drift; refresh + up switch it on again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { UNKNOWN_SENTINEL, type ConfigInput } from '../../harness/index.ts';
import { EchoBackend } from '../support/echo-backend.ts';
import { EMPTY, ExampleStack, type ExampleInstall, gatehouseSteps, stepOf } from '../support/example-stack.ts';
import { previewWritesNothing, refreshAdopts, refreshInSync, runOk } from '../support/stack-expectations.ts';
import { freePort } from '../../helpers/free-port.ts';
import { GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { httpsRequest, waitForAnswer, type HttpsRequestOptions } from '../support/https-request.ts';

/**
 * mutualTlsSuite defines the mutual-tls tests for one installation of the example, the SDK and the
 * plugin: the checkout's, or the packed artifacts installed outside it.
 */
export function mutualTlsSuite(install: () => ExampleInstall): void {
  let server: GatehouseServe;
  let stack: ExampleStack;
  let backend: EchoBackend;
  let stranger: Issued;
  let port: number;
  let config: Record<string, ConfigInput>;
  let listenerId: string;

  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
    stack = await ExampleStack.create({ example: 'mutual-tls', project: 'gatehouse-mutual-tls', server, install: install() });
    backend = await EchoBackend.start('api');
    stranger = await issueCertificate({ commonName: 'stranger', client: true }, await createCa('Some Other CA'));
    port = await freePort();
    config = {
      certFile: stack.certs.pem('server'),
      keyFile: stack.certs.key('server'),
      clientCaFile: stack.certs.dir + '/client-ca.pem',
      port: String(port),
      backend: backend.hostPort,
    };
  });

  afterAll(async () => {
    await server?.close();
    await stack?.close();
    await backend?.close();
  });

  /** withClientCert is a request presenting the client certificate the client CA issued. */
  const withClientCert = (): HttpsRequestOptions => ({ port, ca: stack.certs.ca.certPem, cert: stack.certs.client.certPem, key: stack.certs.client.keyPem });
  const withoutClientCert = (): HttpsRequestOptions => ({ port, ca: stack.certs.ca.certPem, timeoutMs: 5000 });

  describe('mutual-tls', { timeout: 60_000 }, () => {
    it('preview plans five creates, and nothing is written to the server', async () => {
      const r = await previewWritesNothing(stack, config);
      expect(gatehouseSteps(r).map((s) => s.op)).toEqual(['create', 'create', 'create', 'create', 'create']);
      expect(r.outputs.listenerId).toBe(UNKNOWN_SENTINEL);
    });

    it('up creates a Running listener that requires certificates from the client CA', async () => {
      const r = await runOk(stack, 'up', config);
      listenerId = r.outputs.listenerId as string;
      const live = (await server.api('GET', `/v1/listeners/${listenerId}`)).body;
      const certificates = await server.list('certificates');
      const ca = certificates.find((c) => c.type === 'CA');
      expect(ca).toMatchObject({ name: 'mtls-client-ca', subjectDn: r.outputs.trustedClientCa });
      expect(live).toMatchObject({ status: 'Running', port, mutualAuthentication: { enabled: true, caCertificateId: ca.id } });
      expect(await server.list('load-balancers')).toMatchObject([{ edition: 'Standard' }]);
      expect(await server.counts()).toMatchObject({ 'load-balancers': 1, listeners: 1, certificates: 2, 'server-groups': 1 });
    });

    it('a client with a certificate from the client CA gets through; without one, or from another CA, the handshake fails', async () => {
      const a = await waitForAnswer(withClientCert());
      expect(JSON.parse(a.body).backend).toBe('api');
      await expect(httpsRequest(withoutClientCert())).rejects.toThrow();
      await expect(httpsRequest({ ...withoutClientCert(), cert: stranger.certPem, key: stranger.keyPem })).rejects.toThrow();
      expect((await httpsRequest(withClientCert())).status).toBe(200);
    });

    it('the client-certificate headers arrive at the backend, renamed where the program says so', async () => {
      const a = await httpsRequest(withClientCert());
      const headers = JSON.parse(a.body).headers as Record<string, string>;
      expect(headers['x-forwarded-clientcert-clientverify']).toBe('SUCCESS');
      expect(headers['x-forwarded-clientcert-subjectdn']).toContain('CN=e2e-client');
      expect(headers['x-client-issuer']).toContain('CN=Gatehouse E2E Client CA');
      expect(headers['x-client-cert-sha1']).toBe(stack.certs.client.sha1);
      expect(headers['x-forwarded-proto']).toBe('https');
      // Renamed headers are not also sent under their default names.
      expect(headers['x-forwarded-clientcert-issuerdn']).toBeUndefined();
      expect(headers['x-forwarded-clientcert-fingerprint']).toBeUndefined();
    });

    it('refresh finds no changes; gatehouse drift exits 0', async () => {
      const d = await refreshInSync(stack, config);
      expect(d.stdout).toContain('no drift: 5 resources match');
    });

    it('mutual TLS switched off through the API: clients without a certificate get in, and drift exits 2 naming the field', async () => {
      const live = (await server.api('GET', `/v1/listeners/${listenerId}`)).body;
      const put = await server.api('PUT', `/v1/listeners/${listenerId}`, { ...live, mutualAuthentication: { enabled: false } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect((await waitForAnswer(withoutClientCert())).status).toBe(200);

      const d = await stack.drift();
      expect(d.code, d.stderr).toBe(2);
      expect(d.stdout).toContain(`DRIFT    Listener "https" (${listenerId}): mutualAuthentication.enabled changed outside Pulumi: stack true, live false`);
    });

    it('refresh adopts it (drift exit 0); up switches mutual TLS on again', async () => {
      await refreshAdopts(stack, config, 'Listener', 'https', 'mutualAuthentication');

      const up = await runOk(stack, 'up', config);
      expect(stepOf(up, 'Listener', 'https')).toMatchObject({ op: 'update', id: listenerId });
      expect(stepOf(up, 'Listener', 'https')?.detailedDiff).toHaveProperty(['mutualAuthentication.enabled']);
      expect((await server.api('GET', `/v1/listeners/${listenerId}`)).body).toMatchObject({ status: 'Running', mutualAuthentication: { enabled: true } });
      await expect(httpsRequest(withoutClientCert())).rejects.toThrow();
      expect((await httpsRequest(withClientCert())).status).toBe(200);
      expect((await stack.drift()).code).toBe(0);
    });

    it('destroy deletes everything', async () => {
      const r = await runOk(stack, 'destroy', config);
      expect(gatehouseSteps(r).every((s) => s.op === 'delete')).toBe(true);
      expect(await server.counts()).toEqual(EMPTY);
    });
  });
}
