/**
 * Engine.prepare / Engine.commit: preparing a snapshot builds what it needs and names the
 * listeners that cannot be applied (with the snapshot resource at fault), but binds nothing,
 * swaps nothing and starts no timer; released, it leaves nothing behind; committed, it runs
 * exactly as apply would; prepared before another commit, it is prepared again when committed.
 */
import { createConnection } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deepFreeze, type EngineSnapshot, type SnapshotTlsPolicy } from '../../schema/snapshot.ts';
import { type CipherName, toOpenSslSettings } from '../../schema/tls-policies.ts';
import { freePort } from '../helpers/free-port.ts';
import { createCa, issueCertificate, type Issued } from '../helpers/pki.ts';
import { httpGet, tlsHandshake } from './support/clients.ts';
import { EngineHarness, portOf } from './support/harness.ts';
import { buildSnapshot, healthConfig, httpListener, httpsListener, serverCertificate, serverGroup, SYSTEM_POLICIES } from './support/snapshots.ts';

let leaf: Issued;
let otherLeaf: Issued;
let harness: EngineHarness | undefined;

beforeAll(async () => {
  const ca = await createCa();
  [leaf, otherLeaf] = await Promise.all([
    issueCertificate({ commonName: 'prepare.test', dnsNames: ['prepare.test'] }, ca),
    issueCertificate({ commonName: 'other.test', dnsNames: ['other.test'] }, ca),
  ]);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = undefined;
});

const DES_CIPHERS: CipherName[] = ['DES-CBC3-SHA'];
/** DES_ONLY is a policy this runtime cannot serve (Node's OpenSSL has no 3DES). */
const DES_ONLY: SnapshotTlsPolicy = { id: 'tlsp-des', tlsVersions: ['TLSv1.2'], ciphers: DES_CIPHERS, openssl: toOpenSslSettings({ tlsVersions: ['TLSv1.2'], ciphers: DES_CIPHERS }) };

/** refused tells whether nothing listens on a port of 127.0.0.1. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** base runs one HTTP listener in front of one group; returns the snapshot and the backend port. */
async function base(): Promise<{ v1: EngineSnapshot; backendPort: number }> {
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  const v1 = buildSnapshot({ version: 1, listeners: [httpListener('lsn-http', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])] });
  portOf(await harness.apply(v1), 'lsn-http');
  return { v1, backendPort: backend.port };
}

describe('Engine.prepare', () => {
  it('builds a new HTTPS listener and a health-checked group without binding, swapping or starting a timer', async () => {
    const { v1, backendPort } = await base();
    const engine = harness!.engine;
    const [port, otherBackendPort] = await Promise.all([freePort(), freePort()]);
    const v2 = buildSnapshot({
      version: 2,
      listeners: [httpListener('lsn-http', 'sgp-1'), httpsListener('lsn-tls', 'sgp-2', 'cert-1', {}, { port })],
      certificates: [serverCertificate('cert-1', leaf, ['prepare.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backendPort }]), serverGroup('sgp-2', [{ port: otherBackendPort }], { healthCheck: healthConfig({ enabled: true }) })],
    });
    const before = engine.status();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const prepared = engine.prepare(v2);
    prepared.release();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(setIntervalSpy).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    expect(prepared.changed).toBe(true);
    expect(prepared.problems).toEqual([]);
    expect(engine.status()).toEqual(before);
    expect(engine.status().version).toBe(v1.version);
    expect(engine.serverGroupHealth('sgp-2')).toBeUndefined();
    expect(await refused(port)).toBe(true);
  });

  it('names each listener that cannot be applied, its reason and the resource at fault — the reason a commit reports', async () => {
    const { backendPort } = await base();
    const engine = harness!.engine;
    const mismatched = { ...serverCertificate('cert-bad', leaf, ['bad.test']), privateKeyPem: otherLeaf.keyPem };
    const v2 = buildSnapshot({
      version: 2,
      listeners: [
        httpListener('lsn-http', 'sgp-1'),
        httpsListener('lsn-des', 'sgp-1', 'cert-1', { tlsPolicyId: 'tlsp-des' }),
        httpsListener('lsn-key', 'sgp-1', 'cert-bad'),
        httpsListener('lsn-ok', 'sgp-1', 'cert-1'),
      ],
      certificates: [serverCertificate('cert-1', leaf, ['prepare.test']), mismatched],
      tlsPolicies: [...SYSTEM_POLICIES, DES_ONLY],
      serverGroups: [serverGroup('sgp-1', [{ port: backendPort }])],
    });
    const prepared = engine.prepare(v2);
    expect(prepared.problems).toEqual([
      { listenerId: 'lsn-des', reason: expect.stringMatching(/^TLS policy tlsp-des cannot be applied with certificate cert-1: /), fault: { kind: 'TlsSecurityPolicy', id: 'tlsp-des' } },
      { listenerId: 'lsn-key', reason: expect.stringMatching(/^certificate cert-bad cannot be loaded: /), fault: { kind: 'Certificate', id: 'cert-bad' } },
    ]);

    const result = await engine.commit(prepared);
    const byId = new Map(result.listeners.map((l) => [l.id, l]));
    expect(byId.get('lsn-des')).toMatchObject({ status: 'Failed', statusReason: prepared.problems[0]!.reason });
    expect(byId.get('lsn-key')).toMatchObject({ status: 'Failed', statusReason: prepared.problems[1]!.reason });
    expect((await tlsHandshake(portOf(result, 'lsn-ok'), { servername: 'prepare.test', settleMs: 0 })).ok).toBe(true);
  });

  it('for some listeners prepares only those, and cannot be committed', async () => {
    const { backendPort } = await base();
    const engine = harness!.engine;
    const v2 = buildSnapshot({
      version: 2,
      listeners: [httpsListener('lsn-des-1', 'sgp-1', 'cert-1', { tlsPolicyId: 'tlsp-des' }), httpsListener('lsn-des-2', 'sgp-1', 'cert-1', { tlsPolicyId: 'tlsp-des' })],
      certificates: [serverCertificate('cert-1', leaf, ['prepare.test'])],
      tlsPolicies: [...SYSTEM_POLICIES, DES_ONLY],
      serverGroups: [serverGroup('sgp-1', [{ port: backendPort }])],
    });
    const prepared = engine.prepare(v2, { listeners: new Set(['lsn-des-2']) });
    expect(prepared.problems.map((p) => p.listenerId)).toEqual(['lsn-des-2']);
    await expect(engine.commit(prepared)).rejects.toThrow(/some listeners only/);
    prepared.release();
    expect(engine.status().version).toBe(1);
  });

  it('of the running snapshot is unchanged and names no problem', async () => {
    const { v1 } = await base();
    const prepared = harness!.engine.prepare(deepFreeze({ ...v1, version: 1 }));
    expect(prepared.changed).toBe(false);
    expect(prepared.problems).toEqual([]);
    prepared.release();
  });
});

describe('Engine.commit', () => {
  it('runs a prepared snapshot as apply would', async () => {
    const { backendPort } = await base();
    const engine = harness!.engine;
    const v2 = buildSnapshot({
      version: 2,
      listeners: [httpListener('lsn-http', 'sgp-1'), httpsListener('lsn-tls', 'sgp-1', 'cert-1')],
      certificates: [serverCertificate('cert-1', leaf, ['prepare.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backendPort }])],
    });
    const result = await engine.commit(engine.prepare(v2));
    expect(result).toMatchObject({ version: 2, changed: true });
    expect((await tlsHandshake(portOf(result, 'lsn-tls'), { servername: 'prepare.test', settleMs: 0 })).ok).toBe(true);
    expect((await httpGet(portOf(result, 'lsn-http'))).status).toBe(200);
  });

  it('prepares again a snapshot prepared before another commit, or released', async () => {
    const { backendPort } = await base();
    const engine = harness!.engine;
    const group = serverGroup('sgp-1', [{ port: backendPort }]);
    const v2 = buildSnapshot({ version: 2, listeners: [httpListener('lsn-http', 'sgp-1'), httpListener('lsn-two', 'sgp-1')], serverGroups: [group] });
    const v3 = buildSnapshot({ version: 3, listeners: [httpListener('lsn-three', 'sgp-1')], serverGroups: [group] });
    const early = engine.prepare(v2);
    portOf(await engine.apply(v3), 'lsn-three');
    const result = await engine.commit(early);
    expect(result.version).toBe(2);
    expect(result.listeners.map((l) => l.id).sort()).toEqual(['lsn-http', 'lsn-two']);
    expect((await httpGet(portOf(result, 'lsn-two'))).status).toBe(200);

    const released = engine.prepare(v3);
    released.release();
    const again = await engine.commit(released);
    expect(again.version).toBe(3);
    expect((await httpGet(portOf(again, 'lsn-three'))).status).toBe(200);
  });

  it('refuses what another engine prepared', async () => {
    const { v1 } = await base();
    const other = new EngineHarness();
    try {
      await expect(other.engine.commit(harness!.engine.prepare(v1))).rejects.toThrow(/this engine prepared/);
    } finally {
      await other.close();
    }
  });
});
