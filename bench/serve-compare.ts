/**
 * serve-compare: Gatehouse as users run it — the `gatehouse serve` command with its defaults
 * (access log on, written to its stdout, here a file in bench/out; metrics on), configured
 * through the management API with one HTTPS listener (HTTP/2 on, the default policy) — against
 * nginx with N workers and HAProxy with N threads, all in front of the same nginx backend
 * (1 KiB answers). Serve is given N engine workers through GATEHOUSE_WORKERS.
 *
 * Rounds are interleaved: in each round, for each load, every contender takes its turn, started
 * fresh with a 2 s warm-up of that load and stopped after. The table gives each contender's
 * median over the rounds, its ratios to nginx and HAProxy with the same N, and the CPU time its
 * whole process tree (serve and every process below it; nginx's master and workers) spent per
 * request served.
 *
 *   npx node bench/serve-compare.ts [--workers <nproc>,1] [--rounds 3] [--duration 8]
 *        [--connections 50] [--only keepalive,close,h2] [--write] [--profile DIR]
 *
 * --write puts the section into bench/RESULTS.md; --profile DIR runs serve (and its workers,
 * which inherit NODE_OPTIONS) under --cpu-prof into DIR (read them with bench/profile-summary.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { haproxyProxy, nginxProxy, runLoad, startComparison, type LoadKind, type Running } from './proxy-contenders.ts';
import type { BenchPki, LoadResult } from './proxy-tools.ts';
import { descendants, processTreeCpuMs } from './process-cpu.ts';
import { startServeContender } from './serve-contender.ts';
import { osName, utc } from './run-facts.ts';
import { median, positiveCount } from './stats.ts';

const HEADING = '## Gatehouse serve against nginx and HAProxy';
const WARM_UP_S = 2;
const KINDS: readonly LoadKind[] = ['keepalive', 'close', 'h2'];

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: `${availableParallelism()},1` },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});

const workerCounts = [...new Set(args.workers.split(',').map((w) => positiveCount('workers', w.trim())))];
const rounds = positiveCount('rounds', args.rounds);
const load = { durationS: positiveCount('duration', args.duration), connections: positiveCount('connections', args.connections) };
const kinds = args.only ? args.only.split(',').map((k) => k.trim() as LoadKind) : [...KINDS];
for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`--only takes ${KINDS.join(', ')}; got "${k}"`);
const profileDir = args.profile === undefined ? undefined : resolve(args.profile);

/** Family is one kind of contender, compared at every worker count. */
type Family = 'gatehouse' | 'nginx' | 'haproxy';
const FAMILIES: readonly Family[] = ['gatehouse', 'nginx', 'haproxy'];

/** Contender is one family at one worker count, started fresh for each of its turns. */
interface Contender {
  readonly family: Family;
  readonly workers: number;
  readonly name: string;
}

function contenderName(family: Family, n: number): string {
  const plural = (what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (family === 'gatehouse') return `gatehouse serve, ${plural('worker')}`;
  if (family === 'nginx') return `nginx, ${plural('worker')}`;
  return `HAProxy, ${plural('thread')}`;
}

const contenders: Contender[] = workerCounts.flatMap((n) => FAMILIES.map((family) => ({ family, workers: n, name: contenderName(family, n) })));

/** Measured is one turn's result: the load's figures, CPU per request and (serve only) access log bytes per request. */
interface Measured extends LoadResult {
  cpuUsPerRequest: number;
  /** How many processes the contender's tree held at the end of the load (serve and its workers; nginx's master and workers). */
  processes: number;
  logBytesPerRequest?: number;
}

function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** versionOf runs `command flag` and picks the version out of what it prints (nginx prints it to stderr). */
function versionOf(command: string, flag: string, pattern: RegExp): string {
  const r = spawnSync(command, [flag], { encoding: 'utf8', timeout: 10_000 });
  return pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? 'unknown';
}

/** oneLine is a failure's first line with the first error line below it, if any. */
function oneLine(failure: string): string {
  const [first, ...rest] = failure.split('\n');
  const error = rest.find((l) => /Error|error|refused|timed out/.test(l));
  return error === undefined ? first! : `${first!} ${error.trim()}`;
}

async function startContender(c: Contender, pki: BenchPki, port: number, backendPort: number, outDir: string, stamp: number): Promise<Running & { stdoutBytes?: () => number }> {
  if (c.family === 'nginx') return nginxProxy(pki.dir, pki, port, backendPort, c.workers);
  if (c.family === 'haproxy') return haproxyProxy(pki.dir, pki, port, backendPort, c.workers);
  return startServeContender(pki, port, backendPort, {
    workers: c.workers,
    stdoutFile: join(outDir, `serve-compare-${stamp}-stdout.log`),
    stderrFile: join(outDir, `serve-compare-${stamp}-stderr.log`),
    profileDir,
  });
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg()[0]!;
  const stamp = Date.now();
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const { pki, outDir, backendPort, backend } = await startComparison();
  /** results[kind][contender] is one result per round. */
  const results: Record<string, Record<string, Measured[]>> = {};
  const failures: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const kind of kinds) {
        for (const c of contenders) {
          const [port] = await freePorts(1, { randomStart: true });
          let proxy: (Running & { stdoutBytes?: () => number }) | undefined;
          try {
            proxy = await startContender(c, pki, port!, backendPort, outDir, stamp);
            runLoad(kind, port!, pki.dir, { ...load, durationS: WARM_UP_S }); // warm-up: JIT, pools, session caches
            const cpuBefore = processTreeCpuMs(proxy.pids());
            const logBefore = proxy.stdoutBytes?.() ?? 0;
            const measured = runLoad(kind, port!, pki.dir, load);
            const requests = measured.requestsPerSecond * load.durationS;
            const r: Measured = { ...measured, cpuUsPerRequest: ((processTreeCpuMs(proxy.pids()) - cpuBefore) * 1000) / requests, processes: descendants(proxy.pids()).length };
            if (proxy.stdoutBytes) r.logBytesPerRequest = (proxy.stdoutBytes() - logBefore) / requests;
            ((results[kind] ??= {})[c.name] ??= []).push(r);
            const log = r.logBytesPerRequest === undefined ? '' : `  log ${r.logBytesPerRequest.toFixed(0)} B/req`;
            console.error(
              `round ${round} ${kind.padEnd(9)} ${c.name.padEnd(28)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ${r.cpuUsPerRequest.toFixed(0)} CPU µs/req  errors ${r.errors}  ${r.processes} processes${log}`,
            );
          } catch (err) {
            const message = `round ${round} ${kind} ${c.name}: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`;
            failures.push(message);
            console.error(`FAILED ${message}`);
          } finally {
            await proxy?.stop();
            // The access log of one turn is hundreds of MB at full load; its size is what the table keeps.
            if (c.family === 'gatehouse') rmSync(join(outDir, `serve-compare-${stamp}-stdout.log`), { force: true });
          }
        }
      }
    }
  } finally {
    await backend.stop();
  }
  const endedAt = new Date();
  const loadAfter = loadavg()[0]!;

  const command = `npx node bench/serve-compare.ts ${process.argv.slice(2).join(' ')}`.trim();
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const nginxVersion = versionOf('nginx', '-v', /nginx\/(\S+)/);
  const haproxyVersion = versionOf('haproxy', '-v', /version (\S+)/);
  const ns = workerCounts.join(' and ');
  const lines: string[] = [];
  lines.push(HEADING, '');
  lines.push(
    `\`${command}\` (${load.connections} connections, ${load.durationS} s per run, 1 KiB response from an nginx backend on the same machine):`,
    '`gatehouse serve` as users run it — access log on (to its stdout, a file), metrics on — configured through the management API',
    `with one HTTPS listener (HTTP/2 on, the default policy) and given N engine workers by GATEHOUSE_WORKERS, beside nginx with N`,
    `workers and HAProxy with N threads, for N = ${ns}. \`keepalive\` is wrk -t1 -c${load.connections}, \`close\` is wrk with`,
    `\`Connection: close\` (a TLS handshake per request), \`h2\` is h2load -c${load.connections} -m10. Rounds are interleaved (for each load,`,
    `every contender in turn), every contender started fresh for its turn with a ${WARM_UP_S} s warm-up of that load; medians of`,
    `${rounds} round${rounds === 1 ? '' : 's'}. *CPU µs / request* is the CPU time of the contender's whole process tree (serve and its`,
    'worker processes; the master and workers of nginx), every thread counted, over the requests served. *Processes* is how',
    'many that tree held during the load. *Log B / request* is what serve wrote to its stdout per request (the access log).',
    '',
    `Machine: ${availableParallelism()} vCPUs (${cpuModel}), ${gib} GiB, ${osName()}, Node ${process.version}, nginx ${nginxVersion}, HAProxy ${haproxyVersion};`,
    `${utc(startedAt)} – ${utc(endedAt)}, load average ${loadBefore.toFixed(1)} at the start and ${loadAfter.toFixed(1)} at the end. The load`,
    'generator, the backend and the proxy share the cores.',
    '',
    '| load | contender | req/s | req/s per round | p99 ms | req/s / nginx | p99 / nginx | req/s / HAProxy | p99 / HAProxy | CPU µs / request | processes | log B / request | errors |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const kind of kinds) {
    const byName = results[kind] ?? {};
    for (const c of contenders) {
      const rs = byName[c.name] ?? [];
      const nginx = byName[contenderName('nginx', c.workers)] ?? [];
      const haproxy = byName[contenderName('haproxy', c.workers)] ?? [];
      const rps = median(rs.map((r) => r.requestsPerSecond));
      const p99 = median(rs.map((r) => r.p99Ms));
      const perRound = rs.length === 0 ? 'failed' : rs.map((r) => r.requestsPerSecond.toFixed(0)).join(', ');
      const logBytes = median(rs.flatMap((r) => (r.logBytesPerRequest === undefined ? [] : [r.logBytesPerRequest])));
      const errors = rs.reduce((n, r) => n + r.errors, 0);
      const processes = [...new Set(rs.map((r) => r.processes))].join(', ') || '–';
      lines.push(
        `| ${kind} | ${c.name} | ${fixed(rps, 0)} | ${perRound} | ${fixed(p99, 2)} | ${fixed(rps / median(nginx.map((r) => r.requestsPerSecond)), 2)} | ${fixed(p99 / median(nginx.map((r) => r.p99Ms)), 2)} | ${fixed(rps / median(haproxy.map((r) => r.requestsPerSecond)), 2)} | ${fixed(p99 / median(haproxy.map((r) => r.p99Ms)), 2)} | ${fixed(median(rs.map((r) => r.cpuUsPerRequest)), 0)} | ${processes} | ${fixed(logBytes, 0)} | ${errors} |`,
      );
    }
  }
  if (failures.length > 0) lines.push('', `Failed turns (${failures.length}):`, '', ...failures.map((f) => `- ${oneLine(f)}`));
  const section = `${lines.join('\n')}\n`;
  console.log(`\n${section}`);

  writeFileSync(join(outDir, `serve-compare-${stamp}.json`), JSON.stringify({ command, workerCounts, rounds, load, kinds, startedAt, endedAt, loadBefore, loadAfter, results, failures }, null, 2));
  if (args.write) {
    writeResultsSection(HEADING, section);
    console.error(`wrote "${HEADING.slice(3)}" into bench/RESULTS.md`);
  }
  if (profileDir !== undefined) {
    const profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    console.error(`${profiles.length} CPU profiles in ${profileDir}; read one with: npx node bench/profile-summary.ts ${join(profileDir, profiles[0] ?? '<file>.cpuprofile')}`);
  }
  if (failures.length > 0) process.exitCode = 1;
}

await main();
