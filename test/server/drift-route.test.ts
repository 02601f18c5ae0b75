/**
 * `POST /v1/drift` (SPEC §3): a `pulumi stack export` in, the drift report `gatehouse drift`
 * prints out — in sync, a changed field with its stack and live values, a missing resource,
 * secrets listed as not compared — and a body that is not an export is 400 naming the part at
 * fault. It needs the token and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackExportOf } from '../helpers/stack-export.ts';
import { makePki, TestApi, type Reply, type TestPki } from './support/api.ts';
import { ResponseValidator, type OpenApiDocument } from './support/openapi-check.ts';

let api: TestApi;
let pki: TestPki;
let world: { lb: any; sg: any; cert: any; listener: any };

beforeAll(async () => {
  api = await TestApi.open();
  pki = await makePki();
  const lb = await api.create('load-balancers', { name: 'edge' });
  const sg = await api.create('server-groups', { name: 'web', servers: [{ address: '127.0.0.1', port: 9 }, { address: '127.0.0.2', port: 9 }] });
  const cert = await api.create('certificates', { name: 'www', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem });
  const listener = await api.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTPS', port: 8443, defaultServerGroupId: sg.id, certificates: { defaultCertificateId: cert.id } });
  world = { lb, sg, cert, listener };
});

afterAll(async () => {
  await api?.close();
});

function exportOfWorld(): Record<string, unknown> {
  return stackExportOf([
    { collection: 'load-balancers', name: 'edge', live: world.lb },
    { collection: 'server-groups', name: 'web', live: world.sg },
    { collection: 'certificates', name: 'www', live: world.cert },
    { collection: 'listeners', name: 'https', live: world.listener },
  ]);
}

describe('POST /v1/drift', () => {
  it('in sync: every resource of the export matches, the private key listed as not compared', async () => {
    const events = await api.eventCount();
    const res = await api.call('POST', '/v1/drift', exportOfWorld());
    expect(res.status, res.text).toBe(200);
    expect(res.body.drifted).toBe(0);
    expect(res.body.resources.map((r: any) => [r.type, r.name, r.id, r.state])).toEqual([
      ['gatehouse:index:LoadBalancer', 'edge', world.lb.id, 'in-sync'],
      ['gatehouse:index:ServerGroup', 'web', world.sg.id, 'in-sync'],
      ['gatehouse:index:Certificate', 'www', world.cert.id, 'in-sync'],
      ['gatehouse:index:Listener', 'https', world.listener.id, 'in-sync'],
    ]);
    expect(res.body.resources[2].notCompared).toEqual([{ path: 'privateKeyPem', reason: 'secret and write-only: the API never returns it' }]);
    expect(await api.eventCount()).toBe(events);
  });

  it('a field changed through the API is reported with its stack and live values', async () => {
    const exported = exportOfWorld();
    const changed = await api.call('PUT', `/v1/server-groups/${world.sg.id}`, { ...world.sg, servers: [{ address: '127.0.0.1', port: 9, weight: 7 }, world.sg.servers[1]] });
    expect(changed.status, changed.text).toBe(200);
    try {
      const res = await api.call('POST', '/v1/drift', exported);
      expect(res.status).toBe(200);
      expect(res.body.drifted).toBe(1);
      const group = res.body.resources.find((r: any) => r.name === 'web');
      expect(group.state).toBe('changed');
      expect(group.fields).toEqual([{ path: 'servers[0].weight', kind: 'update', stack: world.sg.servers[0].weight, live: 7 }]);
    } finally {
      await api.call('PUT', `/v1/server-groups/${world.sg.id}`, world.sg);
    }
  });

  it('a resource deleted outside Pulumi is missing', async () => {
    const gone = await api.create('load-balancers', { name: 'gone' });
    expect((await api.call('DELETE', `/v1/load-balancers/${gone.id}`)).status).toBe(204);
    const res = await api.call('POST', '/v1/drift', stackExportOf([{ collection: 'load-balancers', name: 'gone', live: gone }, { collection: 'load-balancers', name: 'edge', live: world.lb }]));
    expect(res.status).toBe(200);
    expect(res.body.drifted).toBe(1);
    expect(res.body.resources.map((r: any) => [r.name, r.state, r.fields])).toEqual([
      ['gone', 'missing', []],
      ['edge', 'in-sync', []],
    ]);
  });

  it('a body that is not a stack export is 400 VALIDATION_FAILED naming the part at fault', async () => {
    for (const [body, path] of [
      [{ resources: [] }, 'deployment'],
      [[1, 2], 'deployment'],
      [{ deployment: { resources: {} } }, 'deployment.resources'],
      [{ deployment: { resources: [7] } }, 'deployment.resources[0]'],
    ] as const) {
      const res = await api.call('POST', '/v1/drift', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.detail).toMatch(/stack export|is not an object/);
      expect(res.body.errors).toEqual([{ path, message: res.body.detail }]);
    }
    const notJson = await api.call('POST', '/v1/drift', undefined, { raw: 'deployment: yes', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('VALIDATION_FAILED');
  });

  it('an export without Gatehouse resources is in sync with nothing to compare', async () => {
    const res = await api.call('POST', '/v1/drift', { version: 3, deployment: { resources: [] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ resources: [], drifted: 0 });
  });

  it('needs the token; an export over the body limit is 413', async () => {
    const anonymous = await api.call('POST', '/v1/drift', exportOfWorld(), { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const wrong = await api.call('POST', '/v1/drift', exportOfWorld(), { token: 'wrong-token-0123456789' });
    expect(wrong.status).toBe(401);
    const huge = await api.call('POST', '/v1/drift', { deployment: { resources: [], padding: 'x'.repeat(1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('its answers are the ones the OpenAPI document gives it', async () => {
    const doc = (await api.call('GET', '/v1/openapi.json')).body as OpenApiDocument;
    expect(doc.paths['/v1/drift']).toHaveProperty('post');
    const validator = new ResponseValidator(doc);
    const documented = (reply: Reply, status: number): void => {
      expect(reply.status, reply.text.slice(0, 300)).toBe(status);
      expect(validator.check('POST', '/v1/drift', reply).problems).toEqual([]);
    };
    const exported = exportOfWorld();
    await api.call('PUT', `/v1/load-balancers/${world.lb.id}`, { ...world.lb, tags: { changed: 'yes' } });
    try {
      const drifted = await api.call('POST', '/v1/drift', exported);
      expect(drifted.body.drifted).toBe(1);
      documented(drifted, 200);
    } finally {
      await api.call('PUT', `/v1/load-balancers/${world.lb.id}`, world.lb);
    }
    documented(await api.call('POST', '/v1/drift', { nope: true }), 400);
    documented(await api.call('POST', '/v1/drift', exported, { token: null }), 401);
    documented(await api.call('POST', '/v1/drift', undefined, { raw: '{}', headers: { 'content-type': 'text/plain' } }), 415);
  });
});
