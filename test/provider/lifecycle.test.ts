/**
 * Create / Diff / Update / Delete against a live server (SPEC §5): previews write nothing;
 * create and update wait until a listener is Running (and fail with its statusReason);
 * a QUIC listener is Running without a warning; detailed diffs of every
 * kind; delete-before-replace when the replacement would collide; delete of a missing id; API
 * errors named by resource and field; secrets never logged.
 */
import { connect, createServer, type Server } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, listenerInputs, T, useBasicsWithCertificate, useProviderFixture, type Deployed } from './support/fixture.ts';
import { isSecret, PluginError, secret, UNKNOWN } from './support/plugin.ts';

const fx = useProviderFixture();
const base = useBasicsWithCertificate(fx, 'life');

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function failure(p: Promise<unknown>): Promise<PluginError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PluginError);
  return err as PluginError;
}

describe('preview', () => {
  it('Create with preview returns the inputs and unknown outputs, and writes nothing', async () => {
    const before = await fx.server.api('GET', '/v1/events');
    const checked = await fx.plugin.check(T.LoadBalancer, 'ghost', {}, { name: 'ghost' });
    const res = await fx.plugin.create(T.LoadBalancer, 'ghost', checked.inputs, true);
    expect(res.id).toBe('');
    expect(res.properties).toMatchObject({ name: 'ghost', edition: 'Standard', id: UNKNOWN, version: UNKNOWN, status: UNKNOWN });
    const after = await fx.server.api('GET', '/v1/events');
    expect(after.body).toEqual(before.body);
    expect((await fx.server.api('GET', '/v1/load-balancers')).body.items.map((i: { name: string }) => i.name)).not.toContain('ghost');
  });

  it('Create with preview of a listener whose load balancer is unknown calls nothing and keeps the unknown', async () => {
    const checked = await fx.plugin.check(T.Listener, 'ghost-l', {}, { loadBalancerId: UNKNOWN, protocol: 'HTTP', port: 8089, defaultServerGroupId: base.group.id });
    const res = await fx.plugin.create(T.Listener, 'ghost-l', checked.inputs, true);
    expect(res.properties.loadBalancerId).toBe(UNKNOWN);
    expect(res.properties.status).toBe(UNKNOWN);
  });

  it('Update with preview changes nothing on the server and marks recomputed outputs unknown', async () => {
    const news = { ...base.lb.inputs, tags: { env: 'preview' } };
    const props = await fx.plugin.update(T.LoadBalancer, 'life-lb', base.lb.id, base.lb.outputs, news, base.lb.inputs, true);
    expect(props.tags).toEqual({ env: 'preview' });
    expect(props.version).toBe(UNKNOWN);
    expect(props.id).toBe(base.lb.id);
    const live = await fx.server.api('GET', `/v1/load-balancers/${base.lb.id}`);
    expect(live.body.version).toBe(1);
    expect(live.body.tags).toEqual({});
  });
});

describe('create and update wait for Running', () => {
  it('Create returns once the listener is Running and its port accepts connections', async () => {
    const port = await freePort();
    const l = await fx.deploy(T.Listener, 'web', listenerInputs(base, 'HTTP', port));
    expect(l.id).toMatch(/^lsn-/);
    expect(l.outputs.status).toBe('Running');
    expect(await tcpAccepts(port)).toBe(true);
  });

  it('Update sends the new state, waits for Running and returns the new version', async () => {
    const port = await freePort();
    const l = await fx.deploy(T.Listener, 'web2', listenerInputs(base, 'HTTP', port));
    const checked = await fx.plugin.check(T.Listener, 'web2', l.inputs, { ...l.inputs, idleTimeout: 42 }, l.outputs);
    const props = await fx.plugin.update(T.Listener, 'web2', l.id, l.outputs, checked.inputs, l.inputs);
    expect(props).toMatchObject({ id: l.id, idleTimeout: 42, version: 2, status: 'Running' });
  });

  it('a listener the engine cannot apply fails Create with its statusReason and stays in state', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const checked = await fx.plugin.check(T.Listener, 'blocked', {}, listenerInputs(base, 'HTTP', port));
      const err = await failure(fx.plugin.create(T.Listener, 'blocked', checked.inputs));
      expect(err.message).toContain('Listener "blocked"');
      expect(err.message).toContain('Failed');
      expect(err.initFailed?.id).toMatch(/^lsn-/);
      expect(err.initFailed?.properties.status).toBe('Failed');
      expect(err.initFailed?.reasons[0]).toBeTruthy();
      expect(err.message).toContain(err.initFailed?.reasons[0]);
      expect((await fx.server.api('GET', `/v1/listeners/${err.initFailed?.id}`)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('a QUIC listener is created and Running (the engine serves HTTP/3 on its port), with no warning', async () => {
    const port = await freePort();
    const q = await fx.deploy(T.QuicListener, 'h3', { loadBalancerId: base.lb.id, port, defaultServerGroupId: base.group.id, certificates: { defaultCertificateId: base.cert.id } });
    expect(q.outputs.status).toBe('Running');
    expect(fx.plugin.logs.find((l) => l.severity === 2 && l.message.includes('QuicListener "h3"'))).toBeUndefined();
  });
});

describe('secrets', () => {
  it('a certificate keeps privateKeyPem in its outputs, as a secret, and the API never returns it', async () => {
    expect(isSecret(base.cert.outputs.privateKeyPem)).toBe(true);
    expect((base.cert.outputs.privateKeyPem as { value: string }).value).toBe((await fx.serverCert()).keyPem);
    expect(base.cert.outputs.fingerprintSha256).toMatch(/^[0-9A-F:]+$/i);
    const live = await fx.server.api('GET', `/v1/certificates/${base.cert.id}`);
    expect(live.body.privateKeyPem).toBeUndefined();
  });
});

describe('detailed diff', () => {
  let l: Deployed;
  beforeAll(async () => {
    const port = await freePort();
    l = await fx.deploy(T.Listener, 'diffed', listenerInputs(base, 'HTTP', port, { description: 'before' }));
  });

  async function diffOf(news: Record<string, unknown>, oldInputs: Record<string, unknown> | undefined = l.inputs) {
    const checked = await fx.plugin.check(T.Listener, 'diffed', l.inputs, news, l.outputs);
    expect(checked.failures).toEqual([]);
    return fx.plugin.diff(T.Listener, 'diffed', l.id, l.outputs, checked.inputs, oldInputs);
  }

  it('no change → DIFF_NONE, with or without old inputs', async () => {
    expect((await diffOf(l.inputs)).changes).toBe('DIFF_NONE');
    expect((await diffOf(l.inputs, undefined)).changes).toBe('DIFF_NONE');
  });

  it('UPDATE, ADD and DELETE per property path, nested ones included', async () => {
    const fh = l.inputs.forwardedHeaders as Record<string, unknown>;
    const { description: _d, ...rest } = l.inputs;
    const d = await diffOf({ ...rest, idleTimeout: 30, forwardedHeaders: { ...fh, proto: true }, tags: { team: 'edge' } });
    expect(d.changes).toBe('DIFF_SOME');
    expect(d.hasDetailedDiff).toBe(true);
    expect(d.detailedDiff).toEqual({
      idleTimeout: { kind: 'UPDATE', inputDiff: true },
      'forwardedHeaders.proto': { kind: 'UPDATE', inputDiff: true },
      'tags.team': { kind: 'ADD', inputDiff: true },
      description: { kind: 'DELETE', inputDiff: true },
    });
    expect(d.diffs.sort()).toEqual(['description', 'forwardedHeaders', 'idleTimeout', 'tags']);
    expect(d.replaces).toEqual([]);
    expect(d.deleteBeforeReplace).toBe(false);
  });

  it('UPDATE_REPLACE for a replace field; a new port is created before the old is deleted', async () => {
    const port = await freePort();
    const d = await diffOf({ ...l.inputs, port });
    expect(d.detailedDiff).toEqual({ port: { kind: 'UPDATE_REPLACE', inputDiff: true } });
    expect(d.replaces).toEqual(['port']);
    expect(d.deleteBeforeReplace).toBe(false);
  });

  it('an unknown new value of a replace field plans a replacement', async () => {
    const d = await fx.plugin.diff(T.Listener, 'diffed', l.id, l.outputs, { ...l.inputs, loadBalancerId: UNKNOWN }, l.inputs);
    expect(d.detailedDiff.loadBalancerId?.kind).toBe('UPDATE_REPLACE');
    expect(d.deleteBeforeReplace).toBe(true);
  });

  it('ADD_REPLACE and DELETE_REPLACE for a replace field appearing or disappearing', async () => {
    const { address: _a, ...noAddress } = base.lb.inputs;
    const added = await fx.plugin.diff(T.LoadBalancer, 'life-lb', base.lb.id, base.lb.outputs, base.lb.inputs, noAddress);
    expect(added.detailedDiff).toEqual({ address: { kind: 'ADD_REPLACE', inputDiff: true } });
    const removed = await fx.plugin.diff(T.LoadBalancer, 'life-lb', base.lb.id, base.lb.outputs, noAddress, base.lb.inputs);
    expect(removed.detailedDiff).toEqual({ address: { kind: 'DELETE_REPLACE', inputDiff: true } });
  });

  it('a changed private key is an in-place update of a secret field', async () => {
    const other = await (await import('../helpers/pki.ts')).issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] });
    const news = { ...base.cert.inputs, certificatePem: other.certPem, privateKeyPem: secret(other.keyPem) };
    const d = await fx.plugin.diff(T.Certificate, 'site', base.cert.id, base.cert.outputs, news, base.cert.inputs);
    expect(d.detailedDiff).toEqual({ certificatePem: { kind: 'UPDATE', inputDiff: true }, privateKeyPem: { kind: 'UPDATE', inputDiff: true } });
  });

  it('ignoreChanges leaves the named paths out', async () => {
    const checked = await fx.plugin.check(T.Listener, 'diffed', l.inputs, { ...l.inputs, idleTimeout: 31 }, l.outputs);
    const d = await fx.plugin.diff(T.Listener, 'diffed', l.id, l.outputs, checked.inputs, l.inputs, ['idleTimeout']);
    expect(d.changes).toBe('DIFF_NONE');
  });
});

describe('delete-before-replace', () => {
  it('HTTP → HTTPS on the same load balancer and port deletes first, and the replacement then runs', async () => {
    const port = await freePort();
    const old = await fx.deploy(T.Listener, 'upgrade', listenerInputs(base, 'HTTP', port));
    const checked = await fx.plugin.check(T.Listener, 'upgrade', old.inputs, { ...old.inputs, protocol: 'HTTPS', certificates: { defaultCertificateId: base.cert.id } }, old.outputs);
    expect(checked.failures).toEqual([]);
    const d = await fx.plugin.diff(T.Listener, 'upgrade', old.id, old.outputs, checked.inputs, old.inputs);
    expect(d.detailedDiff.protocol?.kind).toBe('UPDATE_REPLACE');
    expect(d.deleteBeforeReplace).toBe(true);
    // The engine's order for delete-before-replace: delete the old one, then create the new one.
    await fx.plugin.delete(T.Listener, 'upgrade', old.id, old.outputs);
    const created = await fx.plugin.create(T.Listener, 'upgrade', checked.inputs);
    expect(created.properties).toMatchObject({ protocol: 'HTTPS', port, status: 'Running' });
  });

  it('moving to another load balancer on an overlapping address with the same port deletes first; a distinct address does not', async () => {
    const port = await freePort();
    const old = await fx.deploy(T.Listener, 'mover', listenerInputs(base, 'HTTP', port));
    const same = await fx.deploy(T.LoadBalancer, 'same-addr', { name: 'same address', address: '127.0.0.1' });
    const other = await fx.deploy(T.LoadBalancer, 'other-addr', { name: 'other address', address: '127.0.0.2' });
    const toSame = await fx.plugin.diff(T.Listener, 'mover', old.id, old.outputs, { ...old.inputs, loadBalancerId: same.id }, old.inputs);
    expect(toSame.deleteBeforeReplace).toBe(true);
    const toOther = await fx.plugin.diff(T.Listener, 'mover', old.id, old.outputs, { ...old.inputs, loadBalancerId: other.id }, old.inputs);
    expect(toOther.replaces).toEqual(['loadBalancerId']);
    expect(toOther.deleteBeforeReplace).toBe(false);
  });
});

describe('delete and errors', () => {
  it('Delete of an id that no longer exists succeeds', async () => {
    await expect(fx.plugin.delete(T.Listener, 'gone', 'lsn-aaaaaaaaaaaaaaaaaaaa')).resolves.toBeUndefined();
  });

  it('Delete of a referenced resource fails naming it, the code and the fix', async () => {
    const err = await failure(fx.plugin.delete(T.ServerGroup, 'life-group', base.group.id));
    expect(err.message).toContain(`ServerGroup "life-group" (${base.group.id})`);
    expect(err.message).toContain('IN_USE');
    expect(err.initFailed).toBeUndefined();
    expect((await fx.server.api('GET', `/v1/server-groups/${base.group.id}`)).status).toBe(200);
  });

  it('a create the API refuses names the resource and the field', async () => {
    const port = await freePort();
    await fx.deploy(T.Listener, 'first', listenerInputs(base, 'HTTP', port));
    const checked = await fx.plugin.check(T.Listener, 'second', {}, { loadBalancerId: UNKNOWN, protocol: 'HTTP', port, defaultServerGroupId: base.group.id });
    const err = await failure(fx.plugin.create(T.Listener, 'second', { ...checked.inputs, loadBalancerId: base.lb.id }));
    expect(err.message).toMatch(/^Listener "second": create failed: port: .*PORT_CONFLICT/);
  });

  it('an update of a resource deleted outside Pulumi says so and how to recover', async () => {
    const gone = await fx.deploy(T.ServerGroup, 'vanishing', { name: 'vanishing' });
    await fx.server.api('DELETE', `/v1/server-groups/${gone.id}`);
    const err = await failure(fx.plugin.update(T.ServerGroup, 'vanishing', gone.id, gone.outputs, { ...gone.inputs, name: 'renamed' }, gone.inputs));
    expect(err.message).toContain('NOT_FOUND');
    expect(err.message).toContain('pulumi refresh');
  });

  it('no private key and no token ever reached the plugin output or the engine log', async () => {
    const key = (await fx.serverCert()).keyPem;
    const keyBody = key.split('\n')[1] ?? key;
    const everything = fx.plugin.output + JSON.stringify(fx.plugin.logs);
    expect(everything).not.toContain(keyBody);
    expect(everything).not.toContain(fx.server.token);
  });
});
