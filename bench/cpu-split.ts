/**
 * cpu-split: where a proxied request's CPU goes — user space or the kernel — for `gatehouse
 * serve` (as users run it: access log on, metrics on) and nginx with the same number of
 * workers, kept-alive HTTPS (wrk -t1 -c50) through the same nginx backend, rounds interleaved.
 * The kernel side is the system calls and loopback TCP every proxy pays; the user side is the
 * proxy's own code, its runtime and OpenSSL.
 *
 *   npx node bench/cpu-split.ts [--workers 2] [--rounds 3] [--duration 8]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePorts } from './free-ports.ts';
import { descendants, TICK_MS, statSplitTicks } from './process-cpu.ts';
import { nginxProxy, runLoad, startComparison, type Running } from './proxy-contenders.ts';
import { startServeContender } from './serve-contender.ts';
import { median } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
  },
});
const workers = Number(args.workers);
const rounds = Number(args.rounds);
const durationS = Number(args.duration);

function split(pids: readonly number[]): { user: number; system: number } {
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    const t = statSplitTicks(pid);
    if (t === undefined) continue;
    user += t.user;
    system += t.system;
  }
  return { user: user * TICK_MS, system: system * TICK_MS };
}

const cmp = await startComparison();
const seen: Record<string, { rps: number[]; user: number[]; system: number[] }> = {};
try {
  for (let round = 1; round <= rounds; round++) {
    for (const name of ['gatehouse serve', 'nginx']) {
      const [port] = await freePorts(1, { randomStart: true });
      const proxy: Running =
        name === 'nginx'
          ? await nginxProxy(cmp.pki.dir, cmp.pki, port!, cmp.backendPort, workers)
          : await startServeContender(cmp.pki, port!, cmp.backendPort, { workers, stdoutFile: join(cmp.outDir, 'cpu-split-stdout.log'), stderrFile: join(cmp.outDir, 'cpu-split-stderr.log') });
      try {
        runLoad('keepalive', port!, cmp.outDir, { durationS: 2, connections: 50 });
        const pids = descendants(proxy.pids());
        const before = split(pids);
        const result = runLoad('keepalive', port!, cmp.outDir, { durationS, connections: 50 });
        const after = split(pids);
        const requests = result.requestsPerSecond * durationS;
        const entry = (seen[name] ??= { rps: [], user: [], system: [] });
        entry.rps.push(result.requestsPerSecond);
        entry.user.push(((after.user - before.user) * 1000) / requests);
        entry.system.push(((after.system - before.system) * 1000) / requests);
        console.error(`round ${round} ${name}: ${Math.round(result.requestsPerSecond)} req/s, user ${entry.user.at(-1)!.toFixed(1)} µs, system ${entry.system.at(-1)!.toFixed(1)} µs per request`);
      } finally {
        await proxy.stop();
      }
    }
  }
} finally {
  await cmp.backend.stop();
}
console.log(`\n\`npx node bench/cpu-split.ts --workers ${workers} --rounds ${rounds} --duration ${durationS}\` (${new Date().toISOString().slice(0, 16)} UTC), medians:\n`);
console.log('| proxy | workers | req/s | user µs / request | system µs / request |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, e] of Object.entries(seen)) console.log(`| ${name} | ${workers} | ${Math.round(median(e.rps))} | ${median(e.user).toFixed(1)} | ${median(e.system).toFixed(1)} |`);
