/**
 * http3: HTTP/3 requests per second and latency through a QUIC listener of `gatehouse serve`,
 * against the same requests over HTTPS/HTTP/2 to an HTTPS listener of the same server, on the
 * same machine, in interleaved rounds (h3, h2, h2, h3, …) so the machine's drift falls on both.
 *
 * Serve runs as users start it (`gatehouse serve` with a fresh data folder, default workers: one
 * per CPU; SPEC 2.2 puts QUIC listeners on worker 1, HTTPS on every worker). One load balancer,
 * one server group in front of a small backend (a separate Node process answering 2 bytes), one
 * HTTPS listener (HTTP/2 on) that upgrades to one QUIC listener, both with one EC P-256
 * certificate. No HTTP/3 load generator is packaged here (Debian's h2load has no HTTP/3), so
 * both loads come from Node clients in this process, alike: `--connections` connections, each
 * with `--streams` request loops (one request in flight per loop), for `--duration` s per round —
 * HTTP/3 with the QUIC library's own client, HTTP/2 with node:http2. Every answer is checked
 * (status 200, body `ok`); errors are counted.
 *
 *   npx node bench/http3.ts [--rounds 6] [--duration 5] [--connections 4] [--streams 8] [--write]
 *
 * --write puts the section into bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCa, issueCertificate } from '../test/helpers/pki.ts';
import { GatehouseServe } from '../test/helpers/gatehouse-serve.ts';
import { h3Connect, h3Request, type H3ClientSession } from '../test/engine/quic/quic-support.ts';
import { apiOk, waitRunning, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { treeCpuMs } from './process-cpu.ts';
import { osName, utc } from './run-facts.ts';
import { median, positiveCount } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '4' },
    streams: { type: 'string', default: '8' },
    write: { type: 'boolean', default: false },
  },
});
const rounds = positiveCount('rounds', args.rounds);
const durationS = positiveCount('duration', args.duration);
const connections = positiveCount('connections', args.connections);
const streams = positiveCount('streams', args.streams);

const HEADING = '## HTTP/3 (QUIC listener) against HTTPS/HTTP/2';

/** RoundResult is one round of one protocol. */
interface RoundResult {
  readonly protocol: 'h3' | 'h2';
  readonly requests: number;
  readonly errors: number;
  readonly reqPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of the whole `gatehouse serve` process tree per answered request, µs. */
  readonly serveCpuUsPerRequest: number;
}

/** Client sends one GET and resolves when its answer is read whole and checked. */
type Client = { get(): Promise<void>; close(): Promise<void> };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function h3Client(port: number): Promise<Client> {
  const session: H3ClientSession = await h3Connect(port);
  return {
    get: async () => {
      const reply = await h3Request(session, port, '/', {}, undefined, 10_000);
      if (reply.status !== 200 || reply.body !== 'ok') throw new Error(`h3 answer ${reply.status}`);
    },
    close: () => session.close(),
  };
}

async function h2Client(port: number): Promise<Client> {
  const session: ClientHttp2Session = http2Connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return {
    get: () =>
      new Promise<void>((resolve, reject) => {
        const stream = session.request({ ':path': '/', ':authority': `localhost:${port}` });
        let status = 0;
        let body = '';
        stream.setEncoding('utf8');
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (c: string) => (body += c));
        stream.on('end', () => (status === 200 && body === 'ok' ? resolve() : reject(new Error(`h2 answer ${status}`))));
        stream.on('error', reject);
      }),
    close: () => new Promise<void>((resolve) => session.close(() => resolve())),
  };
}

async function round(protocol: 'h3' | 'h2', port: number, servePid: number): Promise<RoundResult> {
  const clients = await Promise.all(Array.from({ length: connections }, () => (protocol === 'h3' ? h3Client(port) : h2Client(port))));
  // Warm-up: one request per connection, not counted.
  await Promise.all(clients.map((c) => c.get()));
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = treeCpuMs([servePid]);
  const started = performance.now();
  const end = started + durationS * 1000;
  await Promise.all(
    clients.flatMap((client) =>
      Array.from({ length: streams }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          try {
            await client.get();
            latencies.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
      }),
    ),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpuMs = treeCpuMs([servePid]) - cpuBefore;
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  latencies.sort((a, b) => a - b);
  return { protocol, requests: latencies.length, errors, reqPerS: latencies.length / elapsedS, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), serveCpuUsPerRequest: (cpuMs * 1000) / Math.max(1, latencies.length) };
}

/** startBackend runs the backend in a process of its own: 200 `ok` to everything. */
async function startBackend(port: number): Promise<() => void> {
  const code = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }); s.end('ok'); }); }).listen(${port}, '127.0.0.1', () => console.log('up'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return () => child.kill('SIGKILL');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const [backendPort, httpsPort, quicPort] = await freePorts(3);
  const stopBackend = await startBackend(backendPort!);
  const serve = await GatehouseServe.startFresh();
  try {
    const leaf = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, await createCa('bench CA'));
    const lb = await apiOk(serve, 'POST', '/v1/load-balancers', { name: 'h3-bench' });
    const group = await apiOk(serve, 'POST', '/v1/server-groups', { name: 'h3-bench', servers: [{ address: '127.0.0.1', port: backendPort, weight: 1 }], healthCheck: { enabled: false } });
    const cert = await apiOk(serve, 'POST', '/v1/certificates', { name: 'h3-bench', certificatePem: leaf.chainPem, privateKeyPem: leaf.keyPem });
    const quic = await apiOk(serve, 'POST', '/v1/quic-listeners', { loadBalancerId: lb.id, port: quicPort, defaultServerGroupId: group.id, certificates: { defaultCertificateId: cert.id } });
    const https = await apiOk(serve, 'POST', '/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTPS', port: httpsPort, defaultServerGroupId: group.id, certificates: { defaultCertificateId: cert.id }, quic: { upgradeEnabled: true, quicListenerId: quic.id } });
    await waitRunning(serve, [https.id]);
    const quicState = await apiOk(serve, 'GET', `/v1/quic-listeners/${quic.id as string}`);
    if (quicState.status !== 'Running') throw new Error(`QUIC listener ${quic.id as string}: ${quicState.status} ${quicState.statusReason ?? ''}`);
    const healthz = await apiOk(serve, 'GET', '/v1/healthz');
    const workers = healthz.engine?.workers?.length ?? 1;
    const results: RoundResult[] = [];
    for (let i = 0; i < rounds; i++) {
      const order: ('h3' | 'h2')[] = i % 2 === 0 ? ['h3', 'h2'] : ['h2', 'h3'];
      for (const protocol of order) {
        const r = await round(protocol, protocol === 'h3' ? quicPort! : httpsPort!, serve.child.pid!);
        results.push(r);
        console.log(`round ${i + 1} ${protocol}: ${r.reqPerS.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, serve CPU ${r.serveCpuUsPerRequest.toFixed(0)} µs/req, ${r.errors} errors`);
      }
    }
    const endedAt = new Date();
    const summary = (protocol: 'h3' | 'h2') => {
      const rs = results.filter((r) => r.protocol === protocol);
      return { reqPerS: median(rs.map((r) => r.reqPerS)), p50: median(rs.map((r) => r.p50Ms)), p99: median(rs.map((r) => r.p99Ms)), cpu: median(rs.map((r) => r.serveCpuUsPerRequest)), errors: rs.reduce((n, r) => n + r.errors, 0), requests: rs.reduce((n, r) => n + r.requests, 0) };
    };
    const h3 = summary('h3');
    const h2 = summary('h2');
    const row = (name: string, s: ReturnType<typeof summary>) => `| ${name} | ${s.reqPerS.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.cpu.toFixed(0)} | ${s.requests} | ${s.errors} |`;
    const section = [
      HEADING,
      '',
      `\`npx node bench/http3.ts --rounds ${rounds} --duration ${durationS} --connections ${connections} --streams ${streams}\` — the file's comment says`,
      'how: `gatehouse serve` as users start it, one HTTPS listener (HTTP/2) and the QUIC listener it',
      'upgrades to, in front of one backend process; both loads from Node clients in the bench process',
      `(${connections} connections × ${streams} request loops, one request in flight per loop), rounds interleaved h3/h2.`,
      `Columns are medians over ${rounds} rounds of ${durationS} s per protocol.`,
      '',
      `Machine: ${availableParallelism()} vCPUs (${cpus()[0]?.model ?? 'unknown'}), ${osName()}, Node ${process.version};`,
      `${utc(startedAt)} – ${utc(endedAt)}; load average ${loadBefore[0]!.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after;`,
      `${workers} engine worker(s): HTTP/2 served by all of them, HTTP/3 by worker 1 (SPEC 2.2).`,
      '',
      '| protocol | req/s | p50 ms | p99 ms | serve CPU µs/request | requests | errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
      row('HTTP/3 (QUIC listener)', h3),
      row('HTTP/2 (HTTPS listener)', h2),
      '',
      `HTTP/3 / HTTP/2 throughput: ${(h3.reqPerS / h2.reqPerS).toFixed(2)}; serve CPU per request: ${(h3.cpu / h2.cpu).toFixed(2)}.`,
      'Serve CPU is the whole `gatehouse serve` process tree (supervisor and workers) over the round, per',
      'answered request. The clients run on the same 2 CPUs: the QUIC library\'s client costs this process',
      'more than node:http2 does, so req/s mixes client and server cost; the CPU column is the server\'s.',
      'HTTP/3 is served by one worker process (SPEC 2.2), HTTP/2 by every worker.',
      '',
    ].join('\n');
    console.log(`\n${section}`);
    if (args.write) writeResultsSection(HEADING, section);
  } finally {
    await serve.close();
    stopBackend();
  }
}

await main();
