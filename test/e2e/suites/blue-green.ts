/**
 * examples/blue-green end to end: traffic goes to the blue group; a second up with
 * `activeColor: green` is an in-place update of the listener (same id, same socket: a
 * connection kept alive across the switch carries on) and moves every new request to green.
 * Pointing the listener back at blue through the API is drift naming defaultServerGroupId.
 */
import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../harness/index.ts';
import { EchoBackend } from '../support/echo-backend.ts';
import { EMPTY, ExampleStack, type ExampleInstall, gatehouseSteps, resourceMethods, stepOf } from '../support/example-stack.ts';
import { previewWritesNothing, refreshAdopts, refreshInSync, runOk } from '../support/stack-expectations.ts';
import { freePort } from '../../helpers/free-port.ts';
import { GatehouseServe } from '../../helpers/gatehouse-serve.ts';
import { eventually } from '../../helpers/eventually.ts';
import { httpsRequest, waitForAnswer } from '../support/https-request.ts';

/**
 * blueGreenSuite defines the blue-green tests for one installation of the example, the SDK and the
 * plugin: the checkout's, or the packed artifacts installed outside it.
 */
export function blueGreenSuite(install: () => ExampleInstall): void {
  let server: GatehouseServe;
  let stack: ExampleStack;
  let backends: EchoBackend[] = [];
  let port: number;
  let base: Record<string, ConfigInput>;
  let listenerId: string;
  let groupIds: Record<'blue' | 'green', string>;
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
    stack = await ExampleStack.create({ example: 'blue-green', project: 'gatehouse-blue-green', server, install: install() });
    backends = [await EchoBackend.start('blue-1'), await EchoBackend.start('blue-2'), await EchoBackend.start('green-1')];
    port = await freePort();
    base = {
      certFile: stack.certs.pem('server'),
      keyFile: stack.certs.key('server'),
      port: String(port),
      blueServers: JSON.stringify(backends.slice(0, 2).map((b) => b.hostPort)),
      greenServers: JSON.stringify([backends[2]!.hostPort]),
    };
  });

  afterAll(async () => {
    keepAlive.destroy();
    await server?.close();
    await stack?.close();
    await Promise.all(backends.map((b) => b.close()));
  });

  const config = (activeColor: 'blue' | 'green'): Record<string, ConfigInput> => ({ ...base, activeColor });

  /** backendsHit sends n requests on new connections and answers the backends that answered. */
  async function backendsHit(n = 6): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const a = await httpsRequest({ port, ca: stack.certs.ca.certPem });
      expect(a.status).toBe(200);
      seen.add(JSON.parse(a.body).backend);
    }
    return seen;
  }

  describe('blue-green', { timeout: 60_000 }, () => {
    it('preview plans five creates, and nothing is written to the server', async () => {
      const r = await previewWritesNothing(stack, config('blue'));
      expect(gatehouseSteps(r).map((s) => s.op)).toEqual(['create', 'create', 'create', 'create', 'create']);
    });

    it('up with blue active: both groups exist, the listener is Running on blue', async () => {
      const r = await runOk(stack, 'up', config('blue'));
      groupIds = Object.fromEntries((await server.list('server-groups')).map((g) => [g.name, g.id])) as typeof groupIds;
      expect(Object.keys(groupIds).sort()).toEqual(['blue', 'green']);
      expect(r.outputs).toMatchObject({ active: 'blue', activeServerGroupId: groupIds.blue });
      listenerId = stepOf(r, 'Listener', 'https')!.id!;
      expect((await server.api('GET', `/v1/listeners/${listenerId}`)).body).toMatchObject({ status: 'Running', defaultServerGroupId: groupIds.blue, tags: { active: 'blue' } });
    });

    it('traffic goes to the blue backends only', async () => {
      await waitForAnswer({ port, ca: stack.certs.ca.certPem });
      expect(await backendsHit()).toEqual(new Set(['blue-1', 'blue-2']));
    });

    it('previewing the switch shows an in-place update of the listener only, and writes nothing', async () => {
      const before = (await server.events()).length;
      const r = await runOk(stack, 'preview', config('green'));
      const changed = gatehouseSteps(r).filter((s) => s.op !== 'same');
      expect(changed.map((s) => s.urn.split('::').at(-1))).toEqual(['https']);
      expect(changed[0]).toMatchObject({ op: 'update', id: listenerId });
      expect(Object.keys(changed[0]!.detailedDiff).sort()).toEqual(['defaultServerGroupId', 'tags.active']);
      expect(resourceMethods(r)).not.toContain('delete');
      expect((await server.events()).length).toBe(before);
      expect(await backendsHit(2)).toEqual(new Set(['blue-1', 'blue-2']));
    });

    it('up with green active moves traffic to green in place; a kept-alive connection carries on', async () => {
      // Opened just before the switch: the listener's idleTimeout (15 s) must not close it meanwhile.
      const before = await httpsRequest({ port, ca: stack.certs.ca.certPem, agent: keepAlive });
      expect(JSON.parse(before.body).backend).toMatch(/^blue-/);
      const r = await runOk(stack, 'up', config('green'));
      expect(stepOf(r, 'Listener', 'https')).toMatchObject({ op: 'update', id: listenerId });
      expect(gatehouseSteps(r).filter((s) => s.op !== 'same')).toHaveLength(1);
      expect(r.outputs).toMatchObject({ active: 'green', activeServerGroupId: groupIds.green });
      expect((await server.api('GET', `/v1/listeners/${listenerId}`)).body).toMatchObject({ status: 'Running', defaultServerGroupId: groupIds.green });

      expect(await backendsHit()).toEqual(new Set(['green-1']));
      const kept = await httpsRequest({ port, ca: stack.certs.ca.certPem, agent: keepAlive });
      expect(kept.reusedSocket).toBe(true);
      expect(JSON.parse(kept.body).backend).toBe('green-1');
    });

    it('refresh finds no changes; gatehouse drift exits 0', async () => {
      await refreshInSync(stack, config('green'));
    });

    it('switching back to blue through the API is drift: exit 2 naming defaultServerGroupId with both ids', async () => {
      const live = (await server.api('GET', `/v1/listeners/${listenerId}`)).body;
      expect((await server.api('PUT', `/v1/listeners/${listenerId}`, { ...live, defaultServerGroupId: groupIds.blue })).status).toBe(200);
      await eventually(async () => expect(await backendsHit(2)).toEqual(new Set(['blue-1', 'blue-2'])));

      const d = await stack.drift();
      expect(d.code, d.stderr).toBe(2);
      expect(d.stdout).toContain(
        `DRIFT    Listener "https" (${listenerId}): defaultServerGroupId changed outside Pulumi: stack "${groupIds.green}", live "${groupIds.blue}"`,
      );
    });

    it('refresh then up puts green back (drift exit 0 after each)', async () => {
      await refreshAdopts(stack, config('green'), 'Listener', 'https', 'defaultServerGroupId');

      const up = await runOk(stack, 'up', config('green'));
      expect(stepOf(up, 'Listener', 'https')).toMatchObject({ op: 'update', id: listenerId });
      expect(await backendsHit(3)).toEqual(new Set(['green-1']));
      expect((await stack.drift()).code).toBe(0);
    });

    it('destroy deletes everything', async () => {
      keepAlive.destroy();
      const r = await runOk(stack, 'destroy', config('green'));
      expect(gatehouseSteps(r)).toHaveLength(5);
      expect(await server.counts()).toEqual(EMPTY);
    });
  });
}
