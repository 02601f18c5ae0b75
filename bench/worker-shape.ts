/**
 * worker-shape: which shape should the engine's workers take, processes or threads? The engine
 * alone (bench/gatehouse-engine-process.ts, one HTTPS listener, no access log) as one process,
 * as N processes sharing the port with SO_REUSEPORT, and as one process with N engine threads
 * (each bound with SO_REUSEPORT), beside nginx with N workers, in front of the same nginx
 * backend. Rounds are interleaved (every contender once per round, in turn) and the tables give
 * each contender's median over the rounds, its ratio to nginx, and the CPU time the contender's
 * processes (all their threads and worker processes) spent per request served, which does not
 * depend on how many cores it has.
 *
 *   npx node bench/worker-shape.ts [--workers 2] [--rounds 3] [--duration 8] [--connections 50]
 *        [--only keepalive]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePorts } from './free-ports.ts';
import { engineShapeName, gatehouseEngine, nginxProxy, runLoad, startComparison, type EngineShape, type LoadKind, type Running } from './proxy-contenders.ts';
import { treeCpuMs } from './process-cpu.ts';
import type { BenchPki, LoadResult } from './proxy-tools.ts';
import { median } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
  },
});
const workers = Number(args.workers);
const rounds = Number(args.rounds);
const load = { durationS: Number(args.duration), connections: Number(args.connections) };
const kinds: LoadKind[] = args.only ? [args.only as LoadKind] : ['keepalive', 'close', 'h2'];

/** Contender is one way of serving, started fresh for each of its turns. */
interface Contender {
  readonly name: string;
  start(pki: BenchPki, port: number, backend: number): Promise<Running>;
}

const shapes: EngineShape[] = [{ kind: 'single' }, { kind: 'processes', count: workers }, { kind: 'threads', count: workers }];
const contenders: Contender[] = [
  ...shapes.map((shape) => ({ name: engineShapeName(shape), start: (pki: BenchPki, port: number, backend: number) => gatehouseEngine(pki, port, backend, shape) })),
  { name: `nginx×${workers}`, start: (pki: BenchPki, port: number, backend: number) => nginxProxy(pki.dir, pki, port, backend, workers) },
];

async function main(): Promise<void> {
  const { pki, outDir, backendPort, backend } = await startComparison();
  /** results[kind][contender] is one result per round, with the contender's CPU µs per request. */
  const results: Record<string, Record<string, (LoadResult & { cpuUsPerRequest: number })[]>> = {};
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const c of contenders) {
        const [port] = await freePorts(1, { randomStart: true });
        const proxy = await c.start(pki, port!, backendPort);
        try {
          runLoad('keepalive', port!, pki.dir, { ...load, durationS: 2 }); // warm-up: JIT, pools, session caches
          for (const kind of kinds) {
            const cpuBefore = treeCpuMs(proxy.pids());
            const measured = runLoad(kind, port!, pki.dir, load);
            const requests = measured.requestsPerSecond * load.durationS;
            const r = { ...measured, cpuUsPerRequest: ((treeCpuMs(proxy.pids()) - cpuBefore) * 1000) / requests };
            ((results[kind] ??= {})[c.name] ??= []).push(r);
            console.error(`round ${round} ${kind.padEnd(9)} ${c.name.padEnd(24)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ${r.cpuUsPerRequest.toFixed(0)} CPU µs/req  errors ${r.errors}`);
          }
        } finally {
          await proxy.stop();
        }
      }
    }
  } finally {
    await backend.stop();
  }
  const nginx = `nginx×${workers}`;
  console.log(`\n| load | contender | req/s (median) | req/s per round | p99 ms (median) | req/s / nginx | p99 / nginx | CPU µs / request (median) | errors |\n|---|---|---:|---|---:|---:|---:|---:|---:|`);
  for (const kind of kinds) {
    const byName = results[kind] ?? {};
    const reference = byName[nginx] ?? [];
    for (const c of contenders) {
      const rs = byName[c.name] ?? [];
      const rps = median(rs.map((r) => r.requestsPerSecond));
      const p99 = median(rs.map((r) => r.p99Ms));
      const perRound = rs.map((r) => r.requestsPerSecond.toFixed(0)).join(', ');
      const ratio = rps / median(reference.map((r) => r.requestsPerSecond));
      const p99Ratio = p99 / median(reference.map((r) => r.p99Ms));
      const errors = rs.reduce((n, r) => n + r.errors, 0);
      const cpu = median(rs.map((r) => r.cpuUsPerRequest));
      console.log(`| ${kind} | ${c.name} | ${rps.toFixed(0)} | ${perRound} | ${p99.toFixed(2)} | ${ratio.toFixed(2)} | ${p99Ratio.toFixed(2)} | ${cpu.toFixed(0)} | ${errors} |`);
    }
  }
  writeFileSync(join(outDir, `worker-shape-${Date.now()}.json`), JSON.stringify({ workers, rounds, load, results }, null, 2));
}

await main();
