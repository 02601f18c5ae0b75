/**
 * The server with the real engine behind it: each committed write is compiled into a snapshot
 * and applied; listener status goes Provisioning → Running (Configuring while a change is
 * applied, Failed with a reason when the port is taken, QUIC listeners Running); changes apply
 * without a restart; a restart brings the stored configuration back; /metrics carries the
 * engine's and the runtime's metrics; server-group health comes from the engine.
 */
import { createServer, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { Backend, httpGet, LiveServer } from './support/live.ts';

let live: LiveServer;
let one: Backend;
let two: Backend;
let lb: any;

beforeAll(async () => {
  live = await LiveServer.start();
  one = await new Backend('backend-one').start();
  two = await new Backend('backend-two').start();
  lb = await live.create('load-balancers', { name: 'runtime' });
});
afterAll(async () => {
  await live?.close();
  await one?.close();
  await two?.close();
});

async function group(backend: Backend): Promise<any> {
  return live.create('server-groups', {
    name: `to-${backend.name}`,
    servers: [{ address: '127.0.0.1', port: backend.port }],
    healthCheck: { interval: 1, healthyThreshold: 2, unhealthyThreshold: 2, timeout: 1 },
  });
}

describe('listener status from the engine', () => {
  it('Provisioning in the create response, Running on a later read, and it serves', async () => {
    const sg = await group(one);
    const port = await freePort();
    const created = await live.call('POST', '/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('Provisioning');
    const read = await live.call('GET', `/v1/listeners/${created.body.id}`);
    expect(read.body.status).toBe('Running');
    expect(read.body.statusReason).toBeUndefined();
    await eventually(async () => expect(await httpGet(port)).toEqual({ status: 200, text: 'backend-one' }));
  });

  it('Configuring in the update response, then Running; the change applies without a restart', async () => {
    const sg1 = await group(one);
    const sg2 = await group(two);
    const port = await freePort();
    const l = await live.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg1.id });
    await eventually(async () => expect((await httpGet(port)).text).toBe('backend-one'));
    const put = await live.call('PUT', `/v1/listeners/${l.id}`, { defaultServerGroupId: sg2.id });
    expect(put.status).toBe(200);
    expect(put.body.status).toBe('Configuring');
    expect((await live.call('GET', `/v1/listeners/${l.id}`)).body.status).toBe('Running');
    await eventually(async () => expect((await httpGet(port)).text).toBe('backend-two'));
  });

  it('Failed with a reason when the port is taken by another process', async () => {
    const squatter = createServer();
    await new Promise<void>((ok) => squatter.listen(0, '127.0.0.1', ok));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const sg = await group(one);
      const l = await live.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
      const read = await live.call('GET', `/v1/listeners/${l.id}`);
      expect(read.body.status).toBe('Failed');
      expect(read.body.statusReason).toMatch(/EADDRINUSE|in use|taken/i);
      const list = await live.call('GET', `/v1/listeners?loadBalancerId=${lb.id}`);
      expect(list.body.items.find((i: { id: string }) => i.id === l.id).status).toBe('Failed');
    } finally {
      await new Promise<void>((ok) => squatter.close(() => ok()));
    }
  });

  it('a Failed listener comes up on its own once the port is free again', async () => {
    const squatter = createServer();
    await new Promise<void>((ok) => squatter.listen(0, '127.0.0.1', ok));
    const port = (squatter.address() as AddressInfo).port;
    const sg = await group(one);
    const l = await live.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
    expect((await live.call('GET', `/v1/listeners/${l.id}`)).body.status).toBe('Failed');
    await new Promise<void>((ok) => squatter.close(() => ok()));
    await eventually(async () => expect((await live.call('GET', `/v1/listeners/${l.id}`)).body.status).toBe('Running'), 15_000, 250);
    await eventually(async () => expect((await httpGet(port)).text).toBe('backend-one'));
  });

  it('a QUIC listener is Running: the engine serves HTTP/3 on its UDP port', async () => {
    const sg = await group(one);
    const cert = await live.call('GET', '/v1/certificates');
    expect(cert.status).toBe(200);
    const { issueCertificate } = await import('../helpers/pki.ts');
    const leaf = await issueCertificate({ commonName: 'quic.example' });
    const c = await live.create('certificates', { name: 'quic', certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
    const q = await live.create('quic-listeners', { loadBalancerId: lb.id, port: await freePort(), defaultServerGroupId: sg.id, certificates: { defaultCertificateId: c.id } });
    const read = await live.call('GET', `/v1/quic-listeners/${q.id}`);
    expect(read.body.status).toBe('Running');
    expect(read.body.statusReason).toBeUndefined();
  });

  it('a deleted listener stops accepting', async () => {
    const sg = await group(one);
    const port = await freePort();
    const l = await live.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
    await eventually(async () => expect((await httpGet(port)).status).toBe(200));
    expect((await live.call('DELETE', `/v1/listeners/${l.id}`)).status).toBe(204);
    await eventually(async () => expect(httpGet(port)).rejects.toThrow());
  });
});

describe('runtime facts', () => {
  it('server-group health comes from the engine', async () => {
    const sg = await group(two);
    await live.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: await freePort(), defaultServerGroupId: sg.id });
    await eventually(async () => {
      const res = await live.call('GET', `/v1/server-groups/${sg.id}/health`);
      expect(res.body.servers).toHaveLength(1);
      expect(res.body.servers[0]).toMatchObject({ address: '127.0.0.1', port: two.port, state: 'Healthy' });
    }, 15_000, 250);
    // On a node of a cluster (a PostgreSQL store) the answer names the node whose checks these are.
    const health = await live.call('GET', `/v1/server-groups/${sg.id}/health`);
    if (live.storeUrl === undefined) expect(health.body.node).toBeUndefined();
    else expect(health.body.node).toBe(`${hostname()}/${new URL(live.server.url).host}`);
  });

  it('/metrics carries API, runtime and engine metrics on one registry', async () => {
    const res = await live.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('gatehouse_api_requests_total');
    expect(res.text).toMatch(/gatehouse_config_revision \d+/);
    expect(res.text).toMatch(/gatehouse_config_applied_revision \d+/);
    expect(res.text).toMatch(/gatehouse_resources\{kind="Listener"\} \d+/);
    // Whatever the engine registers lives beside them (it names its metrics itself).
    const names = new Set([...res.text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    expect([...names].some((n) => !n!.startsWith('gatehouse_api_') && !n!.startsWith('gatehouse_config_') && n !== 'gatehouse_resources')).toBe(true);
  });
});

describe('restart', () => {
  it('the stored configuration is applied again at start', async () => {
    const dir = live.dataDir;
    const sg = await group(one);
    const port = await freePort();
    const l = await live.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
    await eventually(async () => expect((await httpGet(port)).status).toBe(200));
    await live.stop();
    await expect(httpGet(port)).rejects.toThrow();
    live = await LiveServer.start(dir, live.storeUrl);
    expect((await live.call('GET', `/v1/listeners/${l.id}`)).body.status).toBe('Running');
    await eventually(async () => expect((await httpGet(port)).text).toBe('backend-one'));
    // The restarted instance does not own the directory; hand it back for cleanup.
    await live.stop();
    const { rmSync } = await import('node:fs');
    live = await LiveServer.start();
    rmSync(dir, { recursive: true, force: true });
  });
});
