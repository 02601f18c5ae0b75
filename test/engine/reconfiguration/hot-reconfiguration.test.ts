/**
 * E16: configuration changes apply without restarting and without failing in-flight
 * requests — certificate rotation under continuous load, listeners added and removed while
 * traffic flows, policy, timeout and server-group changes for new connections and requests,
 * and failures (a port taken by another process, TLS material that does not load) reported
 * per listener while the old configuration keeps serving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotCertificate, SnapshotTlsPolicy } from '../../../schema/snapshot.ts';
import { toOpenSslSettings } from '../../../schema/tls-policies.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { startBackend } from '../support/backends.ts';
import { httpGet, httpsGet, tlsHandshake } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { LoadLoop } from '../support/load.ts';
import { buildSnapshot, httpListener, httpsListener, serverCertificate, serverGroup, SYSTEM_POLICIES } from '../support/snapshots.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function harness(): EngineHarness {
  const h = new EngineHarness();
  cleanups.push(() => h.close());
  return h;
}

/** servedCommonName opens a fresh TLS connection and reports the certificate's CN. */
async function servedCommonName(port: number, servername: string): Promise<string> {
  const hs = await tlsHandshake(port, { servername, settleMs: 0 });
  if (!hs.ok) throw new Error(hs.error);
  return hs.commonName;
}

describe('E16 hot reconfiguration', () => {
  it('rotates a certificate under continuous load with zero failed requests', async () => {
    const ca = await createCa();
    const versions = await Promise.all([1, 2, 3].map((n) => issueCertificate({ commonName: `rotation-${n}`, dnsNames: ['rotate.test'] }, ca)));
    const h = harness();
    const backend = await h.backend('a');
    const snapshotWith = (n: number) =>
      buildSnapshot({
        version: n,
        listeners: [httpsListener('lsn-rot', 'sgp-1', 'cert-rot')],
        certificates: [serverCertificate('cert-rot', versions[n - 1]!, ['rotate.test'])],
        serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
      });
    const port = portOf(await h.apply(snapshotWith(1)), 'lsn-rot');
    const seen = new Set<string>();
    const keepAlive = new HttpsAgent({ keepAlive: true, maxSockets: 2 });
    cleanups.push(() => keepAlive.destroy());
    const load = new LoadLoop(async (worker) => {
      // Half the workers open a new connection per request, half reuse keep-alive connections.
      const agent = worker % 2 === 0 ? false : keepAlive;
      const reply = await httpsGet(port, { servername: 'rotate.test', rejectUnauthorized: false, agent: agent || undefined }, '/');
      if (reply.status !== 200) throw new Error(`status ${reply.status}`);
    }, 4).start();
    cleanups.push(() => void load.stop());
    await load.waitFor(20);
    for (const n of [2, 3]) {
      const result = await h.apply(snapshotWith(n));
      expect(result.listeners[0]).toMatchObject({ status: 'Running', port });
      // The very next handshake after apply() serves the new certificate.
      expect(await servedCommonName(port, 'rotate.test')).toBe(`rotation-${n}`);
      seen.add(`rotation-${n}`);
      await load.waitFor(20);
    }
    const outcome = await load.stop();
    expect(outcome.errors).toEqual([]);
    expect(outcome.failed).toBe(0);
    expect(outcome.ok).toBeGreaterThanOrEqual(60);
    expect([...seen]).toEqual(['rotation-2', 'rotation-3']);
  });

  it('adds and removes listeners while traffic flows; the removed one drains its in-flight request', async () => {
    const h = harness();
    const a = await h.backend('a');
    let releaseSlow: (() => void) | undefined;
    const slow = await startBackend('slow', (_req, res) => {
      releaseSlow = () => res.end('finished after removal');
      return true;
    });
    cleanups.push(() => slow.close());
    const groups = [serverGroup('sgp-a', [{ port: a.port }]), serverGroup('sgp-slow', [{ port: slow.port }])];
    const first = await h.apply(buildSnapshot({ version: 1, listeners: [httpListener('lsn-a', 'sgp-a')], serverGroups: groups }));
    const portA = portOf(first, 'lsn-a');
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 2 });
    cleanups.push(() => agent.destroy());
    const load = new LoadLoop(async (worker) => {
      const reply = await httpGet(portA, '/', worker === 0 ? { agent } : {});
      if (reply.status !== 200) throw new Error(`status ${reply.status}`);
    }, 3).start();
    cleanups.push(() => void load.stop());
    await load.waitFor(10);

    const added = await h.apply(buildSnapshot({ version: 2, listeners: [httpListener('lsn-a', 'sgp-a'), httpListener('lsn-b', 'sgp-slow')], serverGroups: groups }));
    expect(portOf(added, 'lsn-a')).toBe(portA);
    const portB = portOf(added, 'lsn-b');
    const inFlight = httpGet(portB, '/slow');
    while (!releaseSlow) await new Promise((r) => setTimeout(r, 10));
    await load.waitFor(10);

    const removed = await h.apply(buildSnapshot({ version: 3, listeners: [httpListener('lsn-a', 'sgp-a')], serverGroups: groups }));
    expect(removed.listeners.map((l) => l.id)).toEqual(['lsn-a']);
    expect(h.engine.status().listeners.map((l) => l.id)).toEqual(['lsn-a']);
    await expect(httpGet(portB, '/')).rejects.toThrow(/ECONNREFUSED/);
    releaseSlow();
    expect(await inFlight).toMatchObject({ status: 200, body: 'finished after removal' });
    await load.waitFor(10);
    const outcome = await load.stop();
    expect(outcome.errors).toEqual([]);
    expect(outcome.failed).toBe(0);
  });

  it('lets a new listener take over the port of one removed in the same snapshot (replacement)', async () => {
    const h = harness();
    const a = await h.backend('a');
    const b = await h.backend('b');
    const groups = [serverGroup('sgp-a', [{ port: a.port }]), serverGroup('sgp-b', [{ port: b.port }])];
    const port = portOf(await h.apply(buildSnapshot({ version: 1, listeners: [httpListener('lsn-old', 'sgp-a')], serverGroups: groups })), 'lsn-old');
    const next = await h.apply(buildSnapshot({ version: 2, listeners: [httpListener('lsn-new', 'sgp-b', { port })], serverGroups: groups }));
    expect(portOf(next, 'lsn-new')).toBe(port);
    expect(JSON.parse((await httpGet(port)).body)).toMatchObject({ backend: 'b' });
  });

  it('rebinds a listener whose socket changes: protocol on the same port, then a new port', async () => {
    const cert = await issueCertificate({ commonName: 'rebind-cert', dnsNames: ['rebind.test'] }, await createCa());
    const h = harness();
    const a = await h.backend('a');
    const parts = { certificates: [serverCertificate('cert-r', cert, ['rebind.test'])], serverGroups: [serverGroup('sgp-a', [{ port: a.port }])] };
    const port = portOf(await h.apply(buildSnapshot({ version: 1, listeners: [httpListener('lsn-x', 'sgp-a')], ...parts })), 'lsn-x');
    expect((await httpGet(port)).status).toBe(200);

    const tls = await h.apply(buildSnapshot({ version: 2, listeners: [httpsListener('lsn-x', 'sgp-a', 'cert-r', {}, { port, version: 2 })], ...parts }));
    expect(tls.listeners[0]).toEqual({ id: 'lsn-x', kind: 'Listener', status: 'Running', version: 2, port });
    expect(await servedCommonName(port, 'rebind.test')).toBe('rebind-cert');

    const moved = await h.apply(buildSnapshot({ version: 3, listeners: [httpsListener('lsn-x', 'sgp-a', 'cert-r', {}, { port: 0, version: 3 })], ...parts }));
    const newPort = portOf(moved, 'lsn-x');
    expect(newPort).not.toBe(port);
    expect(await servedCommonName(newPort, 'rebind.test')).toBe('rebind-cert');
    expect((await tlsHandshake(port, { servername: 'rebind.test', settleMs: 0 })).ok).toBe(false);
  });

  it('reports a port taken by another process as that listener\'s failure, applies the others, and retries later', async () => {
    const holder: ChildProcess = spawn(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void holder.kill());
    const takenPort = await new Promise<number>((resolve, reject) => {
      holder.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      holder.once('error', reject);
    });
    const h = harness();
    const a = await h.backend('a');
    const snapshot = buildSnapshot({
      version: 1,
      listeners: [httpListener('lsn-taken', 'sgp-a', { port: takenPort }), httpListener('lsn-free', 'sgp-a')],
      serverGroups: [serverGroup('sgp-a', [{ port: a.port }])],
    });
    const result = await h.apply(snapshot);
    const taken = result.listeners.find((l) => l.id === 'lsn-taken')!;
    expect(taken.status).toBe('Failed');
    expect(taken.statusReason).toMatch(new RegExp(`port ${takenPort} is already in use`));
    expect((await httpGet(portOf(result, 'lsn-free'))).status).toBe(200);

    // Once the other process lets go, re-applying the same snapshot binds it (nothing else changes).
    const exited = new Promise((r) => holder.once('exit', r));
    holder.kill();
    await exited;
    const retried = await h.apply(snapshot);
    expect(retried.changed).toBe(false);
    expect(portOf(retried, 'lsn-taken')).toBe(takenPort);
    expect((await httpGet(takenPort)).status).toBe(200);
  });

  it('keeps the old configuration of a listener whose new TLS material does not load, and applies the others', async () => {
    const ca = await createCa();
    const [good, other] = await Promise.all([
      issueCertificate({ commonName: 'good-cert', dnsNames: ['keep.test'] }, ca),
      issueCertificate({ commonName: 'other-cert', dnsNames: ['keep.test'] }, ca),
    ]);
    const h = harness();
    const a = await h.backend('a');
    const b = await h.backend('b');
    const certWith = (pem: string, key: string): SnapshotCertificate => ({ id: 'cert-k', type: 'Server', certificatePem: pem, privateKeyPem: key, domains: ['keep.test'] });
    const groups = (port: number) => [serverGroup('sgp-1', [{ port }])];
    const first = await h.apply(
      buildSnapshot({
        version: 1,
        listeners: [httpsListener('lsn-tls', 'sgp-1', 'cert-k', {}, { version: 1 }), httpListener('lsn-http', 'sgp-1', { version: 1 })],
        certificates: [certWith(good.chainPem, good.keyPem)],
        serverGroups: groups(a.port),
      }),
    );
    const tlsPort = portOf(first, 'lsn-tls');
    const httpPort = portOf(first, 'lsn-http');

    // The certificate's key no longer matches, and the group moves to backend b.
    const broken = await h.apply(
      buildSnapshot({
        version: 2,
        listeners: [httpsListener('lsn-tls', 'sgp-1', 'cert-k', {}, { version: 2 }), httpListener('lsn-http', 'sgp-1', { version: 2 })],
        certificates: [certWith(good.chainPem, other.keyPem)],
        serverGroups: groups(b.port),
      }),
    );
    const tlsState = broken.listeners.find((l) => l.id === 'lsn-tls')!;
    expect(tlsState).toMatchObject({ status: 'Failed', version: 1, port: tlsPort });
    expect(tlsState.statusReason).toMatch(/certificate cert-k cannot be loaded/);
    expect(broken.listeners.find((l) => l.id === 'lsn-http')).toMatchObject({ status: 'Running', version: 2 });
    // The failed listener keeps serving its old certificate and its old server group.
    expect(await servedCommonName(tlsPort, 'keep.test')).toBe('good-cert');
    expect(JSON.parse((await httpsGet(tlsPort, { servername: 'keep.test', rejectUnauthorized: false })).body)).toMatchObject({ backend: 'a' });
    expect(JSON.parse((await httpGet(httpPort)).body)).toMatchObject({ backend: 'b' });

    // A policy this runtime cannot serve (3DES only) fails the same way, naming the policy.
    const desOnly: SnapshotTlsPolicy = { id: 'tlsp-desonly', tlsVersions: ['TLSv1.2'], ciphers: ['DES-CBC3-SHA'], openssl: toOpenSslSettings({ tlsVersions: ['TLSv1.2'], ciphers: ['DES-CBC3-SHA'] }) };
    const badPolicy = await h.apply(
      buildSnapshot({
        version: 3,
        listeners: [httpsListener('lsn-tls', 'sgp-1', 'cert-k', { tlsPolicyId: 'tlsp-desonly' }, { version: 3 }), httpListener('lsn-http', 'sgp-1', { version: 2 })],
        certificates: [certWith(good.chainPem, good.keyPem)],
        tlsPolicies: [...SYSTEM_POLICIES, desOnly],
        serverGroups: groups(b.port),
      }),
    );
    const policyState = badPolicy.listeners.find((l) => l.id === 'lsn-tls')!;
    expect(policyState).toMatchObject({ status: 'Failed', version: 1 });
    expect(policyState.statusReason).toMatch(/TLS policy tlsp-desonly cannot be applied/);

    const fixed = await h.apply(
      buildSnapshot({
        version: 4,
        listeners: [httpsListener('lsn-tls', 'sgp-1', 'cert-k', {}, { version: 4 }), httpListener('lsn-http', 'sgp-1', { version: 2 })],
        certificates: [certWith(other.chainPem, other.keyPem)],
        serverGroups: groups(b.port),
      }),
    );
    expect(fixed.listeners.find((l) => l.id === 'lsn-tls')).toMatchObject({ status: 'Running', version: 4, port: tlsPort });
    expect(await servedCommonName(tlsPort, 'keep.test')).toBe('other-cert');
  });

  it('applies a TLS policy change to new connections while an open connection carries on', async () => {
    const cert = await issueCertificate({ commonName: 'policy-swap', dnsNames: ['swap.test'], keyType: 'rsa' }, await createCa('CA', 'rsa'));
    const h = harness();
    const a = await h.backend('a');
    const snapshotWith = (version: number, policy: string) =>
      buildSnapshot({
        version,
        listeners: [httpsListener('lsn-p', 'sgp-1', 'cert-p', { tlsPolicyId: policy }, { version })],
        certificates: [serverCertificate('cert-p', cert, ['swap.test'])],
        serverGroups: [serverGroup('sgp-1', [{ port: a.port }])],
      });
    const port = portOf(await h.apply(snapshotWith(1, 'tls_cipher_policy_1_1')), 'lsn-p');
    const legacy = { servername: 'swap.test', rejectUnauthorized: false, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ...legacy });
    cleanups.push(() => agent.destroy());
    const before = await httpsGet(port, { ...legacy, agent });
    expect(before.socket.protocol).toBe('TLSv1.1');
    const localPorts = new Set<number>();
    const sockets = (agent as unknown as { sockets: Record<string, TLSSocket[]>; freeSockets: Record<string, TLSSocket[]> });
    for (const list of Object.values(sockets.freeSockets)) for (const s of list) localPorts.add(s.localPort!);
    expect(localPorts.size).toBe(1);

    await h.apply(snapshotWith(2, 'tls_cipher_policy_1_2_strict_with_1_3'));
    // The open TLS 1.1 connection still carries requests…
    const after = await httpsGet(port, { ...legacy, agent });
    expect(after.status).toBe(200);
    expect(after.socket.protocol).toBe('TLSv1.1');
    for (const list of Object.values(sockets.freeSockets)) for (const s of list) expect(localPorts.has(s.localPort!)).toBe(true);
    // …while a new TLS 1.1 connection is refused.
    expect((await tlsHandshake(port, { ...legacy, settleMs: 0 })).ok).toBe(false);
    expect(await tlsHandshake(port, { servername: 'swap.test', settleMs: 0 })).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('applies server-group and timeout changes to the next request, on the same keep-alive connection', async () => {
    const h = harness();
    const a = await h.backend('a');
    const b = await h.backend('b');
    const hang = await startBackend('hang', () => true);
    cleanups.push(() => hang.close());
    const snapshotWith = (version: number, backendPort: number, timeouts: { idleTimeout: number; requestTimeout: number }) =>
      buildSnapshot({ version, listeners: [httpListener('lsn-1', 'sgp-1', { version, ...timeouts })], serverGroups: [serverGroup('sgp-1', [{ port: backendPort }], { version })] });
    const port = portOf(await h.apply(snapshotWith(1, a.port, { idleTimeout: 15, requestTimeout: 60 })), 'lsn-1');
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const first = await httpGet(port, '/', { agent });
    expect(JSON.parse(first.body)).toMatchObject({ backend: 'a' });
    expect(first.headers['keep-alive']).toBe('timeout=15');

    await h.apply(snapshotWith(2, b.port, { idleTimeout: 7, requestTimeout: 60 }));
    const second = await httpGet(port, '/', { agent });
    expect(JSON.parse(second.body)).toMatchObject({ backend: 'b' });
    expect(second.headers['keep-alive']).toBe('timeout=7');

    await h.apply(snapshotWith(3, hang.port, { idleTimeout: 7, requestTimeout: 1 }));
    const started = Date.now();
    expect((await httpGet(port, '/', { agent })).status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
