/**
 * SPEC §3 "Errors": every error code, produced through the API, rendered as
 * application/problem+json with status, code, title, detail and errors[]; and "a rejected write
 * changes nothing" (no event, no revision, no row).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import { ERROR_CODES, type ErrorCode } from '../../schema/errors.ts';
import { prepareListeners } from '../../server/runtime/engine-port.ts';
import { DETACHED_RUNTIME } from '../../server/service/runtime-view.ts';
import { issueCertificate } from '../helpers/pki.ts';
import { httpListener, httpsListener, makeBaseWorld, makePki, TestApi, testStoreKind, type BaseWorld, type Reply, type TestPki } from './support/api.ts';

let api: TestApi;
let engine: Engine;
let pki: TestPki;
let w: BaseWorld;
let basic: { lb: any };

beforeAll(async () => {
  // An engine behind the API, so dry runs reach the engine's check (ENGINE_REJECTED).
  engine = new Engine();
  api = await TestApi.open({ runtime: { ...DETACHED_RUNTIME, prepareSnapshot: (snapshot, ids) => prepareListeners(engine, snapshot, ids) } });
  pki = await makePki();
  w = await makeBaseWorld(api, pki);
  basic = { lb: await api.create('load-balancers', { name: 'basic-lb', edition: 'Basic' }) };
});
afterAll(async () => {
  await api?.close();
  await engine?.close(0);
});

interface Case {
  code: ErrorCode;
  name: string;
  /** Performs the request; returns its reply. */
  run: () => Promise<Reply>;
  /** A path expected in errors[] (validation errors). */
  path?: string;
}

const cases: Case[] = [
  { code: 'VALIDATION_FAILED', name: 'port out of range', path: 'port', run: () => api.call('POST', '/v1/listeners', httpListener(w, 70000)) },
  { code: 'VALIDATION_FAILED', name: 'unknown field rejected', path: 'colour', run: () => api.call('POST', '/v1/load-balancers', { name: 'lb', colour: 'red' }) },
  {
    code: 'VALIDATION_FAILED',
    name: 'nested path with index',
    path: 'forwardedHeaders.clientIp.trustedProxies[1]',
    run: () =>
      api.call('POST', '/v1/listeners', httpListener(w, 7001, { forwardedHeaders: { clientIp: { enabled: true, trustedProxies: ['10.0.0.0/8', 'not-an-ip'] } } })),
  },
  { code: 'VALIDATION_FAILED', name: 'body is not JSON', run: () => api.call('POST', '/v1/load-balancers', undefined, { raw: '{"name": ' }) },
  { code: 'VALIDATION_FAILED', name: 'HTTPS-only field on HTTP', path: 'http2Enabled', run: () => api.call('POST', '/v1/listeners', httpListener(w, 7002, { http2Enabled: true })) },
  { code: 'CERT_INVALID_PEM', name: 'PEM that does not parse', run: () => api.call('POST', '/v1/certificates', { name: 'bad', certificatePem: 'hello', privateKeyPem: pki.server.keyPem }) },
  { code: 'CERT_KEY_MISMATCH', name: 'key of another certificate', run: () => api.call('POST', '/v1/certificates', { name: 'mis', certificatePem: pki.server.certPem, privateKeyPem: pki.other.keyPem }) },
  { code: 'CERT_NOT_CA', name: 'CA certificate without CA:TRUE', run: () => api.call('POST', '/v1/certificates', { name: 'notca', type: 'CA', certificatePem: pki.other.certPem }) },
  {
    code: 'CERT_UNSUPPORTED_WILDCARD',
    name: 'test*.example.com',
    run: async () => {
      const c = await issueCertificate({ commonName: 'test*.example.com', dnsNames: ['test*.example.com'] });
      return api.call('POST', '/v1/certificates', { name: 'wild', certificatePem: c.certPem, privateKeyPem: c.keyPem });
    },
  },
  {
    code: 'RESERVED_HEADER_NAME',
    name: 'client cert header renamed to x-forwarded-for',
    run: () => api.call('POST', '/v1/listeners', httpsListener(w, 7003, { forwardedHeaders: { clientCertSubjectDn: { enabled: true, headerName: 'x-forwarded-for' } } })),
  },
  {
    code: 'EDITION_UNSUPPORTED',
    name: 'client IP retrieval on Basic',
    run: () =>
      api.call('POST', '/v1/listeners', {
        ...httpListener(w, 7004, { forwardedHeaders: { clientIp: { enabled: true, trustedProxies: ['10.0.0.0/8'] } } }),
        loadBalancerId: basic.lb.id,
      }),
  },
  { code: 'UNAUTHENTICATED', name: 'no token', run: () => api.call('GET', '/v1/load-balancers', undefined, { token: null }) },
  { code: 'UNAUTHENTICATED', name: 'wrong token', run: () => api.call('POST', '/v1/load-balancers', { name: 'x1' }, { token: 'wrong' }) },
  { code: 'NOT_FOUND', name: 'unknown id', run: () => api.call('GET', '/v1/listeners/lsn-aaaaaaaaaaaaaaaaaaaa') },
  { code: 'NOT_FOUND', name: 'id of another kind', run: () => api.call('GET', `/v1/listeners/${w.lb.id}`) },
  { code: 'NOT_FOUND', name: 'unknown collection', run: () => api.call('GET', '/v1/gateways') },
  { code: 'NOT_FOUND', name: 'PUT unknown id', run: () => api.call('PUT', '/v1/load-balancers/alb-aaaaaaaaaaaaaaaaaaaa', { name: 'zz' }) },
  { code: 'NOT_FOUND', name: 'DELETE unknown id', run: () => api.call('DELETE', '/v1/server-groups/sgp-aaaaaaaaaaaaaaaaaaaa') },
  {
    code: 'REFERENCE_NOT_FOUND',
    name: 'missing server group',
    path: 'defaultServerGroupId',
    run: () => api.call('POST', '/v1/listeners', httpListener(w, 7005, { defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa' })),
  },
  { code: 'IMMUTABLE_FIELD', name: 'address of a load balancer', path: 'address', run: () => api.call('PUT', `/v1/load-balancers/${w.lb.id}`, { name: 'lb-one', address: '10.1.1.1' }) },
  { code: 'IMMUTABLE_FIELD', name: 'PUT on a system TLS policy', run: () => api.call('PUT', '/v1/tls-policies/tls_cipher_policy_1_2', { name: 'x', tlsVersions: ['TLSv1.2'], ciphers: ['AES128-SHA'] }) },
  {
    code: 'PORT_CONFLICT',
    name: 'HTTP on the port of an HTTPS listener',
    path: 'port',
    run: async () => {
      await api.create('listeners', httpsListener(w, 7443));
      return api.call('POST', '/v1/listeners', httpListener(w, 7443));
    },
  },
  { code: 'IN_USE', name: 'delete a server group a listener uses', run: () => api.call('DELETE', `/v1/server-groups/${w.sg.id}`) },
  {
    code: 'DELETION_PROTECTED',
    name: 'protected load balancer',
    run: async () => {
      const lb = await api.create('load-balancers', { name: 'keep', deletionProtection: true });
      return api.call('DELETE', `/v1/load-balancers/${lb.id}`);
    },
  },
  { code: 'VERSION_MISMATCH', name: 'stale If-Match', run: () => api.call('PUT', `/v1/server-groups/${w.sg.id}`, { name: 'renamed' }, { headers: { 'if-match': '"7"' } }) },
  {
    code: 'IDEMPOTENCY_KEY_REUSED',
    name: 'same key, other body',
    run: async () => {
      await api.call('POST', '/v1/load-balancers', { name: 'idem-a' }, { headers: { 'idempotency-key': 'k-reused' } });
      return api.call('POST', '/v1/load-balancers', { name: 'idem-b' }, { headers: { 'idempotency-key': 'k-reused' } });
    },
  },
  {
    code: 'ENGINE_REJECTED',
    name: 'dry run of a listener on a TLS policy the engine cannot serve with its certificate',
    path: 'tlsPolicyId',
    run: async () => {
      const des = await api.create('tls-policies', { name: 'des-only', tlsVersions: ['TLSv1.2'], ciphers: ['DES-CBC3-SHA'] });
      return api.call('POST', '/v1/listeners?dryRun=true', httpsListener(w, 7444, { tlsPolicyId: des.id }));
    },
  },
  { code: 'PAYLOAD_TOO_LARGE', name: 'body over 1 MiB', run: () => api.call('POST', '/v1/load-balancers', undefined, { raw: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }) }) },
  {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    name: 'body that is not application/json',
    run: () => api.call('POST', '/v1/load-balancers', undefined, { raw: '{"name":"lb-text"}', headers: { 'content-type': 'text/plain' } }),
  },
  // Only a store of record on the network can be out of reach: this case runs in the api-postgres project.
  ...(testStoreKind() === 'postgres'
    ? [
        {
          code: 'STORE_UNAVAILABLE' as const,
          name: 'a write while the database cannot be reached (reads answer from the last state)',
          run: async () => {
            const cut = await TestApi.open({ cuttable: true });
            try {
              const lb = await cut.create('load-balancers', { name: 'before-the-cut' });
              await cut.relay!.cut();
              const res = await cut.call('POST', '/v1/load-balancers', { name: 'after-the-cut' });
              const read = await cut.call('GET', `/v1/load-balancers/${lb.id}`);
              expect(read.status).toBe(200);
              expect(read.body.name).toBe('before-the-cut');
              expect((await cut.call('GET', '/v1/events')).status).toBe(503);
              return res;
            } finally {
              await cut.close();
            }
          },
        },
      ]
    : []),
];

/** CODES_OF_THIS_STORE: every code, but STORE_UNAVAILABLE only where the store can be out of reach. */
const CODES_OF_THIS_STORE = Object.keys(ERROR_CODES).filter((code) => code !== 'STORE_UNAVAILABLE' || testStoreKind() === 'postgres');

describe('SPEC §3 error codes', () => {
  it('covers every code of the registry', () => {
    expect(new Set(cases.map((c) => c.code))).toEqual(new Set(CODES_OF_THIS_STORE));
  });

  for (const c of cases) {
    it(`${c.code}: ${c.name}`, async () => {
      const revisionBefore = api.store.revision();
      const res = await c.run();
      expect(res.status, res.text).toBe(ERROR_CODES[c.code].status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: ERROR_CODES[c.code].status, code: c.code, title: ERROR_CODES[c.code].title });
      expect(typeof res.body.detail).toBe('string');
      expect(Array.isArray(res.body.errors)).toBe(true);
      if (c.path !== undefined) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(c.path);
      // The failing request itself changed nothing (setup writes inside run() happen before it).
      const after = api.store.revision();
      const setupWrites = ['PORT_CONFLICT', 'DELETION_PROTECTED', 'IDEMPOTENCY_KEY_REUSED', 'ENGINE_REJECTED'].includes(c.code) ? 1 : 0;
      expect(after - revisionBefore).toBe(setupWrites);
    });
  }

  it('a rejected write leaves the stored resource exactly as it was', async () => {
    const before = await api.call('GET', `/v1/server-groups/${w.sg.id}`);
    const events = (await api.eventCount());
    const res = await api.call('PUT', `/v1/server-groups/${w.sg.id}`, { name: 'ok-name', servers: [{ address: '127.0.0.1', port: 70000 }] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('servers[0].port');
    const after = await api.call('GET', `/v1/server-groups/${w.sg.id}`);
    expect(after.body).toEqual(before.body);
    expect((await api.eventCount())).toBe(events);
  });

  it('every route but /v1/healthz needs the token', async () => {
    const routes: [string, string][] = [
      ['GET', '/v1/events'],
      ['GET', '/v1/openapi.json'],
      ['GET', '/metrics'],
      ['GET', `/v1/server-groups/${w.sg.id}/health`],
    ];
    for (const c of ['load-balancers', 'listeners', 'quic-listeners', 'certificates', 'tls-policies', 'server-groups']) {
      routes.push(['GET', `/v1/${c}`], ['POST', `/v1/${c}`], ['GET', `/v1/${c}/x`], ['PUT', `/v1/${c}/x`], ['DELETE', `/v1/${c}/x`]);
    }
    for (const [method, url] of routes) {
      const body = method === 'POST' || method === 'PUT' ? {} : undefined;
      const res = await api.call(method, url, body, { token: null });
      expect(res.status, `${method} ${url}`).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    expect((await api.call('GET', '/v1/healthz', undefined, { token: null })).status).toBe(200);
  });

  it('an unknown route is a problem+json 404 too', async () => {
    const res = await api.call('GET', '/v2/anything');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('401 carries WWW-Authenticate and comes before the body limit is checked', async () => {
    const res = await api.call('POST', '/v1/load-balancers', undefined, { token: null, raw: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});
