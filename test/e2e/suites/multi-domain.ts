/**
 * examples/multi-domain end to end: one listener, three certificates, chosen by SNI (E1) — an
 * exact name first, then a wildcard of one label, else the default. Drift covers a field changed
 * behind Pulumi's back and a listener deleted behind its back: refresh drops it from the stack
 * and the next up creates it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../harness/index.ts';
import { EchoBackend } from '../support/echo-backend.ts';
import { EMPTY, ExampleStack, type ExampleInstall, gatehouseSteps, stepOf } from '../support/example-stack.ts';
import { previewWritesNothing, refreshInSync, runOk } from '../support/stack-expectations.ts';
import { freePort } from '../../helpers/free-port.ts';
import { GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { eventually } from '../../helpers/eventually.ts';
import { httpsRequest, waitForAnswer } from '../support/https-request.ts';

/**
 * multiDomainSuite defines the multi-domain tests for one installation of the example, the SDK and the
 * plugin: the checkout's, or the packed artifacts installed outside it.
 */
export function multiDomainSuite(install: () => ExampleInstall): void {
  let server: GatehouseServe;
  let stack: ExampleStack;
  let backend: EchoBackend;
  let port: number;
  let config: Record<string, ConfigInput>;
  let listenerId: string;

  const NAMES = ['example-test', 'wildcard-example-test', 'shop-example-org'] as const;

  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
    stack = await ExampleStack.create({ example: 'multi-domain', project: 'gatehouse-multi-domain', server, install: install() });
    backend = await EchoBackend.start('sites');
    port = await freePort();
    config = {
      port: String(port),
      backend: backend.hostPort,
      certificates: JSON.stringify(NAMES.map((name) => ({ name, certFile: stack.certs.pem(name), keyFile: stack.certs.key(name) }))),
    };
  });

  afterAll(async () => {
    await server?.close();
    await stack?.close();
    await backend?.close();
  });

  /** servedFor connects with an SNI name and answers the CN of the certificate served (chain checked, name not). */
  async function servedFor(servername: string): Promise<string> {
    const a = await httpsRequest({ port, ca: stack.certs.ca.certPem, servername, checkName: false });
    expect(a.status).toBe(200);
    return a.peer.subject.CN as string;
  }

  /** SNI is the E1 table for the certificates of this example: SNI name → CN served. */
  const SNI: readonly [string, string][] = [
    ['example.test', 'example.test'],
    ['www.example.test', 'example.test'], // exact SAN beats the wildcard
    ['api.example.test', '*.example.test'],
    ['shop.example.org', 'shop.example.org'],
    ['a.b.example.test', 'example.test'], // a wildcard matches one label only: the default
    ['unknown.example.org', 'example.test'],
  ];

  describe('multi-domain', { timeout: 60_000 }, () => {
    it('preview plans six creates, and nothing is written to the server', async () => {
      const r = await previewWritesNothing(stack, config);
      expect(gatehouseSteps(r).map((s) => s.type.replace('gatehouse:index:', '')).sort()).toEqual([
        'Certificate', 'Certificate', 'Certificate', 'Listener', 'LoadBalancer', 'ServerGroup',
      ]);
      expect(gatehouseSteps(r).every((s) => s.op === 'create')).toBe(true);
    });

    it('up creates the listener with a default and two extension certificates', async () => {
      const r = await runOk(stack, 'up', config);
      listenerId = r.outputs.listenerId as string;
      expect(r.outputs.domains).toEqual({
        'example-test': ['example.test', 'www.example.test'],
        'wildcard-example-test': ['*.example.test'],
        'shop-example-org': ['shop.example.org'],
      });
      const ids = Object.fromEntries((await server.list('certificates')).map((c) => [c.name, c.id]));
      expect((await server.api('GET', `/v1/listeners/${listenerId}`)).body).toMatchObject({
        status: 'Running',
        port,
        certificates: { defaultCertificateId: ids['example-test'], additionalCertificateIds: [ids['wildcard-example-test'], ids['shop-example-org']] },
      });
    });

    it.each(SNI)('SNI %s is served the certificate of %s', async (sni, cn) => {
      await waitForAnswer({ port, ca: stack.certs.ca.certPem, servername: sni, checkName: false });
      expect(await servedFor(sni)).toBe(cn);
    });

    it('requests for every domain reach the backend with the Host the client sent and X-Forwarded-Host', async () => {
      for (const host of ['example.test', 'api.example.test', 'shop.example.org']) {
        const a = await httpsRequest({ port, ca: stack.certs.ca.certPem, servername: host });
        const echoed = JSON.parse(a.body);
        expect(echoed.headers.host).toBe(host);
        expect(echoed.headers['x-forwarded-host'], host).toBe(host);
        expect(echoed.headers['x-forwarded-proto'], host).toBe('https');
      }
    });

    it('refresh finds no changes; gatehouse drift exits 0', async () => {
      const d = await refreshInSync(stack, config);
      expect(d.stdout).toContain('no drift: 6 resources match');
    });

    it('an extension certificate dropped through the API: shop.example.org gets the default, drift exits 2 naming the field', async () => {
      const live = (await server.api('GET', `/v1/listeners/${listenerId}`)).body;
      const additional = live.certificates.additionalCertificateIds as string[];
      const put = await server.api('PUT', `/v1/listeners/${listenerId}`, { ...live, certificates: { ...live.certificates, additionalCertificateIds: additional.slice(0, 1) } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      await eventually(async () => expect(await servedFor('shop.example.org')).toBe('example.test'));

      const d = await stack.drift();
      expect(d.code, d.stderr).toBe(2);
      expect(d.stdout).toMatch(new RegExp(`DRIFT    Listener "https" \\(${listenerId}\\): certificates\\.additionalCertificateIds\\S* (changed|removed) outside Pulumi`));
      expect(d.stdout).toContain(additional[1]!);
    });

    it('a listener deleted through the API is missing; refresh drops it, up creates it again', async () => {
      expect((await server.api('DELETE', `/v1/listeners/${listenerId}`)).status).toBe(204);
      const missing = await stack.drift();
      expect(missing.code).toBe(2);
      expect(missing.stdout).toContain(`DRIFT    Listener "https" (${listenerId}): missing — it no longer exists in Gatehouse`);

      const refresh = await runOk(stack, 'refresh', config);
      expect(stepOf(refresh, 'Listener', 'https')?.op).toBe('delete');
      const d = await stack.drift();
      expect(d.code, d.stdout).toBe(0);
      expect(d.stdout).toContain('no drift: 5 resources match');

      const up = await runOk(stack, 'up', config);
      expect(gatehouseSteps(up).filter((s) => s.op !== 'same').map((s) => `${s.type.replace('gatehouse:index:', '')}:${s.op}`)).toEqual(['Listener:create']);
      listenerId = up.outputs.listenerId as string;
      await waitForAnswer({ port, ca: stack.certs.ca.certPem, servername: 'shop.example.org' });
      expect(await servedFor('shop.example.org')).toBe('shop.example.org');
      expect((await stack.drift()).code).toBe(0);
    });

    it('destroy deletes everything', async () => {
      const r = await runOk(stack, 'destroy', config);
      expect(gatehouseSteps(r)).toHaveLength(6);
      expect(await server.counts()).toEqual(EMPTY);
    });
  });
}
