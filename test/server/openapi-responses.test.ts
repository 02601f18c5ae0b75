/**
 * Real answers of the API validate against the OpenAPI document's response schemas: for a
 * sample of requests over every kind (created, read, listed, updated, dry-run, deleted), the
 * system routes and the error paths (problem+json 400, 401, 404, 409, 412, 413, 415, 422 and a
 * 500), the status is documented for that operation, the media type is, and the body validates
 * (ajv, JSON Schema 2020-12). The schemas refuse unknown fields, so a field the API returns
 * that the document lacks fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETACHED_RUNTIME, type RuntimeView } from '../../server/service/runtime-view.ts';
import { httpListener, httpsListener, makeBaseWorld, makePki, TestApi, type BaseWorld, type Reply, type TestPki } from './support/api.ts';
import { ResponseValidator, type OpenApiDocument } from './support/openapi-check.ts';

let api: TestApi;
let pki: TestPki;
let w: BaseWorld;
let validator: ResponseValidator;

beforeAll(async () => {
  api = await TestApi.open();
  pki = await makePki();
  w = await makeBaseWorld(api, pki);
  const doc = (await api.call('GET', '/v1/openapi.json')).body as OpenApiDocument;
  validator = new ResponseValidator(doc);
});
afterAll(async () => {
  await api?.close();
});

/** documented asserts that an answer is what the document says the operation answers. */
function documented(method: string, path: string, reply: Reply, status: number): void {
  expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 300)}`).toBe(status);
  expect(validator.check(method, path, reply).problems).toEqual([]);
}

describe('resources', () => {
  it('load balancers: create, read, list, update, dry run, delete', async () => {
    const created = await api.call('POST', '/v1/load-balancers', { name: 'doc-lb', tags: { team: 'edge' } });
    documented('POST', '/v1/load-balancers', created, 201);
    documented('GET', '/v1/load-balancers/{id}', await api.call('GET', `/v1/load-balancers/${created.body.id}`), 200);
    documented('HEAD', '/v1/load-balancers/{id}', await api.call('HEAD', `/v1/load-balancers/${created.body.id}`), 200);
    documented('GET', '/v1/load-balancers', await api.call('GET', '/v1/load-balancers?tag.team=edge'), 200);
    documented('PUT', '/v1/load-balancers/{id}', await api.call('PUT', `/v1/load-balancers/${created.body.id}`, { name: 'doc-lb-2' }), 200);
    documented('PUT', '/v1/load-balancers/{id}', await api.call('PUT', `/v1/load-balancers/${created.body.id}?dryRun=true`, { name: 'doc-lb-3' }), 200);
    documented('POST', '/v1/load-balancers', await api.call('POST', '/v1/load-balancers?dryRun=true', { name: 'doc-dry' }), 200);
    documented('DELETE', '/v1/load-balancers/{id}', await api.call('DELETE', `/v1/load-balancers/${created.body.id}?dryRun=true`), 200);
    documented('DELETE', '/v1/load-balancers/{id}', await api.call('DELETE', `/v1/load-balancers/${created.body.id}`), 204);
  });

  it('listeners, HTTP and HTTPS, with their engine status; QUIC listeners', async () => {
    const http = await api.call('POST', '/v1/listeners', httpListener(w, 8180));
    documented('POST', '/v1/listeners', http, 201);
    expect(http.body.status).toBe('Provisioning');
    const https = await api.call('POST', '/v1/listeners', httpsListener(w, 8543, { mutualAuthentication: { enabled: false } }));
    documented('POST', '/v1/listeners', https, 201);
    documented('GET', '/v1/listeners/{id}', await api.call('GET', `/v1/listeners/${https.body.id}`), 200);
    documented('GET', '/v1/listeners', await api.call('GET', `/v1/listeners?loadBalancerId=${w.lb.id}`), 200);
    documented('PUT', '/v1/listeners/{id}', await api.call('PUT', `/v1/listeners/${http.body.id}`, { ...http.body, idleTimeout: 30 }), 200);
    const quic = await api.call('POST', '/v1/quic-listeners', { loadBalancerId: w.lb.id, port: 8543, defaultServerGroupId: w.sg.id, certificates: { defaultCertificateId: w.cert.id } });
    documented('POST', '/v1/quic-listeners', quic, 201);
    documented('GET', '/v1/quic-listeners', await api.call('GET', '/v1/quic-listeners'), 200);
  });

  it('certificates with their derived outputs and expired, never the key', async () => {
    const ca = await api.call('POST', '/v1/certificates', { name: 'doc-ca', type: 'CA', certificatePem: pki.ca.certPem });
    documented('POST', '/v1/certificates', ca, 201);
    documented('GET', '/v1/certificates/{id}', await api.call('GET', `/v1/certificates/${w.cert.id}`), 200);
    documented('GET', '/v1/certificates', await api.call('GET', '/v1/certificates'), 200);
  });

  it('TLS policies: the system ones and a custom one', async () => {
    documented('GET', '/v1/tls-policies', await api.call('GET', '/v1/tls-policies'), 200);
    documented('GET', '/v1/tls-policies/{id}', await api.call('GET', '/v1/tls-policies/tls_cipher_policy_1_2'), 200);
    const custom = await api.call('POST', '/v1/tls-policies', { name: 'doc-policy', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_128_GCM_SHA256'] });
    documented('POST', '/v1/tls-policies', custom, 201);
  });

  it('server groups and their health', async () => {
    const sg = await api.call('POST', '/v1/server-groups', { name: 'doc-group', servers: [{ address: '10.0.0.1', port: 80 }] });
    documented('POST', '/v1/server-groups', sg, 201);
    documented('GET', '/v1/server-groups/{id}/health', await api.call('GET', `/v1/server-groups/${sg.body.id}/health`), 200);
    documented('HEAD', '/v1/server-groups/{id}/health', await api.call('HEAD', `/v1/server-groups/${sg.body.id}/health`), 200);
    documented('GET', '/v1/server-groups', await api.call('GET', '/v1/server-groups?limit=1'), 200);
  });
});

describe('system routes', () => {
  it('liveness, the audit log, the document itself and metrics', async () => {
    documented('GET', '/v1/healthz', await api.call('GET', '/v1/healthz', undefined, { token: null }), 200);
    documented('HEAD', '/v1/healthz', await api.call('HEAD', '/v1/healthz', undefined, { token: null }), 200);
    const events = await api.call('GET', '/v1/events?limit=5');
    documented('GET', '/v1/events', events, 200);
    expect(events.body.items).toHaveLength(5);
    documented('GET', '/v1/openapi.json', await api.call('GET', '/v1/openapi.json'), 200);
    documented('GET', '/metrics', await api.call('GET', '/metrics'), 200);
  });
});

describe('problem+json answers', () => {
  it('400 with field errors, 401, 404', async () => {
    const invalid = await api.call('POST', '/v1/listeners', { ...httpListener(w, 70000), bogus: true });
    documented('POST', '/v1/listeners', invalid, 400);
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    documented('GET', '/v1/listeners', await api.call('GET', '/v1/listeners?sort=port'), 400);
    documented('GET', '/v1/events', await api.call('GET', '/v1/events', undefined, { token: null }), 401);
    documented('HEAD', '/v1/events', await api.call('HEAD', '/v1/events', undefined, { token: null }), 401);
    documented('GET', '/v1/server-groups/{id}', await api.call('GET', '/v1/server-groups/sgp-cccccccccccccccccccc'), 404);
  });

  it('409 in use and port conflict, 412 stale If-Match', async () => {
    documented('DELETE', '/v1/server-groups/{id}', await api.call('DELETE', `/v1/server-groups/${w.sg.id}`), 409);
    const taken = await api.call('POST', '/v1/listeners', httpListener(w, 8180));
    documented('POST', '/v1/listeners', taken, 409);
    expect(taken.body.code).toBe('PORT_CONFLICT');
    documented('PUT', '/v1/load-balancers/{id}', await api.call('PUT', `/v1/load-balancers/${w.lb.id}`, { name: 'stale' }, { headers: { 'if-match': '"99"' } }), 412);
  });

  it('413, 415 and 422', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    documented('POST', '/v1/load-balancers', await api.call('POST', '/v1/load-balancers', undefined, { raw: big }), 413);
    documented('POST', '/v1/load-balancers', await api.call('POST', '/v1/load-balancers', undefined, { raw: 'name=x', headers: { 'content-type': 'text/plain' } }), 415);
    await api.call('POST', '/v1/load-balancers', { name: 'idem-one' }, { headers: { 'idempotency-key': 'doc-422' } });
    const reused = await api.call('POST', '/v1/load-balancers', { name: 'idem-two' }, { headers: { 'idempotency-key': 'doc-422' } });
    documented('POST', '/v1/load-balancers', reused, 422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('500: a failure the server did not foresee', async () => {
    const failing: RuntimeView = { ...DETACHED_RUNTIME, serverGroupHealth: () => { throw new Error('engine gone'); } };
    const broken = await TestApi.open({ runtime: failing });
    try {
      const sg = await broken.create('server-groups', { name: 'doomed' });
      documented('GET', '/v1/server-groups/{id}/health', await broken.call('GET', `/v1/server-groups/${sg.id}/health`), 500);
    } finally {
      await broken.close();
    }
  });
});

describe('the check is real', () => {
  it('refuses a body with a field the document lacks, a wrong type, or an undocumented status', async () => {
    const read = await api.call('GET', `/v1/load-balancers/${w.lb.id}`);
    const withExtra = { ...read, text: JSON.stringify({ ...read.body, surprise: 1 }) };
    expect(validator.check('GET', '/v1/load-balancers/{id}', withExtra).problems).not.toEqual([]);
    const wrongType = { ...read, text: JSON.stringify({ ...read.body, version: 'one' }) };
    expect(validator.check('GET', '/v1/load-balancers/{id}', wrongType).problems).not.toEqual([]);
    expect(validator.check('GET', '/v1/load-balancers/{id}', { ...read, status: 418 }).problems).not.toEqual([]);
    const page = await api.call('GET', '/v1/events?limit=1');
    const badEvent = { ...page, text: JSON.stringify({ ...page.body, items: [{ ...page.body.items[0], action: 'rename' }] }) };
    expect(validator.check('GET', '/v1/events', badEvent).problems).not.toEqual([]);
  });
});
