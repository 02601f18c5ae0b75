/**
 * SPEC §3 routes for every collection: POST 201 (+ Location, ETag), GET with ETag "<version>",
 * list, PUT (full desired state, version +1), DELETE 204, then 404. SPEC §1: ids are a prefix
 * plus 20 base32 characters; version, createdAt, updatedAt on every resource.
 */
import { describe, expect, it } from 'vitest';
import { httpsListener, useBaseWorld } from './support/api.ts';

const w = useBaseWorld();

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface KindCase {
  collection: string;
  prefix: string;
  create: () => Record<string, unknown>;
  /** A PUT body (full desired state) and a field it changed. */
  update: (created: any) => { body: Record<string, unknown>; check: (updated: any) => void };
}

const kinds: KindCase[] = [
  {
    collection: 'load-balancers',
    prefix: 'alb-',
    create: () => ({ name: 'crud-lb', edition: 'StandardWithWaf', tags: { env: 'test' } }),
    update: () => ({ body: { name: 'crud-lb-2', edition: 'Standard' }, check: (u) => expect(u).toMatchObject({ name: 'crud-lb-2', edition: 'Standard', address: '127.0.0.1', status: 'Active', tags: {} }) }),
  },
  {
    collection: 'server-groups',
    prefix: 'sgp-',
    create: () => ({ name: 'crud-sg', servers: [{ address: '10.0.0.1', port: 80 }] }),
    update: () => ({ body: { name: 'crud-sg', scheduler: 'Wlc', servers: [{ address: 'backend.internal', port: 8080, weight: 5 }] }, check: (u) => expect(u).toMatchObject({ scheduler: 'Wlc', servers: [{ address: 'backend.internal', port: 8080, weight: 5 }] }) }),
  },
  {
    collection: 'certificates',
    prefix: 'cert-',
    create: () => ({ name: 'crud-cert', certificatePem: w.pki.other.certPem, privateKeyPem: w.pki.other.keyPem }),
    update: (c) => ({ body: { name: 'crud-cert-renamed', certificatePem: c.certificatePem }, check: (u) => expect(u).toMatchObject({ name: 'crud-cert-renamed', domains: ['api.example.com'] }) }),
  },
  {
    collection: 'tls-policies',
    prefix: 'tlsp-',
    create: () => ({ name: 'modern', tlsVersions: ['TLSv1.2', 'TLSv1.3'], ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] }),
    update: () => ({ body: { name: 'modern', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_256_GCM_SHA384'] }, check: (u) => expect(u).toMatchObject({ tlsVersions: ['TLSv1.3'], system: false }) }),
  },
  {
    collection: 'listeners',
    prefix: 'lsn-',
    create: () => httpsListener(w, 8101),
    update: (c) => ({ body: { ...httpsListener(w, 8101), idleTimeout: 120, loadBalancerId: c.loadBalancerId }, check: (u) => expect(u).toMatchObject({ idleTimeout: 120, port: 8101 }) }),
  },
  {
    collection: 'quic-listeners',
    prefix: 'lsn-',
    create: () => ({ loadBalancerId: w.lb.id, port: 8101, defaultServerGroupId: w.sg.id, certificates: { defaultCertificateId: w.cert.id } }),
    update: () => ({ body: { defaultServerGroupId: w.sg.id, certificates: { defaultCertificateId: w.cert.id }, requestTimeout: 5 }, check: (u) => expect(u).toMatchObject({ requestTimeout: 5, port: 8101 }) }),
  },
];

describe.each(kinds)('/v1/$collection', (k) => {
  let created: any;

  it('POST creates: 201, Location, ETag "1", id with its prefix, timestamps', async () => {
    const res = await w.api.call('POST', `/v1/${k.collection}`, k.create());
    expect(res.status, res.text).toBe(201);
    created = res.body;
    expect(created.id).toMatch(new RegExp(`^${k.prefix}[a-z2-7]{20}$`));
    expect(created.version).toBe(1);
    expect(created.createdAt).toMatch(RFC3339);
    expect(created.updatedAt).toBe(created.createdAt);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/v1/${k.collection}/${created.id}`);
  });

  it('GET reads it back with ETag', async () => {
    const res = await w.api.call('GET', `/v1/${k.collection}/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toEqual(created);
  });

  it('GET lists it', async () => {
    const res = await w.api.call('GET', `/v1/${k.collection}`);
    expect(res.status).toBe(200);
    expect(res.body.nextToken).toBeNull();
    expect(res.body.items.map((i: { id: string }) => i.id)).toContain(created.id);
  });

  it('PUT replaces the mutable state: version 2, ETag "2", createdAt kept', async () => {
    const { body, check } = k.update(created);
    const res = await w.api.call('PUT', `/v1/${k.collection}/${created.id}`, body, { headers: { 'if-match': '"1"' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body.createdAt).toBe(created.createdAt);
    check(res.body);
    const read = await w.api.call('GET', `/v1/${k.collection}/${created.id}`);
    check(read.body);
    created = read.body;
  });

  it('PUT of what GET returned is accepted (outputs ignored, replace fields equal) and is not a change', async () => {
    const res = await w.api.call('PUT', `/v1/${k.collection}/${created.id}`, created);
    expect(res.status, res.text).toBe(200);
    expect(res.body.version).toBe(created.version);
  });

  it('DELETE answers 204, then the id is 404 for GET, PUT and DELETE', async () => {
    const del = await w.api.call('DELETE', `/v1/${k.collection}/${created.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await w.api.call('GET', `/v1/${k.collection}/${created.id}`)).status).toBe(404);
    expect((await w.api.call('PUT', `/v1/${k.collection}/${created.id}`, k.create())).status).toBe(404);
    expect((await w.api.call('DELETE', `/v1/${k.collection}/${created.id}`)).status).toBe(404);
  });
});

describe('PUT semantics', () => {
  it('an omitted optional field takes its default', async () => {
    const l = await w.api.create('listeners', httpsListener(w, 8201, { idleTimeout: 300, compressionEnabled: false }));
    const res = await w.api.call('PUT', `/v1/listeners/${l.id}`, httpsListener(w, 8201));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ idleTimeout: 15, compressionEnabled: true, version: 2 });
  });

  it('the replace fields may be omitted and keep their stored values', async () => {
    const l = await w.api.create('listeners', httpsListener(w, 8202));
    const { loadBalancerId: _a, protocol: _b, port: _c, ...mutable } = httpsListener(w, 8202);
    const res = await w.api.call('PUT', `/v1/listeners/${l.id}`, { ...mutable, description: 'kept replace fields' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ port: 8202, protocol: 'HTTPS', loadBalancerId: w.lb.id, description: 'kept replace fields' });
  });

  it('reads of an HTTP listener carry no HTTPS-only fields', async () => {
    const l = await w.api.create('listeners', { loadBalancerId: w.lb.id, protocol: 'HTTP', port: 8203, defaultServerGroupId: w.sg.id });
    for (const field of ['http2Enabled', 'certificates', 'tlsPolicyId', 'mutualAuthentication', 'quic']) expect(l).not.toHaveProperty(field);
    expect(l.forwardedHeaders).not.toHaveProperty('clientCertSubjectDn');
    expect(l.tlsPolicyId).toBeUndefined();
  });

  it('an HTTPS listener gets the default TLS policy and HTTP/2', async () => {
    const l = await w.api.create('listeners', httpsListener(w, 8204));
    expect(l).toMatchObject({ tlsPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3', http2Enabled: true, status: 'Provisioning' });
  });

  it('a load balancer edition never goes back to Basic', async () => {
    const lb = await w.api.create('load-balancers', { name: 'ed', edition: 'Basic' });
    const up = await w.api.call('PUT', `/v1/load-balancers/${lb.id}`, { name: 'ed', edition: 'Standard' });
    expect(up.status).toBe(200);
    const res = await w.api.call('PUT', `/v1/load-balancers/${lb.id}`, { name: 'ed', edition: 'Basic' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('edition');
  });

  it('If-Match accepts W/"n", n and *', async () => {
    const sg = await w.api.create('server-groups', { name: 'etags' });
    expect((await w.api.call('PUT', `/v1/server-groups/${sg.id}`, { name: 'etags-2' }, { headers: { 'if-match': 'W/"1"' } })).status).toBe(200);
    expect((await w.api.call('PUT', `/v1/server-groups/${sg.id}`, { name: 'etags-3' }, { headers: { 'if-match': '2' } })).status).toBe(200);
    expect((await w.api.call('PUT', `/v1/server-groups/${sg.id}`, { name: 'etags-4' }, { headers: { 'if-match': '*' } })).status).toBe(200);
    expect((await w.api.call('DELETE', `/v1/server-groups/${sg.id}`, undefined, { headers: { 'if-match': '"3"' } })).status).toBe(412);
    expect((await w.api.call('DELETE', `/v1/server-groups/${sg.id}`, undefined, { headers: { 'if-match': '"4"' } })).status).toBe(204);
  });
});

describe('system TLS policies', () => {
  it('are listed first, read by name, marked system: true', async () => {
    const list = await w.api.call('GET', '/v1/tls-policies');
    const ids = list.body.items.slice(0, 5).map((p: { id: string }) => p.id);
    expect(ids).toEqual(['tls_cipher_policy_1_0', 'tls_cipher_policy_1_1', 'tls_cipher_policy_1_2', 'tls_cipher_policy_1_2_strict', 'tls_cipher_policy_1_2_strict_with_1_3']);
    const one = await w.api.call('GET', '/v1/tls-policies/tls_cipher_policy_1_2_strict');
    expect(one.status).toBe(200);
    expect(one.headers.etag).toBe('"1"');
    expect(one.body).toMatchObject({ system: true, tlsVersions: ['TLSv1.2'] });
    expect(one.body.ciphers).toHaveLength(12);
  });

  it('are read-only: PUT and DELETE answer 409 IMMUTABLE_FIELD', async () => {
    const del = await w.api.call('DELETE', '/v1/tls-policies/tls_cipher_policy_1_0');
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('IMMUTABLE_FIELD');
    expect((await w.api.call('GET', '/v1/tls-policies/tls_cipher_policy_1_0')).status).toBe(200);
  });
});
