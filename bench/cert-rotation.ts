/**
 * cert-rotation: how long after apply() of a snapshot with a rotated certificate (same id,
 * new content) the first TLS handshake serves the new certificate, while clients keep
 * handshaking throughout. Prints the median (and spread) of 20 rotations, plus how much of it
 * apply() itself took (building the secure contexts, swapping the reference).
 *
 *   npx node bench/cert-rotation.ts [--rotations 20] [--clients 2] [--key ec|rsa]
 */
import { performance } from 'node:perf_hooks';
import { connect } from 'node:tls';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index.ts';
import { createCa, issueCertificate, type Issued, type KeyType } from '../test/helpers/pki.ts';
import { startBackend } from '../test/engine/support/backends.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../test/engine/support/snapshots.ts';

const { values: args } = parseArgs({
  options: {
    rotations: { type: 'string', default: '20' },
    clients: { type: 'string', default: '2' },
    key: { type: 'string', default: 'ec' },
  },
});
const rotations = Number(args.rotations);
const clients = Number(args.clients);
const keyType = (args.key === 'rsa' ? 'rsa' : 'ec') satisfies KeyType;

const ca = await createCa('Rotation CA', keyType);
const certs: Issued[] = [];
for (let i = 0; i <= rotations; i++) certs.push(await issueCertificate({ commonName: `rotation-${i}`, dnsNames: ['rotate.bench'], keyType }, ca));

const backend = await startBackend('bench');
const engine = new Engine();
const snapshotWith = (i: number) =>
  buildSnapshot({
    version: i + 1,
    listeners: [httpsListener('lsn-bench', 'sgp-bench', 'cert-bench')],
    certificates: [serverCertificate('cert-bench', certs[i]!, ['rotate.bench'])],
    serverGroups: [serverGroup('sgp-bench', [{ port: backend.port }])],
  });
const first = await engine.apply(snapshotWith(0));
const port = first.listeners[0]!.port!;

/** One completed handshake: when it completed and which certificate it was served. */
interface Served {
  at: number;
  cn: string;
}
let waiting: { cn: string; resolve: (s: Served) => void } | undefined;
let running = true;
let handshakes = 0;

function handshake(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'rotate.bench', rejectUnauthorized: false }, () => {
      const served: Served = { at: performance.now(), cn: String(socket.getPeerCertificate().subject?.CN ?? '') };
      handshakes++;
      if (waiting && served.cn === waiting.cn) {
        const w = waiting;
        waiting = undefined;
        w.resolve(served);
      }
      socket.destroy();
      resolve();
    });
    socket.on('error', () => resolve());
  });
}

const loops = Array.from({ length: clients }, async () => {
  while (running) await handshake();
});

const toFirstHandshake: number[] = [];
const applyTimes: number[] = [];
for (let i = 1; i <= rotations; i++) {
  await new Promise((r) => setTimeout(r, 50));
  const served = new Promise<Served>((resolve) => (waiting = { cn: `rotation-${i}`, resolve }));
  const t0 = performance.now();
  await engine.apply(snapshotWith(i));
  applyTimes.push(performance.now() - t0);
  const s = await served;
  toFirstHandshake.push(s.at - t0);
}
running = false;
await Promise.all(loops);
await engine.close(1000);
await backend.close();

const q = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (v: number) => `${v.toFixed(2)} ms`;
console.log(`certificate rotation, ${keyType.toUpperCase()} keys, ${rotations} rotations, ${clients} clients handshaking continuously (${handshakes} handshakes)`);
console.log(`apply() → first handshake serving the new certificate: median ${ms(median(toFirstHandshake))}, min ${ms(Math.min(...toFirstHandshake))}, p90 ${ms(q(toFirstHandshake, 0.9))}, max ${ms(Math.max(...toFirstHandshake))}`);
console.log(`of which apply() itself: median ${ms(median(applyTimes))}, max ${ms(Math.max(...applyTimes))}`);
