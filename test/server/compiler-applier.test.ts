/**
 * The snapshot compiler and the applier, driven through the API against a recording engine
 * port: snapshots are deep-frozen, consistent, versioned by store revision, carry decrypted
 * keys and every default; unchanged pieces keep their identity between snapshots; bursts of
 * writes coalesce into few applies; listener status follows the engine's report; an apply that
 * throws marks the new versions Failed and keeps the rest.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyResult, ServerHealth } from '../../engine/types.ts';
import { consistent, engineSnapshotSchema, type EngineSnapshot } from '../../schema/snapshot.ts';
import { StoredBodyError } from '../../server/store/stored-bodies.ts';
import { SnapshotCompiler } from '../../server/compiler/compile.ts';
import { ConfigApplier } from '../../server/runtime/config-applier.ts';
import type { EnginePort } from '../../server/runtime/engine-port.ts';
import type { RuntimeView } from '../../server/service/runtime-view.ts';
import { httpListener, httpsListener, makeBaseWorld, makePki, TestApi, type BaseWorld, type TestPki } from './support/api.ts';

/** RecordingEngine records the snapshots it is given and reports what the test tells it to. */
class RecordingEngine implements EnginePort {
  readonly applied: EngineSnapshot[] = [];
  failPorts = new Set<number>();
  throwNext: Error | undefined;
  delayMs = 0;

  async apply(snapshot: EngineSnapshot): Promise<ApplyResult> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.throwNext) {
      const e = this.throwNext;
      this.throwNext = undefined;
      throw e;
    }
    this.applied.push(snapshot);
    return {
      version: snapshot.version,
      changed: true,
      listeners: snapshot.listeners.map((l) =>
        this.failPorts.has(l.port)
          ? { id: l.id, kind: 'Listener' as const, status: 'Failed' as const, statusReason: `port ${l.port} is taken`, version: l.version }
          : { id: l.id, kind: 'Listener' as const, status: 'Running' as const, version: l.version },
      ),
    };
  }
  serverGroupHealth(): ServerHealth[] | undefined {
    return undefined;
  }
  async close(): Promise<void> {}
}

let api: TestApi;
let engine: RecordingEngine;
let applier: ConfigApplier;
let pki: TestPki;
let w: BaseWorld;

beforeEach(async () => {
  engine = new RecordingEngine();
  let ref: ConfigApplier | undefined;
  const view: RuntimeView = {
    listenerStatus: (id, v) => ref!.listenerStatus(id, v),
    committed: () => void ref!.requestApply(),
    settled: (ms) => ref!.settled(ms),
    serverGroupHealth: () => undefined,
  };
  api = await TestApi.open({ runtime: view });
  applier = new ConfigApplier(api.store, new SnapshotCompiler(api.store), engine, {}, 200);
  ref = applier;
  pki ??= await makePki();
  w = await makeBaseWorld(api, pki);
  await applier.settled(5000);
});
afterEach(async () => {
  await applier.close();
  await api.close();
});

describe('compiled snapshots', () => {
  it('are deep-frozen, consistent, versioned by the store revision, with keys and defaults', async () => {
    await api.create('listeners', httpsListener(w, 8443));
    await api.create('listeners', httpListener(w, 8080));
    await applier.settled(5000);
    const snap = engine.applied.at(-1)!;
    expect(snap.version).toBe(api.store.revision());
    expect(consistent(snap)).toEqual([]);
    expect(Object.isFrozen(snap)).toBe(true);
    expect(Object.isFrozen(snap.listeners[0]!.forwardedHeaders.xForwardedFor)).toBe(true);
    const https = snap.listeners.find((l) => l.protocol === 'HTTPS')!;
    const http = snap.listeners.find((l) => l.protocol === 'HTTP')!;
    expect(https.tls).toMatchObject({ http2Enabled: true, tlsPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3', mutualAuthentication: { enabled: false }, quic: { upgradeEnabled: false } });
    expect(http.tls).toBeUndefined();
    expect(http).toMatchObject({ idleTimeout: 15, requestTimeout: 60, compressionEnabled: true });
    expect(http.forwardedHeaders.xForwardedFor).toEqual({ enabled: true, mode: 'append' });
    expect(http.forwardedHeaders.clientCertFingerprint).toEqual({ enabled: false });
    const cert = snap.certificates.find((c) => c.id === w.cert.id)!;
    expect(cert.privateKeyPem).toContain('PRIVATE KEY');
    expect(cert.domains).toEqual(['www.example.com', 'example.com']);
    expect(snap.tlsPolicies.map((p) => p.id)).toContain('tls_cipher_policy_1_0');
    expect(snap.tlsPolicies.find((p) => p.id === 'tls_cipher_policy_1_0')!.openssl.secLevel0).toBe(true);
    const group = snap.serverGroups.find((g) => g.id === w.sg.id)!;
    expect(group.healthCheck).toMatchObject({ protocol: 'HTTP', method: 'HEAD', path: '/', port: 0, interval: 2, codes: ['http_2xx', 'http_3xx'] });
    expect(group.healthCheck.host).toBeUndefined();
  });

  it('keep unchanged pieces identical, so a one-listener change is cheap to compare', async () => {
    const a = await api.create('listeners', httpListener(w, 8081));
    const b = await api.create('listeners', httpListener(w, 8082));
    await applier.settled(5000);
    const before = engine.applied.at(-1)!;
    await api.call('PUT', `/v1/listeners/${b.id}`, { defaultServerGroupId: w.sg.id, idleTimeout: 99 });
    await applier.settled(5000);
    const after = engine.applied.at(-1)!;
    expect(after.listeners.find((l) => l.id === a.id)).toBe(before.listeners.find((l) => l.id === a.id));
    expect(after.listeners.find((l) => l.id === b.id)).not.toBe(before.listeners.find((l) => l.id === b.id));
    expect(after.certificates[0]).toBe(before.certificates[0]);
    expect(after.serverGroups[0]).toBe(before.serverGroups[0]);
  });
});

describe('the compiled snapshot against the schema the kinds derive it from', () => {
  it('parses as engineSnapshotSchema with every kind and option present, and parsing changes nothing', async () => {
    const ca = await api.create('certificates', { name: 'client-ca', type: 'CA', certificatePem: pki.ca.certPem });
    const other = await api.create('certificates', { name: 'api', certificatePem: pki.other.certPem, privateKeyPem: pki.other.keyPem });
    const policy = await api.create('tls-policies', { name: 'only-1-3', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_128_GCM_SHA256'] });
    const quic = await api.create('quic-listeners', { loadBalancerId: w.lb.id, port: 8443, defaultServerGroupId: w.sg.id, certificates: { defaultCertificateId: w.cert.id } });
    await api.create('server-groups', {
      name: 'sticky',
      scheduler: 'Wlc',
      servers: [{ address: '127.0.0.1', port: 10, weight: 5, description: 'one' }],
      healthCheck: { enabled: true, host: 'health.test', path: '/up' },
      stickySession: { enabled: true, type: 'Server', cookie: 'SID' },
    });
    await api.create('listeners', httpsListener(w, 8443, {
      certificates: { defaultCertificateId: w.cert.id, additionalCertificateIds: [other.id] },
      tlsPolicyId: policy.id,
      mutualAuthentication: { enabled: true, caCertificateId: ca.id },
      quic: { upgradeEnabled: true, quicListenerId: quic.id },
      forwardedHeaders: { clientCertSubjectDn: { enabled: true } },
    }));
    await api.create('listeners', httpListener(w, 8080));
    await applier.settled(5000);
    const snap = engine.applied.at(-1)!;
    expect(snap.listeners.map((l) => l.protocol).sort()).toEqual(['HTTP', 'HTTPS']);
    expect(snap.quicListeners).toHaveLength(1);
    expect(snap.certificates.map((c) => c.type).sort()).toEqual(['CA', 'Server', 'Server']);
    expect(snap.serverGroups.some((g) => g.stickySession.cookie === 'SID' && g.healthCheck.host === 'health.test')).toBe(true);
    const parsed = engineSnapshotSchema.safeParse(snap);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toEqual(snap);
  });

  it('the schema refuses a piece the kinds do not declare (control)', () => {
    const snap = engine.applied.at(-1)!;
    expect(engineSnapshotSchema.safeParse(snap).success).toBe(true);
    const withExtra = { ...snap, loadBalancers: snap.loadBalancers.map((lb) => ({ ...lb, undeclared: 1 })) };
    expect(engineSnapshotSchema.safeParse(withExtra).success).toBe(false);
  });

  it('a stored row that no longer matches its kind fails the compile, naming the row and the field', async () => {
    const listener = await api.create('listeners', httpListener(w, 8090));
    await applier.settled(5000);
    const row = api.store.resources.get(listener.id)!;
    api.store.resources.update({ ...row, body: { ...row.body, port: 'eighty' } });
    expect(() => new SnapshotCompiler(api.store).compile()).toThrow(StoredBodyError);
    expect(() => new SnapshotCompiler(api.store).compile()).toThrow(new RegExp(`stored Listener ${listener.id} does not match its schema: port`));
  });
});

describe('applying', () => {
  it('coalesces a burst of writes into fewer applies, the last one holding everything', async () => {
    engine.delayMs = 30;
    const start = engine.applied.length;
    const writing = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => api.create('listeners', httpListener(w, 9000 + i))));
    const writesMs = Date.now() - writing;
    await applier.settled(10_000);
    const applies = engine.applied.length - start;
    expect(applies).toBeGreaterThanOrEqual(1);
    // One apply at a time, each taking delayMs: no more applies than the writes' span allows
    // (a store on the network spreads the 40 writes over more time than the SQLite file does).
    expect(applies).toBeLessThanOrEqual(Math.ceil(writesMs / engine.delayMs) + 2);
    expect(applies).toBeLessThan(40);
    expect(engine.applied.at(-1)!.listeners).toHaveLength(40);
    expect(applier.appliedRevision).toBe(api.store.revision());
  });

  it('listener status: Provisioning, then the engine verdict, Configuring while a change is pending', async () => {
    engine.failPorts.add(9100);
    const ok = await api.create('listeners', httpListener(w, 9101));
    expect(ok.status).toBe('Provisioning');
    const bad = await api.create('listeners', httpListener(w, 9100));
    const readOk = await api.call('GET', `/v1/listeners/${ok.id}`);
    expect(readOk.body.status).toBe('Running');
    const readBad = await api.call('GET', `/v1/listeners/${bad.id}`);
    expect(readBad.body).toMatchObject({ status: 'Failed', statusReason: 'port 9100 is taken' });
    engine.delayMs = 300;
    const put = await api.call('PUT', `/v1/listeners/${ok.id}`, { defaultServerGroupId: w.sg.id, idleTimeout: 30 });
    expect(put.body.status).toBe('Configuring');
    expect((await api.call('GET', `/v1/listeners/${ok.id}`)).body.status).toBe('Running');
  });

  it('failed listeners are retried with the same snapshot until they come up', async () => {
    engine.failPorts.add(9200);
    const l = await api.create('listeners', httpListener(w, 9200));
    expect((await api.call('GET', `/v1/listeners/${l.id}`)).body.status).toBe('Failed');
    const applies = engine.applied.length;
    engine.failPorts.clear();
    const deadline = Date.now() + 5000;
    while (applier.listenerStatus(l.id, 1).status !== 'Running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(applier.listenerStatus(l.id, 1).status).toBe('Running');
    expect(engine.applied.length).toBeGreaterThan(applies);
    expect(engine.applied.at(-1)!.version).toBe(api.store.revision());
  });

  it('an apply that throws marks the new versions Failed and keeps running ones as they were', async () => {
    const running = await api.create('listeners', httpListener(w, 9301));
    await applier.settled(5000);
    engine.throwNext = new Error('boom');
    const fresh = await api.create('listeners', httpListener(w, 9302));
    await applier.settled(5000);
    expect(applier.listenerStatus(running.id, 1).status).toBe('Running');
    expect(applier.listenerStatus(fresh.id, 1)).toEqual({ status: 'Failed', statusReason: 'the engine could not apply the configuration: boom' });
  });

  it('close releases waiters and stops applying', async () => {
    engine.delayMs = 100;
    await api.create('listeners', httpListener(w, 9401));
    const pending = applier.settled(10_000);
    await applier.close();
    await pending;
    const n = engine.applied.length;
    await api.create('listeners', httpListener(w, 9402));
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.applied.length).toBe(n);
  });
});

describe('--bind-address', () => {
  it('binds the listeners of wildcard load balancers to the node\'s address, and leaves specific addresses alone', async () => {
    const wildcard = await api.create('load-balancers', { name: 'any', address: '0.0.0.0' });
    const v6 = await api.create('load-balancers', { name: 'any6', address: '::' });
    const compiled = new SnapshotCompiler(api.store, { wildcardBindAddress: '127.0.0.3' }).compile().snapshot;
    const address = (id: string) => compiled.loadBalancers.find((lb) => lb.id === id)?.address;
    expect(address(wildcard.id)).toBe('127.0.0.3');
    expect(address(v6.id)).toBe('127.0.0.3');
    expect(address(w.lb.id)).toBe(w.lb.address);
    expect(w.lb.address).not.toBe('0.0.0.0');
    expect(new SnapshotCompiler(api.store).compile().snapshot.loadBalancers.find((lb) => lb.id === wildcard.id)?.address).toBe('0.0.0.0');
  });
});
