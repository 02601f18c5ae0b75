/**
 * engine-apply: what Engine.apply costs with N HTTPS listeners (default 1,000) on one
 * certificate and policy, the way the server's compiler hands snapshots over (unchanged
 * listeners, certificates, policies and groups are the very same frozen objects):
 *   - the initial apply of all N (binding N sockets),
 *   - one changed listener (median of 20),
 *   - one changed listener in a snapshot rebuilt from scratch, so nothing is shared by
 *     identity and only content keys can tell what changed (median of 20),
 *   - a rotated certificate shared by all N (median of 10), checked by a handshake,
 *   - an identical snapshot (median of 20).
 * Usage: npx node bench/engine-apply.ts [--listeners N] [--port FIRST]
 * Results go to stdout and bench/out/engine-apply-<time>.json.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { connect } from 'node:tls';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index.ts';
import { deepFreeze, type EngineSnapshot, type SnapshotListener } from '../schema/snapshot.ts';
import { createCa, issueCertificate, type Issued } from '../test/helpers/pki.ts';
import { writeRunJson } from './bench-out.ts';
import { benchSnapshot } from './bench-snapshot.ts';

const { values } = parseArgs({
  options: {
    listeners: { type: 'string', default: '1000' },
    port: { type: 'string', default: '' },
  },
});
const N = Number(values.listeners);

/** canBind tells whether a port on 127.0.0.1 is free right now. */
function canBind(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((done) => {
    s.once('error', () => done(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => done(true)));
  });
}

/**
 * firstFreeRun finds N consecutive free ports below Linux's ephemeral range (so outgoing
 * connections do not take them between the probe and the bind), starting at `from`.
 */
async function firstFreeRun(n: number, from: number): Promise<number> {
  let start = from;
  for (let port = from; port < 32768; port++) {
    if (!(await canBind(port))) {
      start = port + 1;
      continue;
    }
    if (port - start + 1 === n) return start;
  }
  throw new Error(`no ${n} consecutive free ports between ${from} and 32767`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const fmt = (n: number) => `${n.toFixed(1)} ms`;

/** servedCommonName completes one handshake with the listener and returns the certificate's CN. */
function servedCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'bench.local', rejectUnauthorized: false }, () => {
      const cn = String(socket.getPeerCertificate().subject?.CN ?? '');
      socket.destroy();
      resolve(cn);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timeout')));
    socket.on('error', reject);
  });
}

/** withListener returns `base` with listener i replaced (a new version), everything else shared. */
function withListener(base: EngineSnapshot, version: number, i: number, change: (l: SnapshotListener) => SnapshotListener): EngineSnapshot {
  return deepFreeze({ ...base, version, listeners: base.listeners.map((l, k) => (k === i ? change(l) : l)) });
}

const ca = await createCa('Bench CA');
const rotations = 10;
const certs: Issued[] = [];
for (let i = 0; i <= rotations; i++) certs.push(await issueCertificate({ commonName: `bench-${i}`, dnsNames: ['bench.local'] }, ca));
const backend = createHttpServer((_req, res) => res.end('ok'));
await new Promise<void>((ok) => backend.listen(0, '127.0.0.1', ok));
const backendPort = (backend.address() as AddressInfo).port;
const firstPort = values.port ? Number(values.port) : await firstFreeRun(N, 21000);
const build = (version: number, cert: Issued) =>
  benchSnapshot({ port: firstPort, listeners: N, backendPort, certificatePem: cert.chainPem, privateKeyPem: cert.keyPem, version });

const engine = new Engine({ drainTimeoutMs: 1000 });
try {
  let version = 1;
  let current = build(version, certs[0]!);

  const t0 = performance.now();
  const initial = await engine.apply(current);
  const initialMs = performance.now() - t0;
  const running = initial.listeners.filter((l) => l.status === 'Running').length;
  if (running !== N) throw new Error(`only ${running} of ${N} listeners Running: ${JSON.stringify(initial.listeners.find((l) => l.status !== 'Running'))}`);

  const timed = async (snapshot: EngineSnapshot) => {
    const s = performance.now();
    const result = await engine.apply(snapshot);
    const ms = performance.now() - s;
    current = snapshot;
    return { ms, result };
  };

  // One listener changes (its idle timeout), the way a PUT of one listener compiles.
  const oneChange: number[] = [];
  for (let i = 0; i < 20; i++) {
    version++;
    const k = (i * 37) % N;
    const { ms } = await timed(withListener(current, version, k, (l) => ({ ...l, version: l.version + 1, idleTimeout: 16 + i })));
    oneChange.push(ms);
  }

  // The same change in a snapshot rebuilt from scratch: nothing shared by identity.
  const rebuilt: number[] = [];
  for (let i = 0; i < 20; i++) {
    version++;
    const fresh = build(version, certs[0]!);
    const { ms } = await timed(withListener(fresh, version, (i * 53) % N, (l) => ({ ...l, version: l.version + 1, idleTimeout: 40 + i })));
    rebuilt.push(ms);
  }

  // The certificate all N listeners share is rotated (same id, new content).
  const rotation: number[] = [];
  for (let r = 1; r <= rotations; r++) {
    version++;
    const cert = certs[r]!;
    const next = deepFreeze({
      ...current,
      version,
      certificates: current.certificates.map((c) => ({ ...c, certificatePem: cert.chainPem, privateKeyPem: cert.keyPem })),
    });
    const { ms } = await timed(next);
    rotation.push(ms);
    for (const port of [firstPort, firstPort + N - 1]) {
      const cn = await servedCommonName(port);
      if (cn !== `bench-${r}`) throw new Error(`port ${port} serves ${cn} after rotation ${r}`);
    }
  }

  // An identical snapshot, compiled anew: new top-level object and tables, the same pieces.
  const identical: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c = current;
    const again = deepFreeze({
      ...c,
      loadBalancers: [...c.loadBalancers],
      listeners: [...c.listeners],
      quicListeners: [...c.quicListeners],
      certificates: [...c.certificates],
      tlsPolicies: [...c.tlsPolicies],
      serverGroups: [...c.serverGroups],
    });
    const { ms, result } = await timed(again);
    if (result.changed) throw new Error('an identical snapshot was applied as a change');
    identical.push(ms);
  }

  const result = {
    listeners: N,
    protocol: 'HTTPS',
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    initialApplyMs: initialMs,
    oneChangedListenerMs: { median: median(oneChange), max: Math.max(...oneChange) },
    oneChangedListenerRebuiltMs: { median: median(rebuilt), max: Math.max(...rebuilt) },
    sharedCertificateRotationMs: { median: median(rotation), max: Math.max(...rotation) },
    identicalSnapshotMs: { median: median(identical), max: Math.max(...identical) },
  };
  const row = (name: string, m: { median: number; max: number }, runs: number) => `| ${name} | ${fmt(m.median)} | ${fmt(m.max)} | ${runs} |`;
  process.stdout.write(
    [
      `Engine.apply with ${N} HTTPS listeners, one certificate and policy (Node ${process.version}, ${result.cpu})`,
      '',
      '| apply | median | max | runs |',
      '|---|---|---|---|',
      `| initial: ${N} listeners → Running | ${fmt(initialMs)} | ${fmt(initialMs)} | 1 |`,
      row('one changed listener', result.oneChangedListenerMs, 20),
      row('one changed listener, snapshot rebuilt (no shared objects)', result.oneChangedListenerRebuiltMs, 20),
      row(`certificate shared by all ${N} rotated`, result.sharedCertificateRotationMs, rotations),
      row('identical snapshot', result.identicalSnapshotMs, 20),
      '',
    ].join('\n'),
  );
  writeRunJson('engine-apply', result);
} finally {
  await engine.close(0);
  await new Promise<void>((ok) => backend.close(() => ok()));
}
