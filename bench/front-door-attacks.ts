/**
 * front-door-attacks: the HTTP/2 floods and slow clients of SPEC E17 against `gatehouse serve`
 * (configured through its management API, defaults otherwise) and nginx (Debian's 1.22, the
 * equivalent reverse proxy) in one run, both in front of the same local backend. Every attack
 * of test/front-door/support/h2-attacks.ts, the zero-window reader, HTTP/1 slowloris and HTTP/1
 * slow readers run in interleaved rounds (per attack: Gatehouse, nginx, Gatehouse, nginx, …).
 * Per run: the proxy's resident memory before, at its peak during and 1 s after the attack
 * (Gatehouse: the serve process; nginx: the sum over its workers); when the attacker's
 * connections got a GOAWAY (and its code) or were closed; and what a well-behaved HTTP/2 client
 * on its own connection to the HTTPS listener got meanwhile (answers, failures, p99). The table
 * shows the median of the rounds.
 *
 *   npx node bench/front-door-attacks.ts [--rounds 3] [--only <name part>] [--write]
 *
 * --write puts the table into bench/RESULTS.md (section "Front door: HTTP/2 floods and slow
 * clients"); the raw figures go to bench/out/front-door-attacks-<time>.json either way.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ATTACKS, zeroWindowReader, type AttackResult } from '../test/front-door/support/h2-attacks.ts';
import { SteadyClient, type SteadyStats } from '../test/front-door/support/steady-client.ts';
import { issueCertificate } from '../test/helpers/pki.ts';
import { BIG_BYTES, heldPeers, startBackend, startGatehouse, startNginxProxy, targetRss, type Target } from './attack-targets.ts';
import { writeRunJson } from './bench-out.ts';
import { nginxBinary, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, only: { type: 'string' }, write: { type: 'boolean', default: false } },
});
const ROUNDS = Number(args.rounds);
const SECTION = '## Front door: HTTP/2 floods and slow clients';
const SLOWLORIS_CONNECTIONS = 300;
const SLOWLORIS_MAX_MS = 15_000;
const SLOW_READERS = 32;
const SLOW_READER_MAX_MS = 19_000;
const ZERO_WINDOW_STREAMS = 100;
const ZERO_WINDOW_MAX_MS = 18_000;
/** The steady client connects this long before the attack starts and runs at least STEADY_MIN_MS after that. */
const STEADY_LEAD_MS = 300;
const STEADY_MIN_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Outcome is how an attack's connections ended in one run. */
interface Outcome {
  connections: number;
  /** Connections that got a GOAWAY or were closed within the run. */
  ended: number;
  /** ms from the attack's start until the last ended connection ended (undefined: none ended). */
  lastMs: number | undefined;
  /** What ended them: a GOAWAY code, "close", "408 + close", "open" (not ended). */
  codes: string[];
  /** Frames, streams or bytes the attacker sent (summed over connections). */
  sent: number;
}

interface BenchAttack {
  name: string;
  run(t: Target): Promise<Outcome>;
}

function fromResults(results: AttackResult[], endedWithoutGoaway = 'close'): Outcome {
  const ended = results.filter((r) => r.endedMs !== undefined);
  return {
    connections: results.length,
    ended: ended.length,
    lastMs: ended.length === 0 ? undefined : Math.max(...ended.map((r) => r.endedMs!)),
    codes: [...new Set(results.map((r) => (r.goaway ? `GOAWAY ${r.goaway.codeName}` : r.endedMs !== undefined ? endedWithoutGoaway : 'open')))].sort(),
    sent: results.reduce((s, r) => s + r.sent, 0),
  };
}

function connectPlain(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** slowloris: connections that each send one byte of a request head a second, reading what comes back. */
async function slowloris(port: number): Promise<Outcome> {
  const sockets = await Promise.all(Array.from({ length: SLOWLORIS_CONNECTIONS }, () => connectPlain(port)));
  const t0 = Date.now();
  const closedAt: number[] = [];
  const answers = new Map<net.Socket, string>();
  for (const s of sockets) {
    s.on('error', () => {});
    s.on('data', (d: Buffer) => answers.set(s, (answers.get(s) ?? '') + d.toString('latin1')));
    s.on('close', () => closedAt.push(Date.now() - t0));
  }
  const head = `GET / HTTP/1.1\r\nHost: a.example\r\nX-Slow: ${'a'.repeat(200)}`;
  let sent = 0;
  for (let i = 0; i < head.length && closedAt.length < sockets.length && Date.now() - t0 < SLOWLORIS_MAX_MS; i++) {
    for (const s of sockets) if (!s.destroyed) s.write(head[i]!);
    sent++;
    const next = t0 + (i + 1) * 1000;
    while (Date.now() < next && closedAt.length < sockets.length) await sleep(50);
  }
  const codes = new Set<string>();
  for (const s of sockets) {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(answers.get(s) ?? '')?.[1];
    codes.add(s.destroyed || closedAt.length === sockets.length ? (status ? `${status} + close` : 'close') : status ? `${status}, open` : 'open');
  }
  const ended = closedAt.length;
  for (const s of sockets) s.destroy();
  return { connections: sockets.length, ended, lastMs: ended === 0 ? undefined : Math.max(...closedAt), codes: [...codes].sort(), sent };
}

/**
 * slowReaders: connections that ask for the backend's large body and never read. They cannot
 * see a close, so the proxy's side is watched: a connection counts as ended once no process
 * owns the proxy's socket any more.
 */
async function slowReaders(port: number): Promise<Outcome> {
  const sockets = await Promise.all(Array.from({ length: SLOW_READERS }, () => connectPlain(port)));
  const t0 = Date.now();
  const seen = new Set<number>();
  const closedAt = new Map<number, number>();
  for (const s of sockets) {
    s.on('error', () => {});
    s.pause();
    s.write('GET /big HTTP/1.1\r\nHost: a.example\r\n\r\n');
  }
  const local = sockets.map((s) => s.localPort!);
  while (closedAt.size < local.length && Date.now() - t0 < SLOW_READER_MAX_MS) {
    const held = await heldPeers(port);
    const now = Date.now() - t0;
    for (const p of local) {
      if (held.has(p)) seen.add(p);
      else if (seen.has(p) && !closedAt.has(p)) closedAt.set(p, now);
    }
    await sleep(250);
  }
  for (const s of sockets) s.destroy();
  const ended = closedAt.size;
  return {
    connections: sockets.length,
    ended,
    lastMs: ended === 0 ? undefined : Math.max(...closedAt.values()),
    codes: ended === 0 ? ['open'] : ended < sockets.length ? ['closed by proxy', 'open'] : ['closed by proxy'],
    sent: sockets.length,
  };
}

/**
 * fastReaders is the control for slowReaders: the same connections and the same 4 MiB each,
 * read as fast as they come. Whatever memory both rows show is the cost of moving the bytes,
 * not of a client that stops reading.
 */
async function fastReaders(port: number): Promise<Outcome> {
  const sockets = await Promise.all(Array.from({ length: SLOW_READERS }, () => connectPlain(port)));
  const t0 = Date.now();
  const doneAt: number[] = [];
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          let got = 0;
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            doneAt.push(Date.now() - t0);
            resolve();
          };
          s.on('error', finish);
          s.on('data', (d: Buffer) => {
            got += d.length;
            if (got >= BIG_BYTES) finish();
          });
          setTimeout(resolve, SLOW_READER_MAX_MS).unref();
          s.write('GET /big HTTP/1.1\r\nHost: a.example\r\n\r\n');
        }),
    ),
  );
  for (const s of sockets) s.destroy();
  return { connections: sockets.length, ended: doneAt.length, lastMs: doneAt.length === 0 ? undefined : Math.max(...doneAt), codes: ['read whole'], sent: sockets.length };
}

const BENCH_ATTACKS: BenchAttack[] = [
  ...ATTACKS.map((a): BenchAttack => ({ name: a.name, run: async (t) => fromResults(await a.run(t.httpsPort)) })),
  {
    name: `zero-window reader (HTTP/2 initial window 0, ${ZERO_WINDOW_STREAMS} streams for ${BIG_BYTES / 2 ** 20} MiB, never read)`,
    run: async (t) => fromResults([await zeroWindowReader(t.httpsPort, '/big', ZERO_WINDOW_STREAMS, ZERO_WINDOW_MAX_MS)], 'all streams reset'),
  },
  { name: `HTTP/1 slowloris (${SLOWLORIS_CONNECTIONS} connections, 1 header byte/s)`, run: (t) => slowloris(t.httpPort) },
  // The control runs first: the first row that moves large bodies through a process pays its memory high-water mark.
  { name: `control: HTTP/1 readers (${SLOW_READERS} × ${BIG_BYTES / 2 ** 20} MiB, read at once)`, run: (t) => fastReaders(t.httpPort) },
  { name: `HTTP/1 slow readers (${SLOW_READERS} × ${BIG_BYTES / 2 ** 20} MiB, never read)`, run: (t) => slowReaders(t.httpPort) },
];

/** Sample is one attack run against one target. */
interface Sample {
  round: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  outcome: Outcome;
  steady: SteadyStats;
  wallMs: number;
  alive: boolean;
}

async function runOnce(attack: BenchAttack, t: Target, round: number): Promise<Sample> {
  await sleep(1000);
  const rssBefore = targetRss(t);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, targetRss(t))), 50);
  const steady = SteadyClient.start({ port: t.httpsPort, protocol: 'h2' });
  await sleep(STEADY_LEAD_MS);
  const t0 = Date.now();
  let outcome: Outcome;
  try {
    outcome = await attack.run(t);
  } finally {
    clearInterval(sampler);
  }
  const wallMs = Date.now() - t0;
  while (Date.now() - t0 < STEADY_MIN_MS) await sleep(50);
  const stats = await steady.stop();
  rssPeak = Math.max(rssPeak, targetRss(t));
  await sleep(1000);
  return { round, rssBefore, rssPeak, rssAfter: targetRss(t), outcome, steady: stats, wallMs, alive: t.alive() };
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

function rssCell(samples: Sample[]): string {
  const growth = median(samples.map((s) => s.rssPeak - s.rssBefore));
  return `${mb(median(samples.map((s) => s.rssBefore)))} / ${mb(median(samples.map((s) => s.rssPeak)))} / ${mb(median(samples.map((s) => s.rssAfter)))} (+${mb(growth)})`;
}

function endCell(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const key = s.outcome.codes.join(' and ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const codes = [...counts].map(([k, n]) => (counts.size === 1 ? k : `${k} ×${n}`)).join('; ');
  const conns = samples[0]!.outcome.connections;
  const ended = median(samples.map((s) => s.outcome.ended));
  const times = samples.map((s) => s.outcome.lastMs).filter((x): x is number => x !== undefined);
  const when = times.length === 0 ? 'none ended' : `${fmtMs(median(times))}${times.length < samples.length ? ` (${times.length} of ${samples.length} rounds)` : ''}`;
  const endedPart = conns === 1 ? when : times.length === 0 ? `${ended}/${conns} ended` : `${ended}/${conns} ended, last ${when}`;
  return `${codes}; ${endedPart}; ${median(samples.map((s) => s.outcome.sent)).toLocaleString('en')} sent`;
}

function steadyCell(samples: Sample[]): string {
  return `${median(samples.map((s) => s.steady.ok))} / ${median(samples.map((s) => s.steady.failed))}, ${median(samples.map((s) => s.steady.p99Ms)).toFixed(1)}`;
}

function sh(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

function report(results: Map<string, Record<Target['name'], Sample[]>>, machine: string, command: string, crashes: string[]): string {
  const lines = [
    SECTION,
    '',
    `\`${command}\` runs each attack of SPEC E17 against \`gatehouse serve\` (default options; a load balancer, a server group, a certificate, an HTTPS listener with HTTP/2 and an HTTP listener created through the management API, listener settings at their defaults: idleTimeout 15 s, requestTimeout 60 s) and against nginx as the equivalent reverse proxy (2 workers, \`worker_connections 1024\`, a TLS + http2 server block and a plain one, \`client_header_timeout 10s\`, \`keepalive_timeout 15s\`, \`http2_max_concurrent_streams 128\`, Debian's defaults otherwise, e.g. \`send_timeout 60s\`, \`keepalive_requests 1000\`, proxy buffering on). Both proxy to the same one-worker nginx backend (1 KiB on every path, ${BIG_BYTES / 2 ** 20} MiB at /big). The HTTP/2 attacks are those of test/front-door/support/h2-attacks.ts (each connection sends for at most 3 s, then waits 3 s for a GOAWAY or a close); the zero-window reader waits up to ${ZERO_WINDOW_MAX_MS / 1000} s, slowloris drips for up to ${SLOWLORIS_MAX_MS / 1000} s (past the 10 s head deadline), slow readers are watched for ${SLOW_READER_MAX_MS / 1000} s. Rounds interleave per attack: Gatehouse, nginx, Gatehouse, nginx, … (${ROUNDS} rounds each); every figure is the median of the rounds.`,
    '',
    `Machine: ${machine}`,
    '',
    'Columns: *RSS MB* — the proxy\'s resident memory before the attack / at its peak during it (sampled every 50 ms) / 1 s after it, and in brackets the median growth from before to peak (Gatehouse: the `gatehouse serve` process, which also holds the management API; nginx: the sum over its 2 workers). *End* — what the attacker\'s connections got (a GOAWAY and its code; "close": closed without one; "open": neither within the run; slow readers, which cannot see a close: "closed by proxy" once no proxy process owns the connection\'s socket, from `ss -p`), when the last one ended (ms from the attack\'s start), and how many frames (streams for the zero-window reader, header bytes per connection for slowloris) were sent. *Steady client* — a well-behaved HTTP/2 client on its own connection to the HTTPS listener, from 0.3 s before the attack until it ends (at least 3 s from its start, so that attacks ended early are measured over the same window), one GET after another 20 ms apart, each with a 2 s deadline: answers / failures, p99 ms.',
    '',
    '| attack | RSS MB Gatehouse | RSS MB nginx | end, Gatehouse | end, nginx | steady client Gatehouse | steady client nginx |',
    '|---|---:|---:|---|---|---:|---:|',
  ];
  for (const [name, r] of results) {
    if (r.gatehouse.length === 0 || r.nginx.length === 0) continue;
    lines.push(`| ${name} | ${rssCell(r.gatehouse)} | ${rssCell(r.nginx)} | ${endCell(r.gatehouse)} | ${endCell(r.nginx)} | ${steadyCell(r.gatehouse)} | ${steadyCell(r.nginx)} |`);
  }
  lines.push('');
  if (crashes.length > 0) lines.push(`Process exits during the run: ${crashes.join('; ')}.`, '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const nginx = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-attacks-'));
  chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const s of stops.reverse()) await s().catch((err) => console.error(`cleanup: ${(err as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] });
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, leaf.chainPem);
    writeFileSync(keyFile, leaf.keyPem);
    const [backendPort, gHttp, gHttps, nHttp, nHttps] = (await freePorts(5, { randomStart: true })) as [number, number, number, number, number];
    const backend = await startBackend(nginx, dir, backendPort);
    stops.push(() => backend.stop());
    const gatehouse = await startGatehouse({ http: gHttp, https: gHttps }, backendPort, leaf.chainPem, leaf.keyPem);
    stops.push(() => gatehouse.stop());
    const proxy = await startNginxProxy(nginx, dir, { http: nHttp, https: nHttps }, backendPort, certFile, keyFile);
    stops.push(() => proxy.stop());
    const targets = [gatehouse, proxy];

    const attacks = BENCH_ATTACKS.filter((a) => !args.only || a.name.includes(args.only));
    const results = new Map<string, Record<Target['name'], Sample[]>>();
    const loads: number[] = [];
    const crashes: string[] = [];
    const started = new Date();
    for (const attack of attacks) {
      const r = { gatehouse: [] as Sample[], nginx: [] as Sample[] };
      results.set(attack.name, r);
      for (let round = 1; round <= ROUNDS; round++) {
        for (const t of targets) {
          if (!t.alive()) continue;
          loads.push(loadavg()[0]!);
          const s = await runOnce(attack, t, round);
          r[t.name].push(s);
          const o = s.outcome;
          console.error(
            `${attack.name} | ${t.name} #${round}: rss ${mb(s.rssBefore)}/${mb(s.rssPeak)}/${mb(s.rssAfter)} MB; ${o.codes.join(',')} ${o.ended}/${o.connections} last ${o.lastMs === undefined ? '-' : Math.round(o.lastMs)} ms, sent ${o.sent}; steady ${s.steady.ok} ok ${s.steady.failed} failed p99 ${s.steady.p99Ms.toFixed(1)} ms${s.steady.errors.length ? ` (${s.steady.errors[0]})` : ''}; ${s.wallMs} ms`,
          );
          if (!s.alive) {
            crashes.push(`${t.name} exited during "${attack.name}" round ${round}`);
            console.error(`${t.name} EXITED`);
          }
        }
      }
    }
    loads.push(loadavg()[0]!);
    const machine = `\`nproc\` ${sh('nproc', [])} (${cpus()[0]?.model.trim() ?? 'unknown'}), \`free -g\` total ${/^Mem:\s+(\d+)/m.exec(sh('free', ['-g']))?.[1] ?? Math.round(totalmem() / 2 ** 30)} GiB, Node ${sh(join(import.meta.dirname, '..', 'node_modules', '.bin', 'node'), ['--version'])}, ${sh(nginx, ['-v'])}; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round((Date.now() - started.getTime()) / 60_000)} min; 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run (the benchmark's own attacker, client and proxies, plus other engineers' work on the same 2 cores). Gatehouse tree: ${sh('git', ['rev-parse', '--short', 'HEAD'])}${sh('git', ['status', '--porcelain', '--', 'engine', 'schema', 'server', 'cli']) === '' ? '' : ' plus uncommitted engine/schema/server changes by others in progress'}.`;
    const text = report(results, machine, `npx node bench/front-door-attacks.ts${args.rounds !== '3' ? ` --rounds ${args.rounds}` : ''}${args.only ? ` --only '${args.only}'` : ''} --write`, crashes);
    console.log(text);
    writeRunJson('front-door-attacks', { machine, rounds: ROUNDS, crashes, results: Object.fromEntries(results) });
    if (args.write) writeResultsSection(SECTION, text);
  } finally {
    await cleanup();
  }
}

await main();
