/**
 * wlc-workers: how close Wlc stays to its single-engine behaviour when each engine worker counts
 * only its own connections. `gatehouse serve` (as users run it) with 1 and with N workers, an
 * HTTP listener in front of a Wlc group of two servers of equal weight — one answers at once,
 * the other after `--slow-ms` — and `--clients` clients sending requests over new connections
 * (so the kernel spreads them over the workers). A least-connections scheduler sends most
 * requests to the fast server, because the slow one holds its requests longer; the share the
 * slow server gets with N workers, against the share with one, is how far the per-worker counts
 * drift from the node's.
 *
 *   npx node bench/wlc-workers.ts [--workers 2] [--clients 16] [--slow-ms 20] [--duration 10] [--rounds 3] [--write]
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { apiOk, waitRunning, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { startComparison } from './proxy-contenders.ts';
import { utc } from './run-facts.ts';
import { startServeContender } from './serve-contender.ts';
import { median } from './stats.ts';

const HEADING = '## Wlc across engine workers';

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    clients: { type: 'string', default: '16' },
    'slow-ms': { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
  },
});
const workers = Number(args.workers);
const clients = Number(args.clients);
const slowMs = Number(args['slow-ms']);
const durationMs = Number(args.duration) * 1000;
const rounds = Number(args.rounds);

/** namedBackend answers its name, after `delayMs`. */
async function namedBackend(name: string, delayMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** slowShare runs the load against a node with `count` workers and returns the slow server's share of the answers. */
async function slowShare(count: number, fastPort: number, slowPort: number): Promise<{ share: number; requests: number; errors: number }> {
  const cmp = await startComparison();
  const [tlsPort, httpPort] = await freePorts(2, { randomStart: true });
  const serve = await startServeContender(cmp.pki, tlsPort!, cmp.backendPort, { workers: count, stdoutFile: join(cmp.outDir, 'wlc-stdout.log'), stderrFile: join(cmp.outDir, 'wlc-stderr.log') });
  try {
    const lb = (await apiOk(serve, 'GET', '/v1/load-balancers')).items[0];
    const group = await apiOk(serve, 'POST', '/v1/server-groups', {
      name: 'wlc',
      scheduler: 'Wlc',
      servers: [
        { address: '127.0.0.1', port: fastPort, weight: 50 },
        { address: '127.0.0.1', port: slowPort, weight: 50 },
      ],
      healthCheck: { enabled: false },
    });
    const listener = await apiOk(serve, 'POST', '/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: httpPort, defaultServerGroupId: group.id });
    await waitRunning(serve, [listener.id]);
    let slow = 0;
    let fast = 0;
    let errors = 0;
    const end = performance.now() + durationMs;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          try {
            const res = await request(`http://127.0.0.1:${httpPort}/`, { reset: true, headersTimeout: 10_000, bodyTimeout: 10_000 });
            const text = await res.body.text();
            if (text === 'slow') slow++;
            else if (text === 'fast') fast++;
            else errors++;
          } catch {
            errors++;
          }
        }
      }),
    );
    return { share: slow / (slow + fast), requests: slow + fast, errors };
  } finally {
    await serve.stop();
    await cmp.backend.stop();
  }
}

const started = new Date();
const fast = await namedBackend('fast', 0);
const slow = await namedBackend('slow', slowMs);
const results = new Map<number, { share: number; requests: number; errors: number }[]>();
try {
  for (let round = 1; round <= rounds; round++) {
    for (const count of [1, workers]) {
      const r = await slowShare(count, fast.port, slow.port);
      const list = results.get(count) ?? [];
      list.push(r);
      results.set(count, list);
      console.error(`round ${round}, ${count} worker(s): slow server got ${(r.share * 100).toFixed(1)} % of ${r.requests} requests (${r.errors} errors)`);
    }
  }
} finally {
  fast.server.close();
  slow.server.close();
}

const rows = [...results].map(([count, list]) => `| ${count} | ${(median(list.map((r) => r.share)) * 100).toFixed(1)} % | ${list.map((r) => `${(r.share * 100).toFixed(1)} %`).join(', ')} | ${median(list.map((r) => r.requests))} | ${list.reduce((n, r) => n + r.errors, 0)} |`);
const command = `npx node bench/wlc-workers.ts --workers ${workers} --clients ${clients} --slow-ms ${slowMs} --duration ${durationMs / 1000} --rounds ${rounds}${args.write ? ' --write' : ''}`;
const text = `${HEADING}

\`${command}\`: \`gatehouse serve\` with 1 and with ${workers} engine workers (rounds interleaved), an HTTP listener in
front of a Wlc group of two servers of equal weight, one answering at once and one after ${slowMs} ms, and ${clients} clients
sending requests over new connections for ${durationMs / 1000} s. ${utc(started)}. Least connections sends most requests to the
fast server; each worker counts only the connections it opened, so the slow server's share with ${workers} workers, against
its share with one engine, shows how far per-worker counts drift from the node's.

| workers | slow server's share, median | per round | requests, median | errors |
|---:|---:|---|---:|---:|
${rows.join('\n')}
`;
console.log(text);
if (args.write) writeResultsSection(HEADING, text);
