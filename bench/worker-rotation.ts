/**
 * worker-rotation: how soon every engine worker of `gatehouse serve` serves a rotated
 * certificate shared by many HTTPS listeners, counted from the moment the management API
 * answers the PUT. Target: 1,000 listeners, every worker within 100 ms (p99) of the answer.
 *
 * Serve runs as users run it (bench/serve-contender.ts: the command itself, access log to its
 * stdout — a file —, metrics on, N engine workers by GATEHOUSE_WORKERS) in front of an nginx
 * backend; this script adds the other listeners through the API, all on free ports, all with
 * the one certificate (EC P-256 from a CA made here) as default, and waits until all read
 * `Running`. Clients (`--clients` loops in this process) then keep opening NEW TLS connections
 * — no session reuse, the CA checked, the certificate's name as SNI — to random listeners and
 * record each handshake's start, end and the certificate it was served. The kernel hands each
 * new connection to any worker (SO_REUSEPORT), so the samples cover every worker.
 *
 * Each rotation PUTs the certificate with the next leaf (same name); T0 is when the answer
 * arrives. The rotation's latency is the latest start, after T0, of a handshake still served
 * the old certificate (0 when none started after T0). It is a lower bound of when the last
 * worker switched, off by at most the gap between two samples landing on that worker (reported
 * as "sample gap per worker"). Clients run on until 1 s after the last old handshake, then the
 * next rotation follows. With `--workers 2,1` the nodes are measured one after the other (each
 * started fresh), not interleaved.
 *
 *   npx node bench/worker-rotation.ts [--workers <nproc>[,1]] [--listeners 1000] [--rotations 20]
 *        [--clients 4] [--write]
 *
 * --write puts the section into bench/RESULTS.md; the figures of every rotation go to
 * bench/out/worker-rotation-<time>.json.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from 'node:tls';
import { parseArgs } from 'node:util';
import { createCa, issueCertificate, type Issued } from '../test/helpers/pki.ts';
import { writeRunJson } from './bench-out.ts';
import { apiOk, waitRunning, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { startComparison, type Comparison } from './proxy-contenders.ts';
import { descendants } from './process-cpu.ts';
import { startServeContender } from './serve-contender.ts';
import { osName, utc } from './run-facts.ts';
import { median, positiveCount } from './stats.ts';

const HEADING = '## Certificate rotation across workers: 1,000 listeners';
/** SNI is the name every leaf carries and every client asks for. */
const SNI = 'rotate.bench';
/** CREATE_CONCURRENCY is how many listener POSTs are in flight at once. */
const CREATE_CONCURRENCY = 8;
/** SETTLE_MS: clients run this long after T0 and after the last old handshake before the next rotation. */
const SETTLE_MS = 1000;
/** CONVERGE_MS bounds one rotation: past it, the rotation counts as not converged. */
const CONVERGE_MS = 30_000;
/** HANDSHAKE_TIMEOUT_MS bounds one handshake (then it counts as an error). */
const HANDSHAKE_TIMEOUT_MS = 5000;
/** WARM_UP_MS: clients run this long before the first rotation. */
const WARM_UP_MS = 1000;

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: String(availableParallelism()) },
    listeners: { type: 'string', default: '1000' },
    rotations: { type: 'string', default: '20' },
    clients: { type: 'string', default: '4' },
    write: { type: 'boolean', default: false },
  },
});

const workerCounts = [...new Set(args.workers.split(',').map((w) => positiveCount('workers', w.trim())))];
const listenerCount = positiveCount('listeners', args.listeners);
const rotations = positiveCount('rotations', args.rotations);
const clientCount = positiveCount('clients', args.clients);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Handshake is one new TLS connection: when it started and ended (performance.now()) and which leaf it was served (-1: another certificate; undefined: it failed). */
interface Handshake {
  start: number;
  end: number;
  leaf: number | undefined;
}

/**
 * Sampler keeps `clients` loops opening new TLS connections to random ports, each handshake
 * checked against the CA, and records every one.
 */
class Sampler {
  records: Handshake[] = [];
  /** lastEnd[leaf] is when the latest handshake served that leaf ended. */
  readonly lastEnd = new Map<number, number>();
  readonly #inflight = new Set<number>();
  #running = true;
  readonly #loops: Promise<void>[];

  readonly ports: readonly number[];
  readonly caPem: string;
  readonly leafBySha1: ReadonlyMap<string, number>;

  constructor(ports: readonly number[], caPem: string, leafBySha1: ReadonlyMap<string, number>, clients: number) {
    this.ports = ports;
    this.caPem = caPem;
    this.leafBySha1 = leafBySha1;
    this.#loops = Array.from({ length: clients }, async () => {
      while (this.#running) await this.handshake(this.ports[Math.floor(Math.random() * this.ports.length)]!);
    });
  }

  /** handshake opens one connection to `port` and records it. */
  handshake(port: number): Promise<Handshake> {
    const start = performance.now();
    this.#inflight.add(start);
    return new Promise((resolve) => {
      let done = false;
      const finish = (leaf: number | undefined) => {
        if (done) return;
        done = true;
        const h: Handshake = { start, end: performance.now(), leaf };
        this.#inflight.delete(start);
        this.records.push(h);
        if (leaf !== undefined) this.lastEnd.set(leaf, h.end);
        socket.destroy();
        resolve(h);
      };
      const socket = connect({ host: '127.0.0.1', port, servername: SNI, ca: this.caPem, rejectUnauthorized: true }, () => {
        const sha1 = socket.getPeerCertificate().fingerprint?.replaceAll(':', '').toLowerCase() ?? '';
        finish(this.leafBySha1.get(sha1) ?? -1);
      });
      socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => finish(undefined));
      socket.once('error', () => finish(undefined));
    });
  }

  /** settled waits (bounded) until no handshake that started at or before `t` is in flight. */
  async settled(t: number): Promise<void> {
    const deadline = performance.now() + HANDSHAKE_TIMEOUT_MS + 1000;
    while ([...this.#inflight].some((s) => s <= t) && performance.now() < deadline) await sleep(5);
  }

  /** stop ends the loops (bounded by the handshake timeout). */
  async stop(): Promise<void> {
    this.#running = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.#loops), new Promise<void>((r) => (timer = setTimeout(r, HANDSHAKE_TIMEOUT_MS + 1000)))]);
    clearTimeout(timer);
  }
}

/** Rotation is one rotation's figures; times in ms relative to T0 (the API's answer). */
interface Rotation {
  rotation: number;
  putMs: number;
  /** Latest start of a handshake served the old certificate, 0 when none started after T0. */
  latencyMs: number;
  oldAfterT0: number;
  /** Latest end of a handshake served the old certificate (null: none in the window); the worker chose the certificate between its start and end. */
  lastOldEndMs: number | null;
  /** Latest start of a handshake served the old certificate, relative to when the PUT was sent (null: none in the window). */
  lastOldFromSendMs: number | null;
  /** Start and end of the first handshake served the new certificate. */
  firstNewStartMs: number | null;
  firstNewEndMs: number | null;
  /** Handshakes that started between the PUT and the end of the window, and those after T0. */
  sampled: number;
  sampledAfterT0: number;
  /** Window length after T0, ms. */
  windowMs: number;
  errors: number;
  /** Handshakes served neither the old nor the new certificate. */
  other: number;
  converged: boolean;
}

/** ConfigMetrics is the node's gatehouse_config_* histograms at one moment: sum (s), count, and bucket counts by `le`. */
interface ConfigMetrics {
  apply: { sum: number; count: number; buckets: Map<string, number> };
  compile: { sum: number; count: number; buckets: Map<string, number> };
}

/** NodeResult is one node (one worker count) measured. */
interface NodeResult {
  workers: number;
  processes: number;
  workersRunning: number | null;
  listeners: number;
  createMs: number;
  rotations: Rotation[];
  applyMetrics: { count: number; meanMs: number; maxBucketMs: string } | null;
  compileMetrics: { count: number; meanMs: number; maxBucketMs: string } | null;
}

function parseHistogram(text: string, name: string): ConfigMetrics['apply'] | undefined {
  const sum = new RegExp(`^${name}_sum(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  const count = new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  if (!sum || !count) return undefined;
  const buckets = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))) buckets.set(m[1]!, (buckets.get(m[1]!) ?? 0) + Number(m[2]));
  return { sum: Number(sum[1]), count: Number(count[1]), buckets };
}

async function configMetrics(endpoint: string, token: string): Promise<ConfigMetrics | undefined> {
  try {
    const res = await fetch(`${endpoint}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    const text = await res.text();
    const apply = parseHistogram(text, 'gatehouse_config_apply_duration_seconds');
    const compile = parseHistogram(text, 'gatehouse_config_compile_duration_seconds');
    return apply && compile ? { apply, compile } : undefined;
  } catch {
    return undefined;
  }
}

/** histogramDelta is what was observed between two readings: count, mean (ms) and the smallest bucket holding every new observation. */
function histogramDelta(before: ConfigMetrics['apply'], after: ConfigMetrics['apply']): { count: number; meanMs: number; maxBucketMs: string } {
  const count = after.count - before.count;
  let maxBucketMs = '> largest bucket';
  const les = [...after.buckets.keys()].filter((le) => le !== '+Inf').sort((a, b) => Number(a) - Number(b));
  for (const le of les) {
    if ((after.buckets.get(le) ?? 0) - (before.buckets.get(le) ?? 0) === count) {
      maxBucketMs = `≤ ${Number(le) * 1000} ms`;
      break;
    }
  }
  return { count, meanMs: count > 0 ? ((after.sum - before.sum) * 1000) / count : Number.NaN, maxBucketMs };
}

/** pool runs `task` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]!);
      }
    }),
  );
  return results;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** nearestRank is the p-th percentile by nearest rank (with 20 values, p99 is the largest). */
function nearestRank(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

function fixed(v: number | null, digits = 1): string {
  return v !== null && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** measureNode starts serve with `workers` engine workers, configures it and measures every rotation. */
async function measureNode(workers: number, leaves: readonly Issued[], caPem: string, pki: Comparison, stamp: number): Promise<NodeResult> {
  const { outDir, backendPort } = pki;
  const stdoutFile = join(outDir, `worker-rotation-${stamp}-${workers}-stdout.log`);
  const stderrFile = join(outDir, `worker-rotation-${stamp}-${workers}-stderr.log`);
  const leafBySha1 = new Map(leaves.map((l, i) => [l.sha1, i] as const));
  const ports = await freePorts(listenerCount, { randomStart: true });
  const first = leaves[0]!;
  console.error(`workers=${workers}: starting gatehouse serve with ${listenerCount} HTTPS listeners`);
  const serve = await startServeContender({ ...pki.pki, certPem: first.certPem, keyPem: first.keyPem }, ports[0]!, backendPort, { workers, stdoutFile, stderrFile });
  let sampler: Sampler | undefined;
  let failed = false;
  try {
    const caller = serve;
    // The contender made the load balancer, group, certificate and one listener: the others join them.
    const page = await apiOk(caller, 'GET', '/v1/listeners');
    const model = page.items[0];
    const certId: string = model.certificates.defaultCertificateId;
    const cert = await apiOk(caller, 'GET', `/v1/certificates/${certId}`);
    const createStart = performance.now();
    const created = await pool(ports.slice(1), CREATE_CONCURRENCY, (port) =>
      apiOk(caller, 'POST', '/v1/listeners', {
        loadBalancerId: model.loadBalancerId,
        protocol: 'HTTPS',
        port,
        defaultServerGroupId: model.defaultServerGroupId,
        certificates: { defaultCertificateId: certId },
      }),
    );
    await waitRunning(caller, [model.id, ...created.map((l: { id: string }) => l.id)], Math.max(60_000, listenerCount * 200));
    const createMs = performance.now() - createStart;
    const health = await apiOk(caller, 'GET', '/v1/healthz');
    const workersRunning: number | null = health.engine?.mode === 'workers' ? health.engine.workers.filter((w: { state: string }) => w.state === 'running').length : health.engine ? 1 : null;
    const processes = descendants(serve.pids()).length;
    console.error(`workers=${workers}: ${listenerCount} listeners Running after ${(createMs / 1000).toFixed(1)} s; engine ${health.engine?.mode ?? '?'}, ${workersRunning ?? '?'} running, ${processes} processes`);

    sampler = new Sampler(ports, caPem, leafBySha1, 0);
    // Every listener serves the first leaf before the rotations start.
    const sweep = await pool(ports, CREATE_CONCURRENCY, (port) => sampler!.handshake(port));
    const wrong = sweep.filter((h) => h.leaf !== 0).length;
    if (wrong > 0) throw new Error(`${wrong} of ${ports.length} listeners did not serve the first certificate`);
    sampler = new Sampler(ports, caPem, leafBySha1, clientCount);
    await sleep(WARM_UP_MS);

    const metricsBefore = await configMetrics(serve.endpoint, serve.token);
    const results: Rotation[] = [];
    for (let r = 1; r <= rotations; r++) {
      const leaf = leaves[r]!;
      const sent = performance.now();
      await apiOk(caller, 'PUT', `/v1/certificates/${certId}`, { name: cert.name, certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
      const t0 = performance.now();
      let converged = true;
      for (;;) {
        await sleep(10);
        const now = performance.now();
        const newSeen = (sampler.lastEnd.get(r) ?? -Infinity) >= sent;
        const lastOld = Math.max(t0, sampler.lastEnd.get(r - 1) ?? -Infinity);
        if (newSeen && now - t0 >= SETTLE_MS && now - lastOld >= SETTLE_MS) break;
        if (now - t0 > CONVERGE_MS) {
          converged = false;
          break;
        }
      }
      const windowEnd = performance.now();
      await sampler.settled(windowEnd);
      const inWindow = sampler.records.filter((h) => h.start >= sent && h.start <= windowEnd);
      const afterT0 = inWindow.filter((h) => h.start >= t0);
      const oldAfter = afterT0.filter((h) => h.leaf === r - 1);
      const oldInWindow = inWindow.filter((h) => h.leaf === r - 1);
      const firstNew = inWindow.filter((h) => h.leaf === r).sort((a, b) => a.end - b.end)[0];
      const rot: Rotation = {
        rotation: r,
        putMs: t0 - sent,
        latencyMs: oldAfter.reduce((m, h) => Math.max(m, h.start - t0), 0),
        oldAfterT0: oldAfter.length,
        lastOldEndMs: oldInWindow.length === 0 ? null : oldInWindow.reduce((m, h) => Math.max(m, h.end - t0), -Infinity),
        lastOldFromSendMs: oldInWindow.length === 0 ? null : oldInWindow.reduce((m, h) => Math.max(m, h.start - sent), -Infinity),
        firstNewStartMs: firstNew ? firstNew.start - t0 : null,
        firstNewEndMs: firstNew ? firstNew.end - t0 : null,
        sampled: inWindow.length,
        sampledAfterT0: afterT0.length,
        windowMs: windowEnd - t0,
        errors: inWindow.filter((h) => h.leaf === undefined).length,
        other: inWindow.filter((h) => h.leaf !== undefined && h.leaf !== r && h.leaf !== r - 1).length,
        converged,
      };
      results.push(rot);
      console.error(
        `workers=${workers} rotation ${String(r).padStart(2)}: latency ${fixed(rot.latencyMs, 2)} ms (${rot.oldAfterT0} old after the answer; last old start ${fixed(rot.lastOldFromSendMs, 2)} ms after the send, last old end ${fixed(rot.lastOldEndMs, 2)} ms), first new ends at ${fixed(rot.firstNewEndMs, 2)} ms, PUT ${fixed(rot.putMs, 1)} ms, ${rot.sampled} handshakes, ${rot.errors} errors${converged ? '' : ', NOT CONVERGED'}`,
      );
      // Keep memory flat: earlier windows are done with.
      sampler.records = sampler.records.filter((h) => h.start > windowEnd);
    }
    const metricsAfter = await configMetrics(serve.endpoint, serve.token);
    return {
      workers,
      processes,
      workersRunning,
      listeners: listenerCount,
      createMs,
      rotations: results,
      applyMetrics: metricsBefore && metricsAfter ? histogramDelta(metricsBefore.apply, metricsAfter.apply) : null,
      compileMetrics: metricsBefore && metricsAfter ? histogramDelta(metricsBefore.compile, metricsAfter.compile) : null,
    };
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await sampler?.stop();
    await serve.stop();
    rmSync(stdoutFile, { force: true });
    if (!failed) rmSync(stderrFile, { force: true });
    else console.error(`serve's stderr kept in ${stderrFile}`);
  }
}

/** Summary is what the table shows of one node. */
interface Summary {
  median: number;
  p90: number;
  p99: number;
  max: number;
  withOld: number;
  firstNewEnd: number;
  lastOldFromSend: number;
  lastOldEndMedian: number;
  lastOldEndMax: number;
  put: number;
  sampledMedian: number;
  sampledMin: number;
  gapPerWorkerMs: number;
  errors: number;
  other: number;
  notConverged: number;
}

function summarize(n: NodeResult): Summary {
  const rs = n.rotations;
  const lat = rs.map((r) => r.latencyMs);
  // Samples per ms after T0 over the windows; each worker gets 1/N of them.
  const rate = rs.reduce((a, r) => a + r.sampledAfterT0, 0) / rs.reduce((a, r) => a + r.windowMs, 0);
  return {
    median: median(lat),
    p90: nearestRank(lat, 0.9),
    p99: nearestRank(lat, 0.99),
    max: Math.max(...lat),
    withOld: rs.filter((r) => r.oldAfterT0 > 0).length,
    firstNewEnd: median(rs.flatMap((r) => (r.firstNewEndMs === null ? [] : [r.firstNewEndMs]))),
    lastOldFromSend: median(rs.map((r) => r.lastOldFromSendMs ?? 0)),
    lastOldEndMedian: median(rs.map((r) => Math.max(0, r.lastOldEndMs ?? 0))),
    lastOldEndMax: Math.max(...rs.map((r) => Math.max(0, r.lastOldEndMs ?? 0))),
    put: median(rs.map((r) => r.putMs)),
    sampledMedian: median(rs.map((r) => r.sampled)),
    sampledMin: Math.min(...rs.map((r) => r.sampled)),
    gapPerWorkerMs: n.workers / rate,
    errors: rs.reduce((a, r) => a + r.errors, 0),
    other: rs.reduce((a, r) => a + r.other, 0),
    notConverged: rs.filter((r) => !r.converged).length,
  };
}

/**
 * placeSection puts an empty section under HEADING right after "## Certificate rotation" in
 * bench/RESULTS.md when there is none yet, so that writeResultsSection fills it there rather than
 * at the end.
 */
function placeSection(): void {
  const file = join(import.meta.dirname, 'RESULTS.md');
  const current = readFileSync(file, 'utf8');
  if (current.includes(HEADING)) return;
  const rotation = current.indexOf('\n## Certificate rotation\n');
  if (rotation === -1) return;
  const next = current.indexOf('\n## ', rotation + 1);
  if (next === -1) return;
  writeFileSync(file, `${current.slice(0, next + 1)}${HEADING}\n\n${current.slice(next + 1)}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const stamp = Date.now();
  const command = `npx node bench/worker-rotation.ts ${process.argv.slice(2).join(' ')}`.trim();
  const ca = await createCa('Worker Rotation CA');
  const leaves: Issued[] = [];
  for (let i = 0; i <= rotations; i++) leaves.push(await issueCertificate({ commonName: `rotation-${i}`, dnsNames: [SNI] }, ca));
  // Every leaf is EC P-256 and issued by the CA (the clients check both).
  if (new X509Certificate(leaves[0]!.certPem).publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('leaf is not EC P-256');
  const comparison = await startComparison();
  const nodes: NodeResult[] = [];
  const failures: string[] = [];
  try {
    for (const w of workerCounts) {
      try {
        nodes.push(await measureNode(w, leaves, ca.certPem, comparison, stamp));
      } catch (e) {
        const message = `workers=${w}: ${(e as Error).message.split('\n').slice(0, 6).join('\n')}`;
        failures.push(message);
        console.error(`FAILED ${message}`);
      }
    }
  } finally {
    await comparison.backend.stop();
    rmSync(comparison.pki.dir, { recursive: true, force: true });
  }
  const endedAt = new Date();
  const loadAfter = loadavg();

  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  const lines: string[] = [HEADING, ''];
  lines.push(
    `\`${command}\`: \`gatehouse serve\` as users run it (bench/serve-contender.ts: access log to its stdout, a file; metrics on;`,
    `N engine workers by GATEHOUSE_WORKERS), one load balancer, one server group (an nginx backend), one EC P-256 certificate issued`,
    `by a CA and ${listenerCount.toLocaleString('en-US')} HTTPS listeners on free ports, all with that certificate as default, made through the API.`,
    `${clientCount} client loops keep opening new TLS connections (no session reuse, the CA checked, SNI = the certificate's name)`,
    `to random listeners; the kernel gives each new connection to any worker (SO_REUSEPORT), so every worker is sampled. Each of`,
    `${rotations} rotations PUTs the certificate with a new leaf; T0 is the arrival of the API's answer. *Latency* is the latest start,`,
    `after T0, of a handshake still served the old certificate (0 when none started after T0): a lower bound of when the last worker`,
    `switched, short by at most the *sample gap per worker* (workers ÷ handshakes per ms). Clients run on until 1 s after the last`,
    `old handshake, then the next rotation. p90 and p99 are nearest-rank over the ${rotations} rotations (under 100 rotations p99 is the`,
    `max). *Last old end* is when, after T0, the last handshake served the old certificate completed (0: none after T0): the worker`,
    `chose the certificate between that handshake's start and end, so the last worker switched between *latency* and *last old end*`,
    `(give or take one sample gap). *Last old start after the PUT was sent* counts from the request instead of the answer.`,
    `T0 and the handshake times are read in this one client process, whose event loop runs the handshakes too. *Apply* is the`,
    `node's gatehouse_config_apply_duration_seconds over the rotations (in workers mode: until every worker acknowledged).`,
    `With several worker counts, the nodes were measured one after the other (each started fresh), not interleaved.`,
    '',
    `Machine: ${availableParallelism()} vCPUs (nproc; ${cpuModel}), ${gib} GiB, ${osName()}, Node ${process.version}; ${utc(startedAt)} – ${utc(endedAt)};`,
    `load average (1/5/15 min) ${la(loadBefore)} before and ${la(loadAfter)} after. The clients, the backend and serve share the cores.`,
    '',
    '| workers | latency median | p90 | p99 (= max) | max | rotations with an old handshake after T0 | first new-cert handshake ends, median | last old end, median / max | last old start after the PUT was sent, median | PUT round trip, median | apply (metrics): mean, all ≤ | handshakes per rotation, median (min) | sample gap per worker | errors | not converged |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const n of nodes) {
    const s = summarize(n);
    const apply = n.applyMetrics ? `${fixed(n.applyMetrics.meanMs, 1)} ms, ${n.applyMetrics.maxBucketMs} (${n.applyMetrics.count} applies)` : '–';
    lines.push(
      `| ${n.workers} | ${fixed(s.median, 1)} ms | ${fixed(s.p90, 1)} ms | ${fixed(s.p99, 1)} ms | ${fixed(s.max, 1)} ms | ${s.withOld} of ${n.rotations.length} | ${fixed(s.firstNewEnd, 1)} ms | ${fixed(s.lastOldEndMedian, 1)} / ${fixed(s.lastOldEndMax, 1)} ms | ${fixed(s.lastOldFromSend, 1)} ms | ${fixed(s.put, 1)} ms | ${apply} | ${fixed(s.sampledMedian, 0)} (${s.sampledMin}) | ${fixed(s.gapPerWorkerMs, 2)} ms | ${s.errors + s.other} | ${s.notConverged} |`,
    );
  }
  for (const n of nodes) {
    const verdict = summarize(n).p99 <= 100 ? 'met' : 'missed';
    lines.push(
      '',
      `workers=${n.workers}: engine workers running: ${n.workersRunning ?? '?'}; processes in serve's tree: ${n.processes}; ${n.listeners} listeners created and Running in ${(n.createMs / 1000).toFixed(1)} s. ` +
        `Latency per rotation (ms): ${n.rotations.map((r) => fixed(r.latencyMs, 1)).join(', ')}. Target (p99 ≤ 100 ms): ${verdict}.` +
        (n.compileMetrics ? ` Compile (metrics): mean ${fixed(n.compileMetrics.meanMs, 1)} ms.` : ''),
    );
  }
  if (failures.length > 0) lines.push('', `Failed (${failures.length}):`, '', ...failures.map((f) => `- ${f.split('\n')[0]}`));
  const section = `${lines.join('\n')}\n`;
  console.log(`\n${section}`);
  writeRunJson('worker-rotation', { command, workerCounts, listeners: listenerCount, rotations, clients: clientCount, startedAt, endedAt, loadBefore, loadAfter, nodes, failures });
  if (args.write) {
    if (failures.length > 0) console.error('not writing bench/RESULTS.md: a node failed');
    else {
      placeSection();
      writeResultsSection(HEADING, section);
      console.error(`wrote "${HEADING.slice(3)}" into bench/RESULTS.md`);
    }
  }
  if (failures.length > 0) process.exitCode = 1;
}

await main();
