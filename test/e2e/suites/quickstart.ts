/**
 * examples/quickstart end to end: the program runs through the harness engine and the real
 * provider plugin against a real `gatehouse serve`; HTTPS requests then flow through the
 * listener it created to both local backends; refresh, `gatehouse drift` on the stack's state
 * file, repair by refresh + up, and destroy leave the server as they found it.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_SENTINEL, type ConfigInput } from '../../harness/index.ts';
import { EchoBackend } from '../support/echo-backend.ts';
import { EMPTY, ExampleStack, type ExampleInstall, gatehouseSteps, stepOf } from '../support/example-stack.ts';
import { previewWritesNothing, refreshAdopts, runOk } from '../support/stack-expectations.ts';
import { GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { freePort } from '../../helpers/free-port.ts';
import { httpsRequest, waitForAnswer } from '../support/https-request.ts';

/**
 * quickstartSuite defines the quickstart tests for one installation of the example, the SDK and the
 * plugin: the checkout's, or the packed artifacts installed outside it.
 */
export function quickstartSuite(install: () => ExampleInstall): void {
  let server: GatehouseServe;
  let stack: ExampleStack;
  let backends: EchoBackend[] = [];
  let port: number;
  let config: Record<string, ConfigInput>;
  let listenerId: string;

  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
    stack = await ExampleStack.create({ example: 'quickstart', project: 'gatehouse-quickstart', server, install: install() });
    backends = [await EchoBackend.start('one'), await EchoBackend.start('two')];
    port = await freePort();
    config = {
      certFile: stack.certs.pem('server'),
      keyFile: stack.certs.key('server'),
      port: String(port),
      backends: JSON.stringify(backends.map((b) => b.hostPort)),
    };
  });

  afterAll(async () => {
    await server?.close();
    await stack?.close();
    await Promise.all(backends.map((b) => b.close()));
  });

  describe('quickstart', { timeout: 60_000 }, () => {
    it('preview plans four creates, and nothing is written to the server', async () => {
      const r = await previewWritesNothing(stack, config);
      expect(gatehouseSteps(r).map((s) => `${s.type.replace('gatehouse:index:', '')}:${s.op}`).sort()).toEqual([
        'Certificate:create', 'Listener:create', 'LoadBalancer:create', 'ServerGroup:create',
      ]);
      expect(r.outputs.listenerId).toBe(UNKNOWN_SENTINEL);
    });

    it('up creates every resource, waits for the listener to be Running, and keeps the key a secret in state', async () => {
      const r = await runOk(stack, 'up', config);
      expect(gatehouseSteps(r).map((s) => s.op)).toEqual(['create', 'create', 'create', 'create']);
      expect(r.outputs.listenerStatus).toBe('Running');
      expect(r.outputs.url).toBe(`https://localhost:${port}/`);
      expect(r.outputs.certificateDomains).toEqual(['localhost']);
      listenerId = r.outputs.listenerId as string;
      expect(listenerId).toMatch(/^lsn-[a-z2-7]{20}$/);

      const live = (await server.api('GET', `/v1/listeners/${listenerId}`)).body;
      expect(live).toMatchObject({ protocol: 'HTTPS', port, status: 'Running', forwardedHeaders: { proto: true, port: true, host: true } });
      const [group] = await server.list('server-groups');
      expect(group).toMatchObject({ name: 'quickstart-web', servers: backends.map((b) => ({ address: '127.0.0.1', port: b.port })) });
      expect(live.defaultServerGroupId).toBe(group.id);
      expect(await server.counts()).toMatchObject({ 'load-balancers': 1, listeners: 1, certificates: 1, 'server-groups': 1 });

      const state = await readFile(stack.statePath, 'utf8');
      expect(state).toContain('"ciphertext"');
      expect(state).not.toContain(stack.certs.server.keyPem.split('\n')[1]!);
      expect(state).not.toContain(server.token);
    });

    it('HTTPS requests flow through the listener to both backends of the group', async () => {
      const first = await waitForAnswer({ port, ca: stack.certs.ca.certPem });
      expect(first.peer.subject.CN).toBe('localhost');
      const seen = new Set<string>([JSON.parse(first.body).backend]);
      for (let i = 0; i < 6; i++) {
        const a = await httpsRequest({ port, ca: stack.certs.ca.certPem, path: `/hello?i=${i}` });
        expect(a.status).toBe(200);
        const echoed = JSON.parse(a.body);
        seen.add(echoed.backend);
        expect(echoed).toMatchObject({ method: 'GET', url: `/hello?i=${i}`, headers: { host: 'localhost' } });
      }
      expect(seen).toEqual(new Set(['one', 'two']));
    });

    it('the forwarded headers the program turned on reach the backend (X-Forwarded-For is on by default)', async () => {
      const a = await httpsRequest({ port, ca: stack.certs.ca.certPem });
      expect(JSON.parse(a.body).headers).toMatchObject({
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': String(port),
        'x-forwarded-host': 'localhost',
      });
    });

    it('refresh finds no changes and gatehouse drift reads the state file: exit 0', async () => {
      const r = await runOk(stack, 'refresh', config);
      const steps = gatehouseSteps(r);
      expect(steps).toHaveLength(4);
      for (const s of steps) expect(s, s.urn).toMatchObject({ op: 'read', diffs: [] });

      const d = await stack.drift();
      expect(d.code, d.stderr).toBe(0);
      expect(d.stdout).toContain(`in sync  Listener "https" (${listenerId})`);
      expect(d.stdout).toMatch(/skipped  Certificate "site" \(cert-[a-z2-7]{20}\): privateKeyPem not compared/);
      expect(d.stdout).toContain('no drift: 4 resources match');
    });

    it('a change made through the API is drift: exit 2 naming the resource and the field', async () => {
      const live = (await server.api('GET', `/v1/listeners/${listenerId}`)).body;
      const put = await server.api('PUT', `/v1/listeners/${listenerId}`, { ...live, idleTimeout: 99 });
      expect(put.status).toBe(200);
      const d = await stack.drift();
      expect(d.code, d.stderr).toBe(2);
      expect(d.stdout).toContain(`DRIFT    Listener "https" (${listenerId}): idleTimeout changed outside Pulumi: stack 15, live 99`);
      expect(d.stdout).toContain('drift: 1 of 4 resources differ');
    });

    it('refresh adopts the change (drift exit 0), and up puts the program back in charge', async () => {
      await refreshAdopts(stack, config, 'Listener', 'https', 'idleTimeout');

      const up = await runOk(stack, 'up', config);
      expect(stepOf(up, 'Listener', 'https')).toMatchObject({ op: 'update', id: listenerId, detailedDiff: { idleTimeout: { kind: 'update' } } });
      expect((await server.api('GET', `/v1/listeners/${listenerId}`)).body).toMatchObject({ idleTimeout: 15, status: 'Running' });
      const d = await stack.drift();
      expect(d.code, d.stdout).toBe(0);
      expect((await httpsRequest({ port, ca: stack.certs.ca.certPem })).status).toBe(200);
    });

    it('destroy deletes everything: the server is empty and the port closed', async () => {
      const r = await runOk(stack, 'destroy', config);
      expect(gatehouseSteps(r).map((s) => s.op)).toEqual(['delete', 'delete', 'delete', 'delete']);
      expect(await server.counts()).toEqual(EMPTY);
      await expect(httpsRequest({ port, ca: stack.certs.ca.certPem, timeoutMs: 2000 })).rejects.toThrow();
    });
  });
}
