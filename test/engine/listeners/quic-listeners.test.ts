/**
 * SPEC 1.3: a QUIC listener is Running only when the engine really serves HTTP/3; Node 24 has
 * no QUIC stack, so it reports Unavailable with a reason, and an HTTPS listener with
 * quic.upgradeEnabled must not advertise Alt-Svc for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepFreeze, type EngineSnapshot, type SnapshotQuicListener } from '../../../schema/snapshot.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { h2Get, httpsGet } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { LB_ID, buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

let harness: EngineHarness;
let snapshot: EngineSnapshot;
let port: number;

const QUIC: SnapshotQuicListener = {
  id: 'lsn-quic',
  version: 1,
  loadBalancerId: LB_ID,
  port: 0,
  defaultServerGroupId: 'sgp-1',
  idleTimeout: 15,
  requestTimeout: 60,
  defaultCertificateId: 'cert-a',
  additionalCertificateIds: [],
};

beforeAll(async () => {
  const cert = await issueCertificate({ commonName: 'quic.test', dnsNames: ['quic.test'] }, await createCa());
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  const https = httpsListener('lsn-https', 'sgp-1', 'cert-a');
  const base = buildSnapshot({
    listeners: [{ ...https, tls: { ...https.tls!, quic: { upgradeEnabled: true, quicListenerId: QUIC.id } } }],
    certificates: [serverCertificate('cert-a', cert, ['quic.test'])],
    serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
  });
  snapshot = deepFreeze({ ...base, quicListeners: [QUIC] });
  const result = await harness.apply(snapshot);
  port = portOf(result, 'lsn-https');
});

afterAll(() => harness.close());

describe('QUIC listeners on a runtime without QUIC', () => {
  it('are reported Unavailable with a reason naming the missing QUIC stack', () => {
    const state = harness.engine.status().listeners.find((l) => l.id === QUIC.id);
    expect(state).toMatchObject({ kind: 'QuicListener', status: 'Unavailable' });
    expect(state!.statusReason).toMatch(/QUIC/);
  });

  it('the HTTPS listener that upgrades to it still serves, over HTTP/1.1 and HTTP/2, without Alt-Svc', async () => {
    const h1 = await httpsGet(port, { servername: 'quic.test', rejectUnauthorized: false });
    expect(h1.status).toBe(200);
    expect(h1.headers['alt-svc']).toBeUndefined();
    const h2 = await h2Get(port, { servername: 'quic.test', rejectUnauthorized: false });
    expect(h2.status).toBe(200);
    expect(h2.headers['alt-svc']).toBeUndefined();
  });
});
