/**
 * Several nodes on one PostgreSQL (SPEC 2.3), as users run them: N `gatehouse serve --store`
 * processes on a throwaway PostgreSQL (one machine, nodes on 127.0.0.2, .3, …, each binding
 * its own address), against one node on its SQLite file.
 *
 * - Write latency: PUTs of a server group, sent one at a time, alternating in rounds between
 *   the SQLite node and the cluster (each cluster write through the next node in turn); p50 and
 *   p99 of the API's answer time.
 * - 1,000 listeners: created through the nodes in turn (8 at a time), then the time until every
 *   one reads `Running` on every node.
 * - One change among 1,000 listeners: a PUT of one listener through one node, then the time from
 *   the API's answer until a read through another node shows the new version `Running` on every
 *   node (what the provider's wait for Running waits for); p50 and p99 over the changes.
 *
 * npx node bench/cluster-writes.ts [--nodes 3] [--writes 300] [--listeners 1000] [--changes 20] [--write]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GatehouseServe } from '../test/helpers/gatehouse-serve.ts';
import { startPostgres } from '../test/helpers/postgres-cluster.ts';
import { apiOk, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';

const HEADING = '## Several nodes on one PostgreSQL';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    writes: { type: 'string', default: '300' },
    listeners: { type: 'string', default: '1000' },
    changes: { type: 'string', default: '20' },
    write: { type: 'boolean', default: false },
  },
});
const nodeCount = Number(args.nodes);
const writes = Number(args.writes);
const listenerCount = Number(args.listeners);
const changes = Number(args.changes);
const TOKEN = randomBytes(24).toString('hex');
const MASTER_KEY = randomBytes(32).toString('hex');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: readonly number[]): { p50: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

/** runningEverywhere tells whether a listener as read is Running on every one of `nodes` nodes. */
function runningEverywhere(l: { status?: unknown; nodes?: unknown }, nodes: number): boolean {
  return l.status === 'Running' && Array.isArray(l.nodes) && l.nodes.length === nodes && l.nodes.every((n: { status?: unknown }) => n.status === 'Running');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg()[0]!;
  const pg = await startPostgres();
  const dirs: string[] = [];
  const servers: GatehouseServe[] = [];
  try {
    const url = await pg.createDatabase('gatehouse_bench');
    const nodes: GatehouseServe[] = [];
    for (let i = 0; i < nodeCount; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-bench-'));
      dirs.push(dir);
      const address = `127.0.0.${i + 2}`;
      const node = await GatehouseServe.start({
        args: ['--store', url, '--token', TOKEN, '--workers', '1', '--data-dir', dir, '--listen', `${address}:0`, '--bind-address', address, '--node-name', `node-${i + 1}`],
        env: { GATEHOUSE_MASTER_KEY: MASTER_KEY },
        timeoutMs: 60_000,
      });
      nodes.push(node);
      servers.push(node);
    }
    const single = await GatehouseServe.startFresh(60_000);
    servers.push(single);
    console.error(`${nodeCount} nodes and one SQLite node started`);

    // Write latency, interleaved: a round of PUTs on the SQLite node, then one on the cluster.
    const sgBody = (name: string) => ({ name, servers: [{ address: '127.0.0.1', port: 9 }], healthCheck: { enabled: false } });
    const singleGroup = await apiOk(single, 'POST', '/v1/server-groups', sgBody('w-0'));
    const clusterGroup = await apiOk(nodes[0]!, 'POST', '/v1/server-groups', sgBody('w-0'));
    const sqliteMs: number[] = [];
    const clusterMs: number[] = [];
    const ROUND = 25;
    for (let done = 0; done < writes; done += ROUND) {
      for (let i = 0; i < ROUND; i++) sqliteMs.push((await timed(() => apiOk(single, 'PUT', `/v1/server-groups/${singleGroup.id}`, sgBody(`w-${done + i + 1}`))))[1]);
      for (let i = 0; i < ROUND; i++) {
        const node = nodes[(done + i) % nodeCount]!;
        clusterMs.push((await timed(() => apiOk(node, 'PUT', `/v1/server-groups/${clusterGroup.id}`, sgBody(`w-${done + i + 1}`))))[1]);
      }
    }
    const sqliteWrites = summary(sqliteMs);
    const clusterWrites = summary(clusterMs);
    console.error(`writes: SQLite p50 ${sqliteWrites.p50.toFixed(2)} p99 ${sqliteWrites.p99.toFixed(2)} ms; cluster p50 ${clusterWrites.p50.toFixed(2)} p99 ${clusterWrites.p99.toFixed(2)} ms`);

    // 1,000 listeners, created through the nodes in turn.
    const lb = await apiOk(nodes[0]!, 'POST', '/v1/load-balancers', { name: 'bench', address: '0.0.0.0' });
    const ports = await freePorts(listenerCount, { randomStart: true });
    const ids: string[] = new Array<string>(listenerCount);
    const createStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < listenerCount) {
          const i = next++;
          const l = await apiOk(nodes[i % nodeCount]!, 'POST', '/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port: ports[i], defaultServerGroupId: clusterGroup.id });
          ids[i] = String(l.id);
        }
      }),
    );
    const createdMs = performance.now() - createStart;
    const reader = nodes[nodeCount - 1]!;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const all = await reader.list('listeners');
      if (all.length === listenerCount && all.every((l) => runningEverywhere(l, nodeCount))) break;
      if (Date.now() > deadline) throw new Error(`the ${listenerCount} listeners did not all run on every node within 300 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const allRunningMs = performance.now() - createStart;
    console.error(`${listenerCount} listeners: created in ${(createdMs / 1000).toFixed(1)} s, Running on every node after ${(allRunningMs / 1000).toFixed(1)} s`);

    // One change among them: PUT through one node, read through another until Running everywhere.
    const changeMs: number[] = [];
    for (let c = 0; c < changes; c++) {
      const id = ids[(c * 37) % listenerCount]!;
      const writer = nodes[c % nodeCount]!;
      const watcher = nodes[(c + 1) % nodeCount]!;
      const put = await apiOk(writer, 'PUT', `/v1/listeners/${id}`, { defaultServerGroupId: clusterGroup.id, idleTimeout: 20 + (c % 10) });
      const answered = performance.now();
      const until = Date.now() + 30_000;
      for (;;) {
        const l = await apiOk(watcher, 'GET', `/v1/listeners/${id}`);
        if (l.version === put.version && runningEverywhere(l, nodeCount)) break;
        if (Date.now() > until) throw new Error(`listener ${id} version ${put.version} was not Running on every node within 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      changeMs.push(performance.now() - answered);
    }
    const change = summary(changeMs);
    console.error(`one change among ${listenerCount}: Running on every node p50 ${change.p50.toFixed(0)} ms, p99 ${change.p99.toFixed(0)} ms`);

    const endedAt = new Date();
    const command = `npx node bench/cluster-writes.ts ${process.argv.slice(2).join(' ')}`.trim();
    const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const lines = [
      HEADING,
      '',
      `\`${command}\`: ${nodeCount} \`gatehouse serve --store postgres://… --workers 1\` nodes on one PostgreSQL 15 (a throwaway`,
      'cluster, fsync off as in the tests), on 127.0.0.2 and up of one machine, each binding its own address, beside one node on',
      'its SQLite file. Requests go over HTTP to the management API, one at a time unless said.',
      '',
      `Machine: ${availableParallelism()} vCPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version};`,
      `${utc(startedAt)} – ${utc(endedAt)}, load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end.`,
      '',
      '| measurement | p50 | p99 | samples |',
      '|---|---:|---:|---:|',
      `| write latency, SQLite node (PUT of a server group) | ${sqliteWrites.p50.toFixed(2)} ms | ${sqliteWrites.p99.toFixed(2)} ms | ${sqliteWrites.n} |`,
      `| write latency, ${nodeCount} nodes on PostgreSQL (each PUT through the next node) | ${clusterWrites.p50.toFixed(2)} ms | ${clusterWrites.p99.toFixed(2)} ms | ${clusterWrites.n} |`,
      `| one listener changed among ${listenerCount}: API answer → \`Running\` on every node | ${change.p50.toFixed(0)} ms | ${change.p99.toFixed(0)} ms | ${change.n} |`,
      '',
      `${listenerCount} listeners created through the nodes in turn, 8 at a time: ${(createdMs / 1000).toFixed(1)} s to create, ${(allRunningMs / 1000).toFixed(1)} s until every one read \`Running\` on every node.`,
    ];
    const text = `${lines.join('\n')}\n`;
    console.log(text);
    if (args.write) writeResultsSection(HEADING, text);
  } finally {
    for (const s of servers) await s.close().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await pg.destroy();
  }
}

await main();
