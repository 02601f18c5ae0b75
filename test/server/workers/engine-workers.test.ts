/**
 * A node whose engine runs in two worker processes, as `gatehouse serve` runs by default on a
 * machine with two CPUs: every worker accepts on every listener; what must agree between workers
 * does (health seen once per node, Wrr's split, sticky cookies, session tickets, a rotated
 * certificate); /metrics and the access log are the node's; a worker killed under load is
 * replaced while the other serves (how fast: bench/worker-restart.ts), and one that keeps dying is restarted with a
 * growing pause; a port another process holds is still reported.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep, waitUntil } from '../../helpers/eventually.ts';
import { issueCertificate } from '../../helpers/pki.ts';
import { alive, childPids, countBy, fresh, handshake, listeningPids, manyFresh, NamedBackend } from './support/node-probes.ts';
import { WorkerNode } from './support/worker-node.ts';

let node: WorkerNode;
let a: NamedBackend;
let b: NamedBackend;
let lbId: string;

beforeAll(async () => {
  node = await WorkerNode.start();
  a = await new NamedBackend('a').start();
  b = await new NamedBackend('b').start();
  lbId = (await node.create('load-balancers', { name: 'workers' })).id;
});
afterAll(async () => {
  await node?.close();
  await a?.close();
  await b?.close();
});

function servers(weights: [number, number] = [1, 1]) {
  return [
    { address: '127.0.0.1', port: a.port, weight: weights[0] },
    { address: '127.0.0.1', port: b.port, weight: weights[1] },
  ];
}

const noChecks = { enabled: false };

/** withBackendCookies runs `body` while both backends set their own `sess` cookie (Server-mode stickiness). */
async function withBackendCookies(body: () => Promise<void>): Promise<void> {
  a.setsCookie = true;
  b.setsCookie = true;
  try {
    await body();
  } finally {
    a.setsCookie = false;
    b.setsCookie = false;
  }
}

async function runningPids(): Promise<number[]> {
  const workers = await node.workers();
  return workers.filter((w) => w.state === 'running').map((w) => w.pid!);
}

describe('two workers serve every listener', () => {
  it('both workers hold the listening socket, and the status route shows them with the applied revision', async () => {
    const sg = await node.create('server-groups', { name: 'both', servers: servers(), healthCheck: noChecks });
    const { port } = await node.listener(lbId, sg.id);
    const workers = await node.workers();
    expect(workers.map((w) => w.state)).toEqual(['running', 'running']);
    const pids = workers.map((w) => w.pid!);
    expect(listeningPids(port, [...pids, process.pid]).sort()).toEqual([...pids].sort());
    const status = (await node.api('GET', '/v1/healthz')).body.engine;
    expect(status.mode).toBe('workers');
    expect(workers.every((w) => w.appliedVersion === status.appliedVersion)).toBe(true);
    expect((await fresh(port)).status).toBe(200);
    // One more process waits, started and idle, to replace a worker that dies: it holds no listener.
    await eventually(() => expect(childPids().filter((pid) => !pids.includes(pid))).toHaveLength(1));
    const spare = childPids().find((pid) => !pids.includes(pid))!;
    expect(listeningPids(port, [spare])).toEqual([]);
    // Without the token the liveness probe says only that the API lives.
    const anonymous = await fetch(`${node.server.url}/v1/healthz`);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
  });

  it('a listener whose port another process holds is Failed on every worker, with the reason', async () => {
    const squatter = createServer();
    await new Promise<void>((ok) => squatter.listen(0, '127.0.0.1', ok));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const sg = await node.create('server-groups', { name: 'squatted', servers: servers(), healthCheck: noChecks });
      const l = await node.create('listeners', { loadBalancerId: lbId, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
      const read = await node.api('GET', `/v1/listeners/${l.id}`);
      expect(read.body.status).toBe('Failed');
      expect(read.body.statusReason).toMatch(/in use/i);
      // Every worker failed alike: the reason is the engine's own, with no worker named.
      expect(read.body.statusReason).not.toMatch(/worker/);
      await node.api('DELETE', `/v1/listeners/${l.id}`);
    } finally {
      await new Promise<void>((ok) => squatter.close(() => ok()));
    }
  });
});

describe('what the workers must agree on', () => {
  it("Wrr's split over both workers follows the weights: 3:1 within ±5 % over 2,000 requests", async () => {
    const sg = await node.create('server-groups', { name: 'wrr', scheduler: 'Wrr', servers: servers([3, 1]), healthCheck: noChecks });
    const { port } = await node.listener(lbId, sg.id);
    const counts = countBy(await manyFresh(port, 2000, 8));
    expect((counts.get('a') ?? 0) + (counts.get('b') ?? 0)).toBe(2000);
    expect(Math.abs((counts.get('a') ?? 0) - 1500)).toBeLessThanOrEqual(75);
  });

  it('Sch sends one client address to one server whichever worker accepts', async () => {
    const sg = await node.create('server-groups', { name: 'sch', scheduler: 'Sch', servers: servers(), healthCheck: noChecks });
    const { port } = await node.listener(lbId, sg.id);
    const counts = countBy(await manyFresh(port, 200, 8));
    expect([...counts.values()]).toEqual([200]);
  });

  it('an Insert cookie issued through one worker is honoured by every worker', async () => {
    const sg = await node.create('server-groups', {
      name: 'insert',
      servers: servers(),
      healthCheck: noChecks,
      stickySession: { enabled: true, type: 'Insert', cookieTimeout: 600 },
    });
    const { port } = await node.listener(lbId, sg.id);
    const first = await fresh(port);
    const cookie = first.setCookie!.split(';')[0]!;
    const answers = await manyFresh(port, 100, 8, { cookie });
    expect(countBy(answers)).toEqual(new Map([[first.text, 100]]));
    // The control: without the cookie, requests go to both servers.
    expect(countBy(await manyFresh(port, 20, 4)).size).toBe(2);
  });

  it("a backend's own cookie (Server mode) learned through one worker is honoured by every worker", async () => {
    await withBackendCookies(async () => {
      const sg = await node.create('server-groups', {
        name: 'server-cookie',
        servers: servers(),
        healthCheck: noChecks,
        stickySession: { enabled: true, type: 'Server', cookie: 'sess', cookieTimeout: 600 },
      });
      const { port } = await node.listener(lbId, sg.id);
      for (let session = 0; session < 4; session++) {
        const first = await fresh(port);
        const cookie = first.setCookie!.split(';')[0]!;
        expect(cookie).toMatch(new RegExp(`^sess=${first.text}-`));
        // The worker that saw the cookie tells the node; the other hears of it within milliseconds.
        await sleep(50);
        expect(countBy(await manyFresh(port, 40, 8, { cookie }))).toEqual(new Map([[first.text, 40]]));
      }
    });
  });

  it('health checks run once per node, and every worker follows their verdict', async () => {
    const probed = await new NamedBackend('probed').start();
    try {
      const sg = await node.create('server-groups', {
        name: 'checked',
        servers: [
          { address: '127.0.0.1', port: probed.port },
          { address: '127.0.0.1', port: b.port },
        ],
        healthCheck: { path: '/health', method: 'GET', interval: 1, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2 },
      });
      const { port } = await node.listener(lbId, sg.id);
      // One probe per configured second (100 ms here), from one place: 10 in a second, not 20.
      const before = probed.probes;
      await sleep(1000);
      const perSecond = probed.probes - before;
      expect(perSecond).toBeGreaterThanOrEqual(6);
      expect(perSecond).toBeLessThanOrEqual(13);
      const health = await node.api('GET', `/v1/server-groups/${sg.id}/health`);
      expect(health.body.servers.map((s: { state: string }) => s.state)).toEqual(['Healthy', 'Healthy']);

      probed.failHealth = true;
      await eventually(async () => {
        const h = await node.api('GET', `/v1/server-groups/${sg.id}/health`);
        expect(h.body.servers[0].state).toBe('Unhealthy');
      });
      expect(countBy(await manyFresh(port, 60, 8))).toEqual(new Map([['b', 60]]));
      probed.failHealth = false;
      await eventually(async () => expect(countBy(await manyFresh(port, 40, 8)).get('probed')).toBeGreaterThan(0));
    } finally {
      await probed.close();
    }
  });

  it('a session ticket issued by one worker resumes on the other', async () => {
    const ca = await issueCertificate({ commonName: 'Workers CA', ca: true });
    const leaf = await issueCertificate({ commonName: 'workers.example', dnsNames: ['workers.example'] }, ca);
    const cert = await node.create('certificates', { name: 'tickets', certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
    const sg = await node.create('server-groups', { name: 'tls', servers: servers(), healthCheck: noChecks });
    const { port } = await node.listener(lbId, sg.id, { protocol: 'HTTPS', certificates: { defaultCertificateId: cert.id } });
    const first = await handshake(port, ca.certPem);
    expect(first.reused).toBe(false);
    // Twenty connections from new source ports: the kernel spreads them over both workers.
    const resumed = [];
    for (let i = 0; i < 20; i++) resumed.push((await handshake(port, ca.certPem, first.session)).reused);
    expect(resumed.filter(Boolean)).toHaveLength(20);
  });

  it("the node's ticket secret rotates for every worker: an older ticket resumes nowhere, a newer one everywhere", async () => {
    // The secret changes every 5 s: once a ticket stops resuming, a new one is taken at the start of a period.
    const rotating = await WorkerNode.start({ ticketKeyRotationMs: 5000 });
    try {
      const ca = await issueCertificate({ commonName: 'Rotating CA', ca: true });
      const leaf = await issueCertificate({ commonName: 'workers.example', dnsNames: ['workers.example'] }, ca);
      const lb = await rotating.create('load-balancers', { name: 'tickets' });
      const cert = await rotating.create('certificates', { name: 'tickets', certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
      const sg = await rotating.create('server-groups', { name: 'tickets', servers: servers(), healthCheck: noChecks });
      const { port } = await rotating.listener(lb.id, sg.id, { protocol: 'HTTPS', certificates: { defaultCertificateId: cert.id } });
      const before = await handshake(port, ca.certPem);
      expect((await handshake(port, ca.certPem, before.session)).reused).toBe(true);
      await waitUntil(async () => !(await handshake(port, ca.certPem, before.session)).reused, { timeoutMs: 12_000, intervalMs: 100 });
      const resumed = [];
      for (let i = 0; i < 10; i++) resumed.push((await handshake(port, ca.certPem, before.session)).reused);
      expect(resumed.filter(Boolean)).toHaveLength(0);
      const after = await handshake(port, ca.certPem);
      const again = [];
      for (let i = 0; i < 10; i++) again.push((await handshake(port, ca.certPem, after.session)).reused);
      expect(again.filter(Boolean)).toHaveLength(10);
    } finally {
      await rotating.close();
    }
  });

  it('a rotated certificate is served by every worker once the listener runs its new version', async () => {
    const ca = await issueCertificate({ commonName: 'Rotation CA', ca: true });
    const before = await issueCertificate({ commonName: 'workers.example', dnsNames: ['workers.example'] }, ca);
    const after = await issueCertificate({ commonName: 'workers.example', dnsNames: ['workers.example'] }, ca);
    const cert = await node.create('certificates', { name: 'rotated', certificatePem: before.certPem, privateKeyPem: before.keyPem });
    const sg = await node.create('server-groups', { name: 'rotation', servers: servers(), healthCheck: noChecks });
    const { id, port } = await node.listener(lbId, sg.id, { protocol: 'HTTPS', certificates: { defaultCertificateId: cert.id } });
    const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint;
    expect((await handshake(port, ca.certPem)).fingerprint).toBe(fingerprint(before.certPem));
    const put = await node.api('PUT', `/v1/certificates/${cert.id}`, { name: 'rotated', certificatePem: after.certPem, privateKeyPem: after.keyPem });
    expect(put.status).toBe(200);
    await eventually(async () => expect((await node.api('GET', `/v1/listeners/${id}`)).body.status).toBe('Running'));
    for (let i = 0; i < 20; i++) expect((await handshake(port, ca.certPem)).fingerprint).toBe(fingerprint(after.certPem));
  });
});

describe("the node's metrics and access log", () => {
  it('/metrics sums both workers: one series per listener, counting every request once', async () => {
    const sg = await node.create('server-groups', { name: 'metrics', servers: servers(), healthCheck: { interval: 1, timeout: 1 } });
    const { id, port } = await node.listener(lbId, sg.id);
    const answers = await manyFresh(port, 300, 8);
    expect(answers.every((x) => x.status === 200)).toBe(true);
    const text: string = (await node.api('GET', '/metrics')).body;
    const lines = text.split('\n').filter((l) => l.includes(`listener="${id}"`));
    expect(new Set(lines).size).toBe(lines.length);
    const requests = lines.filter((l) => l.startsWith('gatehouse_requests_total'));
    expect(requests).toEqual([`gatehouse_requests_total{listener="${id}",status_class="2xx"} 300`]);
    expect(lines).toContain(`gatehouse_request_duration_seconds_count{listener="${id}"} 300`);
    const health = text.split('\n').filter((l) => l.startsWith('gatehouse_backend_health') && l.includes(`server_group="${sg.id}"`));
    expect(health.map((l) => l.split(' ').at(-1))).toEqual(['1', '1']);
  });

  it('every access-log line from both workers arrives whole, one per request', async () => {
    const sg = await node.create('server-groups', { name: 'logged', servers: servers(), healthCheck: noChecks });
    const { id, port } = await node.listener(lbId, sg.id);
    await manyFresh(port, 400, 8);
    await eventually(() => expect(node.accessLines.filter((l) => l.includes(id))).toHaveLength(400));
    for (const line of node.accessLines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });
});

describe('faults', () => {
  it('a worker killed under load is started again with the current configuration; only its connections fail and the listener stays Running', async () => {
    const sg = await node.create('server-groups', { name: 'killed', servers: servers(), healthCheck: noChecks });
    const { id, port } = await node.listener(lbId, sg.id);
    const [victim] = await runningPids();
    const clients = 8;
    let ok = 0;
    /** When each request that failed was started. */
    const failedStarts: number[] = [];
    let stop = false;
    const statuses = new Set<string>();
    const load = Promise.all(
      Array.from({ length: clients }, async () => {
        while (!stop) {
          const started = performance.now();
          try {
            if ((await fresh(port)).status === 200) ok++;
            else failedStarts.push(started);
          } catch {
            failedStarts.push(started);
          }
        }
      }),
    );
    const watch = (async () => {
      while (!stop) {
        statuses.add((await node.api('GET', `/v1/listeners/${id}`)).body.status);
        await sleep(50);
      }
    })();
    await sleep(500);
    const killedAt = performance.now();
    process.kill(victim!, 'SIGKILL');
    let back = 0;
    await eventually(
      async () => {
        const w = (await node.workers())[0]!;
        expect(w.state).toBe('running');
        expect(w.pid).not.toBe(victim);
        back = performance.now() - killedAt;
      },
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    const okAtRestart = ok;
    await sleep(500);
    stop = true;
    await Promise.all([load, watch]);
    // How fast is a benchmark's to say (bench/worker-restart.ts); here only that it comes back, bounded.
    expect(back).toBeLessThan(10_000);
    // Only requests the dead worker held, or that reached its socket as it died, fail: none started later.
    expect(failedStarts.filter((t) => t > killedAt + 250)).toEqual([]);
    expect(failedStarts.length).toBeLessThanOrEqual(2 * clients);
    expect(ok).toBeGreaterThan(okAtRestart);
    expect([...statuses]).toEqual(['Running']);
    const workers = await node.workers();
    expect(workers[0]!.restarts).toBe(1);
    expect(workers[0]!.lastExit).toMatch(/SIGKILL/);
    expect(listeningPids(port, workers.map((w) => w.pid!)).sort()).toEqual(workers.map((w) => w.pid!).sort());
    expect(node.messages.some((m) => /engine worker 1 .*SIGKILL.*starting it again now/.test(m))).toBe(true);
    const metrics: string = (await node.api('GET', '/metrics')).body;
    expect(metrics).toContain('gatehouse_engine_worker_restarts_total{worker="1"} 1\n');
    expect(metrics).toContain('gatehouse_engine_workers{state="running"} 2\n');
  });

  it("Server-mode sticky values outlive the workers that learned them: workers started again are told them", async () => {
    await withBackendCookies(async () => {
      const sg = await node.create('server-groups', {
        name: 'sticky-restart',
        servers: servers(),
        healthCheck: noChecks,
        stickySession: { enabled: true, type: 'Server', cookie: 'sess', cookieTimeout: 600 },
      });
      const { port } = await node.listener(lbId, sg.id);
      const sessions = [];
      for (let i = 0; i < 4; i++) {
        const first = await fresh(port);
        sessions.push({ cookie: first.setCookie!.split(';')[0]!, server: first.text });
      }
      await sleep(50);
      // Both workers replaced, one after the other: only the node remembers the values now.
      for (const slot of [0, 1]) {
        const before = (await node.workers())[slot]!;
        process.kill(before.pid!, 'SIGKILL');
        await eventually(
          async () => {
            const w = (await node.workers())[slot]!;
            expect(w.state).toBe('running');
            expect(w.pid).not.toBe(before.pid);
          },
          { timeoutMs: 5000, intervalMs: 20 },
        );
      }
      for (const { cookie, server } of sessions) expect(countBy(await manyFresh(port, 20, 4, { cookie }))).toEqual(new Map([[server, 20]]));
    });
  });

  it('a worker that keeps dying is restarted with a growing pause and reported, and the node keeps serving', async () => {
    const sg = await node.create('server-groups', { name: 'looping', servers: servers(), healthCheck: noChecks });
    const { port } = await node.listener(lbId, sg.id);
    for (let i = 0; i < 3; i++) {
      const w = await eventually(
        async () => {
          const slot = (await node.workers())[1]!;
          expect(slot.state).toBe('running');
          return slot;
        },
        { timeoutMs: 5000, intervalMs: 10 },
      );
      process.kill(w.pid!, 'SIGKILL');
      // Once the dying worker's socket is gone (a connection racing its death is its own), the other serves.
      await sleep(100);
      expect((await fresh(port)).status).toBe(200);
    }
    const looping = await eventually(async () => {
      const slot = (await node.workers())[1]!;
      expect(slot.crashLooping).toBe(true);
      return slot;
    });
    expect(node.messages.some((m) => /engine worker 2 .*starting it again in \d+ ms — it keeps dying/.test(m))).toBe(true);
    expect((await node.api('GET', '/metrics')).body).toContain('gatehouse_engine_worker_crash_looping{worker="2"} 1\n');
    expect(looping.state).not.toBe('stopped');
    await eventually(async () => expect((await node.workers())[1]!.state).toBe('running'), { timeoutMs: 5000 });
    expect((await fresh(port)).status).toBe(200);
  });
});

describe('a stuck worker', () => {
  it('a worker whose event loop no longer turns (stopped) is killed and replaced, and the node serves on', async () => {
    const stuck = await WorkerNode.start({ workerAnswerTimeoutMs: 1500 });
    try {
      const lb = await stuck.create('load-balancers', { name: 'stuck' });
      const sg = await stuck.create('server-groups', { name: 'stuck', servers: servers(), healthCheck: noChecks });
      const { port } = await stuck.listener(lb.id, sg.id);
      const [first] = await stuck.workers();
      process.kill(first!.pid!, 'SIGSTOP');
      await eventually(
        async () => {
          const w = (await stuck.workers())[0]!;
          expect(w.state).toBe('running');
          expect(w.pid).not.toBe(first!.pid);
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      expect((await stuck.workers())[0]!.lastExit).toMatch(/^did not answer within 1.5 s, killed by SIGKILL/);
      expect(stuck.messages.some((m) => /^engine worker 1 \(pid \d+\) did not answer within 1.5 s: killing it$/.test(m))).toBe(true);
      expect((await manyFresh(port, 40, 4)).every((x) => x.status === 200)).toBe(true);
    } finally {
      await stuck.close();
    }
  });

  it('a worker that does not apply a configuration within the apply timeout is killed and replaced, and the new listener serves', async () => {
    // The ping watchdog is set far out, so only the apply timeout can act.
    const slow = await WorkerNode.start({ workerAnswerTimeoutMs: 60_000, workerApplyTimeoutMs: 1500 });
    try {
      const lb = await slow.create('load-balancers', { name: 'slow-apply' });
      const sg = await slow.create('server-groups', { name: 'slow-apply', servers: servers(), healthCheck: noChecks });
      await slow.listener(lb.id, sg.id);
      const [first] = await slow.workers();
      process.kill(first!.pid!, 'SIGSTOP');
      const { port } = await slow.listener(lb.id, sg.id);
      await eventually(
        async () => {
          const w = (await slow.workers())[0]!;
          expect(w.state).toBe('running');
          expect(w.pid).not.toBe(first!.pid);
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      expect((await slow.workers())[0]!.lastExit).toMatch(/^did not apply a configuration within 1.5 s, killed by SIGKILL/);
      expect(slow.messages.some((m) => /^engine worker 1 \(pid \d+\) did not apply a configuration within 1.5 s: killing it$/.test(m))).toBe(true);
      expect((await manyFresh(port, 40, 4)).every((x) => x.status === 200)).toBe(true);
    } finally {
      await slow.close();
    }
  });
});

describe('stopping', () => {
  it('a stopping node drains every worker: requests in flight on both finish, then the workers are gone', async () => {
    const slow = await new NamedBackend('slow').start();
    const stopping = await WorkerNode.start();
    try {
      const lb = await stopping.create('load-balancers', { name: 'drain' });
      const sg = await stopping.create('server-groups', { name: 'slow', servers: [{ address: '127.0.0.1', port: slow.port }], healthCheck: noChecks });
      const { port } = await stopping.listener(lb.id, sg.id);
      const pids = (await stopping.workers()).map((w) => w.pid!);
      // Twelve slow requests over their own connections: both workers hold some while the node stops.
      slow.delayMs = 600;
      const inFlight = Array.from({ length: 12 }, () => fresh(port, {}, '/slow'));
      await sleep(100);
      const closing = stopping.close(5000);
      const answers = await Promise.all(inFlight);
      await closing;
      expect(answers.map((x) => x.status)).toEqual(Array(12).fill(200));
      expect(pids.filter(alive)).toEqual([]);
      await expect(fresh(port)).rejects.toThrow();
    } finally {
      await slow.close();
    }
  });
});
