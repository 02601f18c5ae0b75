/**
 * proxy-compare: Gatehouse's engine, nginx and HAProxy as TLS-terminating proxies in front of
 * the same local backend, measured side by side in one run with wrk (keep-alive), wrk with
 * `Connection: close` (a full handshake per request) and h2load (HTTP/2). Prints req/s, p50,
 * p99 and the ratios Gatehouse/nginx and Gatehouse/HAProxy.
 *
 *   npx node bench/proxy-compare.ts [--duration 10] [--connections 50] [--only keepalive]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePorts } from './free-ports.ts';
import { gatehouseEngine, haproxyProxy, nginxProxy, runLoad, startComparison, type LoadKind } from './proxy-contenders.ts';
import type { LoadResult } from './proxy-tools.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const load = { durationS: Number(args.duration), connections: Number(args.connections) };

async function main(): Promise<void> {
  const { pki, outDir, backendPort, backend } = await startComparison();
  const kinds: LoadKind[] = args.only ? [args.only as LoadKind] : ['keepalive', 'close', 'h2'];
  const results: Record<string, Record<string, LoadResult>> = {};
  try {
    for (const name of ['gatehouse', 'nginx', 'haproxy'] as const) {
      const [port] = await freePorts(1, { randomStart: true });
      const proxy = name === 'gatehouse' ? await gatehouseEngine(pki, port!, backendPort, { kind: 'single' }, args.profile ? outDir : undefined)
        : name === 'nginx' ? await nginxProxy(pki.dir, pki, port!, backendPort)
        : await haproxyProxy(pki.dir, pki, port!, backendPort);
      try {
        runLoad('keepalive', port!, pki.dir, load); // warm-up: JIT, pools, session caches
        for (const kind of kinds) {
          const r = runLoad(kind, port!, pki.dir, load);
          (results[kind] ??= {})[name] = r;
          console.error(`${kind.padEnd(9)} ${name.padEnd(9)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}`);
        }
      } finally {
        await proxy.stop();
      }
    }
  } finally {
    await backend.stop();
  }
  console.log(`\n| load | proxy | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|`);
  for (const kind of kinds) {
    for (const [name, r] of Object.entries(results[kind] ?? {})) {
      console.log(`| ${kind} | ${name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} |`);
    }
  }
  console.log(`\n| load | req/s Gatehouse/nginx | req/s Gatehouse/HAProxy | p99 Gatehouse/nginx | p99 Gatehouse/HAProxy |\n|---|---|---|---|---|`);
  for (const kind of kinds) {
    const r = results[kind]!;
    const g = r.gatehouse!, n = r.nginx!, h = r.haproxy!;
    console.log(`| ${kind} | ${(g.requestsPerSecond / n.requestsPerSecond).toFixed(2)} | ${(g.requestsPerSecond / h.requestsPerSecond).toFixed(2)} | ${(g.p99Ms / n.p99Ms).toFixed(2)} | ${(g.p99Ms / h.p99Ms).toFixed(2)} |`);
  }
  writeFileSync(join(outDir, `proxy-compare-${Date.now()}.json`), JSON.stringify({ duration: load.durationS, connections: load.connections, results }, null, 2));
}

await main();
