/**
 * Memory of `gatehouse serve` for 4 MiB HTTP/1 responses to clients that read them and to
 * clients that never do, each in a fresh process (the first large bodies a process moves set its
 * memory high-water mark, so the two must not share one): does a client that stops reading cost
 * more than one that reads?
 *
 *   npx node bench/readers-memory.ts [--rounds 3] [--clients 32]
 *
 * Prints, per mode and round, the serve process's RSS before, at its peak (sampled every 50 ms)
 * and 1 s after the clients left.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { issueCertificate } from '../test/helpers/pki.ts';
import { BIG_BYTES, startBackend, startGatehouse, targetRss } from './attack-targets.ts';
import { nginxBinary } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, clients: { type: 'string', default: '32' } } });
const ROUNDS = Number(args.rounds);
const CLIENTS = Number(args.clients);
/** How long the clients stay: a reader has its 4 MiB by then; a slow reader has filled every buffer. */
const HOLD_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

/** runMode starts a backend and a fresh `gatehouse serve`, runs the rounds of one mode, and stops both. */
async function runMode(mode: 'read' | 'never read', dir: string, certPem: string, keyPem: string): Promise<void> {
  const [backendPort, httpPort, httpsPort] = (await freePorts(3, { randomStart: true })) as [number, number, number];
  const backend = await startBackend(nginxBinary(), dir, backendPort);
  const gatehouse = await startGatehouse({ http: httpPort, https: httpsPort }, backendPort, certPem, keyPem);
  try {
    await sleep(1000);
    for (let round = 1; round <= ROUNDS; round++) {
      const before = targetRss(gatehouse);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, targetRss(gatehouse))), 50);
      const sockets = await Promise.all(
        Array.from({ length: CLIENTS }, () => new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(httpPort, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        })),
      );
      let received = 0;
      for (const s of sockets) {
        s.on('error', () => {});
        if (mode === 'never read') s.pause();
        else s.on('data', (d: Buffer) => (received += d.length));
        s.write('GET /big HTTP/1.1\r\nHost: a.example\r\n\r\n');
      }
      await sleep(HOLD_MS);
      clearInterval(sampler);
      for (const s of sockets) s.destroy();
      await sleep(1000);
      console.log(`${mode}, round ${round}: RSS ${mb(before)} / ${mb(peak)} / ${mb(targetRss(gatehouse))} MB (+${mb(peak - before)}); clients received ${(received / 2 ** 20).toFixed(0)} MiB of ${(CLIENTS * BIG_BYTES) / 2 ** 20}`);
    }
  } finally {
    await gatehouse.stop();
    await backend.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-readers-'));
chmodSync(dir, 0o755);
try {
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] });
  for (const mode of ['read', 'never read'] as const) await runMode(mode, dir, leaf.chainPem, leaf.keyPem);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
