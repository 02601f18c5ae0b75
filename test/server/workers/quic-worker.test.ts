/**
 * QUIC listeners on a node whose engine runs in two worker processes (SPEC 2.2): the QUIC
 * transport cannot share a UDP port between processes, so worker 1 serves them; the QUIC
 * listener is Running, HTTP/3 is served, and the HTTPS listener that upgrades to it sends Alt-Svc
 * from every worker. A killed worker 1 is replaced and its successor serves HTTP/3 again.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/eventually.ts';
import { freePort } from '../../helpers/free-port.ts';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { h3Connect, h3Request } from '../../engine/quic/quic-support.ts';
import { NamedBackend } from './support/node-probes.ts';
import { WorkerNode } from './support/worker-node.ts';

let node: WorkerNode;
let a: NamedBackend;
let quicId: string;
let quicPort: number;
let httpsPort: number;

/** altSvcOnFreshConnection asks the HTTPS listener over a connection of its own and returns its Alt-Svc. */
function altSvcOnFreshConnection(): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path: '/', servername: 'localhost', rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['alt-svc']));
    });
    req.on('error', reject);
    req.end();
  });
}

async function h3Status(): Promise<number> {
  const session = await h3Connect(quicPort);
  try {
    return (await h3Request(session, quicPort, '/via-h3')).status;
  } finally {
    await session.close();
  }
}

beforeAll(async () => {
  node = await WorkerNode.start();
  a = await new NamedBackend('a').start();
  const lb = await node.create('load-balancers', { name: 'quic-workers' });
  const group = await node.create('server-groups', { name: 'quic-group', servers: [{ address: '127.0.0.1', port: a.port, weight: 1 }], healthCheck: { enabled: false } });
  const leaf = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa());
  const cert = await node.create('certificates', { name: 'quic', certificatePem: leaf.chainPem, privateKeyPem: leaf.keyPem });
  quicPort = await freePort();
  quicId = (await node.create('quic-listeners', { loadBalancerId: lb.id, port: quicPort, defaultServerGroupId: group.id, certificates: { defaultCertificateId: cert.id } })).id;
  httpsPort = await freePort();
  await node.create('listeners', { loadBalancerId: lb.id, protocol: 'HTTPS', port: httpsPort, defaultServerGroupId: group.id, certificates: { defaultCertificateId: cert.id }, quic: { upgradeEnabled: true, quicListenerId: quicId } });
}, 60_000);

afterAll(async () => {
  await node?.close();
  await a?.close();
});

describe('QUIC listeners with two engine workers', () => {
  it('are Running, served by one worker, and advertised by every worker', async () => {
    const read = await node.api('GET', `/v1/quic-listeners/${quicId}`);
    expect(read.body).toMatchObject({ status: 'Running' });
    expect(await h3Status()).toBe(200);
    const seen = await Promise.all(Array.from({ length: 16 }, () => altSvcOnFreshConnection()));
    expect(new Set(seen)).toEqual(new Set([`h3=":${quicPort}"; ma=86400`]));
  });

  it('a killed QUIC worker is replaced and HTTP/3 is served again', async () => {
    const before = (await node.workers()).find((w) => w.worker === 1)!;
    process.kill(before.pid!, 'SIGKILL');
    await eventually(async () => {
      const now = (await node.workers()).find((w) => w.worker === 1)!;
      expect(now.pid).not.toBe(before.pid);
      expect(now.state).toBe('running');
    }, 15_000, 100);
    await eventually(async () => expect(await h3Status()).toBe(200), 10_000, 200);
    await eventually(async () => expect(await altSvcOnFreshConnection()).toBe(`h3=":${quicPort}"; ma=86400`), 5000, 100);
  }, 40_000);
});
