/**
 * worker-restart: how soon a killed engine worker of `gatehouse serve` runs again with the
 * current configuration, while kept-alive HTTPS load runs through the node. Each round kills one
 * worker (SIGKILL, alternating slots, each slot's kills more than 10 s apart so none counts as a
 * crash loop) and polls the node's status every 10 ms until that slot is `running` with a new
 * process: the time from the kill to that answer is the restart time. With --listeners N the
 * node holds N HTTPS listeners, which the new worker binds and configures before it counts.
 *
 *   npx node bench/worker-restart.ts [--workers 2] [--listeners 1,1000] [--kills 8] [--write]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STABLE_AFTER_MS } from '../server/workers/restart-backoff.ts';
import { apiOk, waitRunning, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { startComparison } from './proxy-contenders.ts';
import { startServeContender, type ServeRunning } from './serve-contender.ts';

const HEADING = '## Engine worker restart';
const POLL_MS = 10;
const CREATE_CONCURRENCY = 8;

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    listeners: { type: 'string', default: '1,1000' },
    kills: { type: 'string', default: '8' },
    write: { type: 'boolean', default: false },
  },
});
const workers = Number(args.workers);
const listenerCounts = args.listeners.split(',').map(Number);
const kills = Number(args.kills);
if (!(workers >= 2)) throw new Error('--workers must be 2 or more: a restart needs another worker to serve meanwhile');

interface Slot {
  worker: number;
  pid: number | null;
  state: string;
  restarts: number;
}

async function slots(serve: ServeRunning): Promise<Slot[]> {
  const body = await apiOk(serve, 'GET', '/v1/healthz');
  return body.engine.workers as Slot[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** measure runs `kills` restarts on a node with `listenerCount` listeners, under load, and returns each restart time (ms). */
async function measure(listenerCount: number): Promise<{ times: number[]; failedRequests: number; requests: number }> {
  const cmp = await startComparison();
  const ports = await freePorts(listenerCount, { randomStart: true });
  const serve = await startServeContender(cmp.pki, ports[0]!, cmp.backendPort, { workers, stdoutFile: join(cmp.outDir, 'worker-restart-stdout.log'), stderrFile: join(cmp.outDir, 'worker-restart-stderr.log') });
  let wrk: ReturnType<typeof spawn> | undefined;
  try {
    const model = (await apiOk(serve, 'GET', '/v1/listeners')).items[0];
    const pending = ports.slice(1);
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        for (let port = pending.pop(); port !== undefined; port = pending.pop()) {
          const created = await apiOk(serve, 'POST', '/v1/listeners', {
            loadBalancerId: model.loadBalancerId,
            protocol: 'HTTPS',
            port,
            defaultServerGroupId: model.defaultServerGroupId,
            certificates: model.certificates,
          });
          ids.push(created.id);
        }
      }),
    );
    await waitRunning(serve, ids, 120_000);
    const duration = Math.ceil((kills * STABLE_AFTER_MS) / workers / 1000) + 15;
    let wrkOut = '';
    wrk = spawn('wrk', ['-t1', '-c20', `-d${duration}s`, `https://127.0.0.1:${ports[0]}/`], { stdio: ['ignore', 'pipe', 'ignore'] });
    wrk.stdout!.on('data', (chunk: Buffer) => (wrkOut += chunk.toString()));
    const wrkDone = new Promise<void>((resolve) => wrk!.once('exit', () => resolve()));
    await sleep(2000);
    const times: number[] = [];
    const lastKill = new Map<number, number>();
    for (let k = 0; k < kills; k++) {
      const slot = (k % workers) + 1;
      const wait = (lastKill.get(slot) ?? 0) + STABLE_AFTER_MS + 500 - Date.now();
      if (wait > 0) await sleep(wait);
      const before = (await slots(serve)).find((s) => s.worker === slot)!;
      if (before.state !== 'running' || before.pid === null) throw new Error(`worker ${slot} is ${before.state}`);
      const killedAt = performance.now();
      process.kill(before.pid, 'SIGKILL');
      lastKill.set(slot, Date.now());
      const deadline = killedAt + 30_000;
      for (;;) {
        const now = (await slots(serve)).find((s) => s.worker === slot)!;
        if (now.state === 'running' && now.pid !== before.pid) break;
        if (performance.now() > deadline) throw new Error(`worker ${slot} not running again within 30 s`);
        await sleep(POLL_MS);
      }
      times.push(performance.now() - killedAt);
      console.error(`listeners=${listenerCount} kill ${k + 1} (worker ${slot}): running again after ${times.at(-1)!.toFixed(0)} ms`);
    }
    wrk.kill('SIGINT');
    await wrkDone;
    const requests = Number(/(\d+) requests in/.exec(wrkOut)?.[1] ?? Number.NaN);
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(wrkOut);
    const failedRequests = errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
    return { times, failedRequests, requests };
  } finally {
    wrk?.kill('SIGKILL');
    await serve.stop();
    await cmp.backend.stop();
  }
}

const started = new Date();
const rows: string[] = [];
for (const count of listenerCounts) {
  const { times, failedRequests, requests } = await measure(count);
  rows.push(
    `| ${count} | ${kills} | ${quantile(times, 0.5).toFixed(0)} ms | ${Math.max(...times).toFixed(0)} ms | ${times.map((t) => t.toFixed(0)).join(', ')} | ${requests} | ${failedRequests} |`,
  );
}
const command = `npx node bench/worker-restart.ts --workers ${workers} --listeners ${listenerCounts.join(',')} --kills ${kills}${args.write ? ' --write' : ''}`;
const text = `${HEADING}

\`${command}\`: \`gatehouse serve\` with ${workers} engine workers and N HTTPS listeners sharing one certificate, kept-alive
HTTPS load (wrk -t1 -c20) on the first listener throughout. Each kill is a SIGKILL of one worker (slots alternate,
each slot's kills more than ${STABLE_AFTER_MS / 1000} s apart); the restart time runs from the kill to the node's status
(\`GET /v1/healthz\`, polled every ${POLL_MS} ms) showing that slot \`running\` with a new process — started, and the
current configuration applied. ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, 2 vCPUs shared by the load generator, the backend and
the node. *wrk errors* are the requests that failed over the whole run (the dead worker's connections).

| listeners | kills | restart, median | max | each | wrk requests | wrk errors |
|---:|---:|---:|---:|---|---:|---:|
${rows.join('\n')}
`;
console.log(text);
if (args.write) writeResultsSection(HEADING, text);
