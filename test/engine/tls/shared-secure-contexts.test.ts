/**
 * Apply with shared secure contexts: HTTPS listeners on the same certificates, policy and
 * client CA are served from one context (a TLS 1.2 session from one resumes on the other —
 * they share ticket keys and session-id context) — never listeners that serve a name with
 * different certificates — a rotation of that certificate reaches
 * every listener through one rebuilt context, a policy change moves only the listener that
 * changed, and a snapshot rebuilt from scratch with the same content keeps every context.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../../helpers/pki.ts';
import { tlsHandshake } from '../support/clients.ts';
import { derive, freshSession, replaceById, resumes, servedCommonName } from '../support/apply-derive.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

const NAME = 'shared.test';
let first: Issued;
let second: Issued;
let harness: EngineHarness | undefined;

beforeAll(async () => {
  const ca = await createCa();
  [first, second] = await Promise.all([
    issueCertificate({ commonName: 'shared-1', dnsNames: [NAME] }, ca),
    issueCertificate({ commonName: 'shared-2', dnsNames: [NAME] }, ca),
  ]);
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const IDS = ['lsn-a', 'lsn-b', 'lsn-c'] as const;

/** start runs three HTTPS listeners on one certificate and the default policy; returns the snapshot and ports. */
async function start(): Promise<{ base: EngineSnapshot; ports: Record<(typeof IDS)[number], number>; backendPort: number }> {
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  const base = buildSnapshot({
    version: 1,
    listeners: IDS.map((id) => httpsListener(id, 'sgp-1', 'cert-s')),
    certificates: [serverCertificate('cert-s', first, [NAME])],
    serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
  });
  const result = await harness.apply(base);
  const ports = { 'lsn-a': portOf(result, 'lsn-a'), 'lsn-b': portOf(result, 'lsn-b'), 'lsn-c': portOf(result, 'lsn-c') };
  return { base, ports, backendPort: backend.port };
}

describe('apply: secure contexts shared across listeners', () => {
  it('listeners on the same certificate and policy are served from one context', async () => {
    const { ports } = await start();
    const session = await freshSession(ports['lsn-a'], NAME);
    expect(await resumes(ports['lsn-b'], NAME, session)).toBe(true);
    expect(await resumes(ports['lsn-c'], NAME, session)).toBe(true);
  });

  it('a rotated certificate (same id, new content, listener objects unchanged) reaches every listener through one new context', async () => {
    const { base, ports } = await start();
    const before = await freshSession(ports['lsn-a'], NAME);
    const rotated = derive(base, 2, { certificates: [serverCertificate('cert-s', second, [NAME])] });
    expect(rotated.listeners).toBe(base.listeners);
    const result = await harness!.apply(rotated);
    expect(result.listeners.map((l) => [l.id, l.status, l.port])).toEqual(IDS.map((id) => [id, 'Running', ports[id]]));
    for (const id of IDS) expect(await servedCommonName(ports[id], NAME)).toBe('shared-2');
    // The old context's sessions are gone everywhere; the new one is again shared by all three.
    for (const id of IDS) expect(await resumes(ports[id], NAME, before)).toBe(false);
    const after = await freshSession(ports['lsn-b'], NAME);
    expect(await resumes(ports['lsn-a'], NAME, after)).toBe(true);
    expect(await resumes(ports['lsn-c'], NAME, after)).toBe(true);
  });

  it('a listener whose policy changes gets the new policy; its unchanged neighbours keep their context and sessions', async () => {
    const { base, ports } = await start();
    const sessionA = await freshSession(ports['lsn-a'], NAME);
    const sessionB = await freshSession(ports['lsn-b'], NAME);
    const tls13 = { servername: NAME, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', settleMs: 0 } as const;
    expect((await tlsHandshake(ports['lsn-b'], tls13)).ok).toBe(true);

    // lsn-b moves to a policy without TLS 1.3; lsn-a and lsn-c stay the very same objects.
    const next = derive(base, 2, {
      listeners: replaceById(base.listeners, 'lsn-b', (l) => ({ ...l, version: 2, tls: { ...l.tls!, tlsPolicyId: 'tls_cipher_policy_1_2_strict' } })),
    });
    const result = await harness!.apply(next);
    expect(result.listeners.find((l) => l.id === 'lsn-b')).toMatchObject({ status: 'Running', version: 2, port: ports['lsn-b'] });

    expect((await tlsHandshake(ports['lsn-b'], tls13)).ok).toBe(false);
    expect((await tlsHandshake(ports['lsn-a'], tls13)).ok).toBe(true);
    expect(await resumes(ports['lsn-a'], NAME, sessionA)).toBe(true);
    expect(await resumes(ports['lsn-c'], NAME, sessionA)).toBe(true);
    // No session crosses the policy change, in either direction.
    expect(await resumes(ports['lsn-b'], NAME, sessionB)).toBe(false);
    expect(await resumes(ports['lsn-b'], NAME, sessionA)).toBe(false);
  });

  it('listeners serving different certificates for a name never resume each other\'s sessions', async () => {
    const extra = await issueCertificate({ commonName: 'extra', dnsNames: ['extra.test'] }, await createCa());
    const { base, ports } = await start();
    // lsn-a also serves extra.test with its own certificate; lsn-b would serve the default one for it.
    const withExtra = derive(base, 2, {
      certificates: [...base.certificates, serverCertificate('cert-x', extra, ['extra.test'])],
      listeners: replaceById(base.listeners, 'lsn-a', (l) => ({ ...l, version: 2, tls: { ...l.tls!, additionalCertificateIds: ['cert-x'] } })),
    });
    await harness!.apply(withExtra);
    expect(await servedCommonName(ports['lsn-a'], 'extra.test')).toBe('extra');
    expect(await servedCommonName(ports['lsn-b'], 'extra.test')).toBe('shared-1');
    const fromA = await freshSession(ports['lsn-a'], 'extra.test');
    expect(await resumes(ports['lsn-a'], 'extra.test', fromA)).toBe(true);
    expect(await resumes(ports['lsn-b'], 'extra.test', fromA)).toBe(false);
    const fromB = await freshSession(ports['lsn-b'], NAME);
    expect(await resumes(ports['lsn-a'], NAME, fromB)).toBe(false);
    expect(await resumes(ports['lsn-c'], NAME, fromB)).toBe(true);
  });

  it('a snapshot rebuilt from scratch with the same TLS content keeps every context and its sessions', async () => {
    const { ports, backendPort } = await start();
    const session = await freshSession(ports['lsn-a'], NAME);
    // New objects everywhere (as a fresh compile of an unchanged store would give), one timeout changed.
    const rebuilt = buildSnapshot({
      version: 2,
      listeners: IDS.map((id) => httpsListener(id, 'sgp-1', 'cert-s', {}, { idleTimeout: 20 })),
      certificates: [serverCertificate('cert-s', { ...first }, [NAME])],
      serverGroups: [serverGroup('sgp-1', [{ port: backendPort }])],
    });
    const result = await harness!.apply(rebuilt);
    expect(result.listeners.map((l) => [l.id, l.status, l.version, l.port])).toEqual(IDS.map((id) => [id, 'Running', 1, ports[id]]));
    for (const id of IDS) expect(await resumes(ports[id], NAME, session)).toBe(true);
  });
});
