/**
 * SPEC §3 dryRun, the engine's part: a dry run also prepares, in the engine, the configuration
 * its write would make — the engine's own load path, nothing bound or kept — so a certificate or
 * TLS policy the engine would refuse fails the dry run (422 ENGINE_REJECTED at the field) instead
 * of turning a listener Failed after the write; a valid one is still 200 {"valid": true}; and
 * neither writes anything (no row, no event, no revision) nor touches the compiler that feeds
 * the engine. The real write is unchanged: it is accepted and the listener turns Failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/index.ts';
import { SnapshotCompiler } from '../../server/compiler/compile.ts';
import { prepareListeners } from '../../server/runtime/engine-port.ts';
import { DETACHED_RUNTIME, type RuntimeView } from '../../server/service/runtime-view.ts';
import { waitUntil } from '../helpers/eventually.ts';
import { httpsListener, makeBaseWorld, makePki, TestApi, type BaseWorld, type TestPki } from './support/api.ts';
import { LiveServer } from './support/live.ts';

/** DES_ONLY is a custom policy the schema accepts and this OpenSSL cannot serve (no 3DES). */
const DES_ONLY = { name: 'des-only', tlsVersions: ['TLSv1.2'], ciphers: ['DES-CBC3-SHA'] };
/** ECDSA_12 is a custom policy the engine serves with an EC certificate. */
const ECDSA_12 = { name: 'ecdsa-12', tlsVersions: ['TLSv1.2'], ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256'] };
const REFUSED = /^TLS policy tlsp-\w+ cannot be applied with certificate cert-\w+: /;

let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
});

describe('dryRun with an engine behind the API', () => {
  let engine: Engine;
  let api: TestApi;
  let w: BaseWorld;
  let des: { id: string };

  beforeAll(async () => {
    engine = new Engine();
    const runtime: RuntimeView = { ...DETACHED_RUNTIME, prepareSnapshot: (snapshot, ids) => prepareListeners(engine, snapshot, ids) };
    api = await TestApi.open({ runtime });
    w = await makeBaseWorld(api, pki);
    des = await api.create('tls-policies', DES_ONLY);
  });
  afterAll(async () => {
    await api?.close();
    await engine?.close(0);
  });

  async function sideEffects() {
    return { revision: api.store.revision(), events: (await api.eventCount()), counts: JSON.stringify([...api.store.resources.counts()].sort()) };
  }

  it('a listener whose TLS policy the engine cannot serve with its certificate: 422 ENGINE_REJECTED at tlsPolicyId, nothing written', async () => {
    const before = (await sideEffects());
    const res = await api.call('POST', '/v1/listeners?dryRun=true', httpsListener(w, 8443, { tlsPolicyId: des.id }));
    expect(res.status, res.text).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'ENGINE_REJECTED' });
    expect(res.body.errors).toEqual([{ path: 'tlsPolicyId', code: 'ENGINE_REJECTED', message: expect.stringMatching(REFUSED) }]);
    expect(res.body.errors[0].message).toContain(des.id);
    expect(res.body.errors[0].message).toContain(w.cert.id);
    expect((await sideEffects())).toEqual(before);
  });

  it('a valid listener is still 200 {"valid": true}, nothing written', async () => {
    const before = (await sideEffects());
    const res = await api.call('POST', '/v1/listeners?dryRun=true', httpsListener(w, 8444));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ valid: true });
    expect((await sideEffects())).toEqual(before);
  });

  it('a PUT moving a listener onto such a policy: 422 at tlsPolicyId; the listener stays as stored', async () => {
    const l = await api.create('listeners', httpsListener(w, 8445));
    const before = (await sideEffects());
    const res = await api.call('PUT', `/v1/listeners/${l.id}?dryRun=true`, httpsListener(w, 8445, { tlsPolicyId: des.id }));
    expect(res.status, res.text).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['tlsPolicyId']);
    expect((await sideEffects())).toEqual(before);
    expect((await api.call('GET', `/v1/listeners/${l.id}`)).body.tlsPolicyId).toBe(l.tlsPolicyId);
  });

  it('a PUT of a policy a listener uses, to ciphers the engine cannot serve: 422 at ciphers naming the listener; the policy unchanged', async () => {
    const policy = await api.create('tls-policies', ECDSA_12);
    const l = await api.create('listeners', httpsListener(w, 8446, { tlsPolicyId: policy.id }));
    const before = (await sideEffects());
    const res = await api.call('PUT', `/v1/tls-policies/${policy.id}?dryRun=true`, { ...ECDSA_12, ciphers: DES_ONLY.ciphers });
    expect(res.status, res.text).toBe(422);
    expect(res.body.code).toBe('ENGINE_REJECTED');
    expect(res.body.errors).toEqual([{ path: 'ciphers', code: 'ENGINE_REJECTED', message: expect.stringContaining(`listener ${l.id}: TLS policy ${policy.id} cannot be applied`) }]);
    expect((await sideEffects())).toEqual(before);
    expect((await api.call('GET', `/v1/tls-policies/${policy.id}`)).body.ciphers).toEqual(ECDSA_12.ciphers);
    // The same policy with suites the engine serves passes.
    const ok = await api.call('PUT', `/v1/tls-policies/${policy.id}?dryRun=true`, { ...ECDSA_12, ciphers: ['ECDHE-ECDSA-AES256-GCM-SHA384'] });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ valid: true });
  });

  it('a policy no listener uses is not prepared: its dry run is 200', async () => {
    const res = await api.call('POST', '/v1/tls-policies?dryRun=true', { ...DES_ONLY, name: 'des-unused' });
    expect(res.status, res.text).toBe(200);
  });

  it('leaves the compiler that feeds the engine as it was', async () => {
    const policy = await api.create('tls-policies', { ...ECDSA_12, name: 'ecdsa-kept' });
    await api.create('listeners', httpsListener(w, 8447, { tlsPolicyId: policy.id }));
    const compiler = new SnapshotCompiler(api.store);
    const first = compiler.compile().snapshot;
    expect((await api.call('PUT', `/v1/tls-policies/${policy.id}?dryRun=true`, { ...ECDSA_12, name: 'ecdsa-kept', ciphers: DES_ONLY.ciphers })).status).toBe(422);
    expect((await api.call('POST', '/v1/listeners?dryRun=true', httpsListener(w, 8448, { tlsPolicyId: policy.id }))).status).toBe(200);
    const next = compiler.compile().snapshot;
    expect(next).toEqual(first);
    // Every piece the dry runs did not write is still the very object the engine runs.
    expect(next.listeners).toEqual(first.listeners);
    next.listeners.forEach((l, i) => expect(l).toBe(first.listeners[i]));
    next.certificates.forEach((c, i) => expect(c).toBe(first.certificates[i]));
    next.serverGroups.forEach((g, i) => expect(g).toBe(first.serverGroups[i]));
  });
});

describe('dryRun without an engine (an API on its own)', () => {
  it('stops at the store\'s checks: the policy the engine would refuse passes', async () => {
    const api = await TestApi.open();
    try {
      const w = await makeBaseWorld(api, pki);
      const des = await api.create('tls-policies', DES_ONLY);
      const res = await api.call('POST', '/v1/listeners?dryRun=true', httpsListener(w, 8443, { tlsPolicyId: des.id }));
      expect(res.status, res.text).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe('dryRun on a running server', () => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await LiveServer.start();
  });
  afterAll(async () => {
    await live?.close();
  });

  it('refuses what the real write would leave Failed, with the reason the listener then shows; a listener already Failed does not fail another resource\'s dry run', async () => {
    const lb = await live.create('load-balancers', { name: 'dry-lb' });
    const sg = await live.create('server-groups', { name: 'dry-group', servers: [{ address: '127.0.0.1', port: 9 }] });
    const cert = await live.create('certificates', { name: 'dry-cert', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem });
    const des = await live.create('tls-policies', DES_ONLY);
    // The listener never binds (its TLS side fails first), so any port will do.
    const body = { loadBalancerId: lb.id, protocol: 'HTTPS', port: 20000 + Math.floor(Math.random() * 10000), defaultServerGroupId: sg.id, certificates: { defaultCertificateId: cert.id }, tlsPolicyId: des.id };

    const dry = await live.call('POST', '/v1/listeners?dryRun=true', body);
    expect(dry.status, dry.text).toBe(422);
    expect(dry.body.errors[0].path).toBe('tlsPolicyId');
    const reason: string = dry.body.errors[0].message;

    const real = await live.call('POST', '/v1/listeners', body);
    expect(real.status, real.text).toBe(201);
    await waitUntil(async () => (await live.call('GET', `/v1/listeners/${real.body.id}`)).body.status === 'Failed');
    expect((await live.call('GET', `/v1/listeners/${real.body.id}`)).body.statusReason).toBe(reason);

    const group = await live.call('PUT', `/v1/server-groups/${sg.id}?dryRun=true`, { name: 'dry-group', servers: [{ address: '127.0.0.1', port: 10 }] });
    expect(group.status, group.text).toBe(200);
  });
});
