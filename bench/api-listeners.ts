/**
 * api-listeners: the management server at scale. Creates N listeners (default 1,000, each on
 * its own port) through the REST API of an in-process `gatehouse serve`, and reports
 *   - the p50 / p99 latency of one create (sequential POSTs over a keep-alive connection),
 *   - the time from the first create until every listener reads `Running`,
 *   - the compile + apply time of one snapshot change with N listeners in place
 *     (target: under 100 ms for 1,000), over several single-listener PUTs.
 * Usage: npx node bench/api-listeners.ts [--listeners N] [--protocol HTTPS|HTTP] [--changes K]
 * Results go to stdout and bench/out/api-listeners-<time>.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { GatehouseServer } from '../server/runtime/gatehouse-server.ts';
import { issueCertificate } from '../test/helpers/pki.ts';
import { writeRunJson } from './bench-out.ts';
import { freePorts } from './free-ports.ts';

const { values } = parseArgs({
  options: {
    listeners: { type: 'string', default: '1000' },
    protocol: { type: 'string', default: 'HTTPS' },
    changes: { type: 'string', default: '20' },
  },
});
const N = Number(values.listeners);
const PROTOCOL = values.protocol === 'HTTP' ? 'HTTP' : 'HTTPS';
const CHANGES = Number(values.changes);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const backend = createHttpServer((_req, res) => res.end('ok'));
await new Promise<void>((ok) => backend.listen(0, '127.0.0.1', ok));
const server = await GatehouseServer.start({ dataDir: dir, host: '127.0.0.1', port: 0, env: {}, accessLog: () => {}, log: (m) => process.stderr.write(`${m}\n`) });
const agent = new Agent({ connections: 1, pipelining: 1 });
const headers = { authorization: `Bearer ${server.adminToken.token}`, 'content-type': 'application/json' };

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await request(`${server.url}${path}`, { method: method as 'GET', headers, dispatcher: agent, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

try {
  const lb = await api('POST', '/v1/load-balancers', { name: 'bench' });
  const sg = await api('POST', '/v1/server-groups', {
    name: 'bench',
    servers: [{ address: '127.0.0.1', port: (backend.address() as AddressInfo).port }],
    healthCheck: { enabled: false },
  });
  const leaf = await issueCertificate({ commonName: 'bench.example', dnsNames: ['bench.example'] });
  const cert = await api('POST', '/v1/certificates', { name: 'bench', certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
  const ports = await freePorts(N);

  const latencies: number[] = [];
  const ids: string[] = [];
  const t0 = performance.now();
  for (const port of ports) {
    const body: Record<string, unknown> = { loadBalancerId: lb.id, protocol: PROTOCOL, port, defaultServerGroupId: sg.id };
    if (PROTOCOL === 'HTTPS') body.certificates = { defaultCertificateId: cert.id };
    const s = performance.now();
    const l = await api('POST', '/v1/listeners', body);
    latencies.push(performance.now() - s);
    ids.push(l.id);
  }
  const createdAt = performance.now();
  let running = 0;
  let failed: string[] = [];
  for (;;) {
    running = 0;
    failed = [];
    let token: string | null = null;
    do {
      const page: { items: { id: string; status: string; statusReason?: string }[]; nextToken: string | null } = await api('GET', `/v1/listeners?limit=100${token ? `&nextToken=${token}` : ''}`);
      for (const l of page.items) {
        if (l.status === 'Running') running++;
        else if (l.status === 'Failed') failed.push(`${l.id}: ${l.statusReason}`);
      }
      token = page.nextToken;
    } while (token);
    if (running + failed.length >= N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const allRunning = performance.now();
  latencies.sort((a, b) => a - b);

  // One change with N listeners in place: PUT a single listener, wait until it is applied.
  const changes: { compileMs: number; applyMs: number; commitToAppliedMs: number }[] = [];
  for (let i = 0; i < CHANGES; i++) {
    // Let the applier's pacing pause run out, so each change is measured as a lone change.
    await new Promise((r) => setTimeout(r, 50 + (server.applier.lastApply?.applyMs ?? 0) * 1.5));
    const id = ids[i % ids.length]!;
    const s = performance.now();
    await api('PUT', `/v1/listeners/${id}`, { defaultServerGroupId: sg.id, idleTimeout: 16 + (i % 100), ...(PROTOCOL === 'HTTPS' ? { certificates: { defaultCertificateId: cert.id } } : {}) });
    await server.applier.settled(10_000);
    const end = performance.now();
    const last = server.applier.lastApply!;
    changes.push({ compileMs: last.compileMs, applyMs: last.applyMs, commitToAppliedMs: end - s });
  }
  const sortedBy = (k: keyof (typeof changes)[number]) => changes.map((c) => c[k]).sort((a, b) => a - b);
  const compile = sortedBy('compileMs');
  const apply = sortedBy('applyMs');
  const total = changes.map((c) => c.compileMs + c.applyMs).sort((a, b) => a - b);
  const e2e = sortedBy('commitToAppliedMs');

  const result = {
    listeners: N,
    protocol: PROTOCOL,
    node: process.version,
    createLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) },
    createAllMs: createdAt - t0,
    firstCreateToAllRunningMs: allRunning - t0,
    running,
    failed: failed.length,
    oneChange: {
      compileMs: { p50: percentile(compile, 50), max: compile.at(-1) },
      applyMs: { p50: percentile(apply, 50), max: apply.at(-1) },
      compilePlusApplyMs: { p50: percentile(total, 50), max: total.at(-1) },
      putToAppliedMs: { p50: percentile(e2e, 50), max: e2e.at(-1) },
    },
  };
  process.stdout.write(
    [
      `${N} ${PROTOCOL} listeners through the API (Node ${process.version})`,
      `  create latency        p50 ${ms(result.createLatencyMs.p50)}  p99 ${ms(result.createLatencyMs.p99)}  max ${ms(result.createLatencyMs.max!)}`,
      `  all creates answered  ${ms(result.createAllMs)}`,
      `  first create → all Running  ${ms(result.firstCreateToAllRunningMs)}  (${running} Running, ${failed.length} Failed)`,
      `  one change with ${N} in place (${CHANGES} runs):`,
      `    compile          p50 ${ms(result.oneChange.compileMs.p50)}  max ${ms(result.oneChange.compileMs.max!)}`,
      `    engine apply     p50 ${ms(result.oneChange.applyMs.p50)}  max ${ms(result.oneChange.applyMs.max!)}`,
      `    compile + apply  p50 ${ms(result.oneChange.compilePlusApplyMs.p50)}  max ${ms(result.oneChange.compilePlusApplyMs.max!)}  (target < 100 ms)`,
      `    PUT → applied    p50 ${ms(result.oneChange.putToAppliedMs.p50)}  max ${ms(result.oneChange.putToAppliedMs.max!)}`,
      ...failed.slice(0, 3).map((f) => `  failed: ${f}`),
      '',
    ].join('\n'),
  );
  writeRunJson('api-listeners', result);
} finally {
  await agent.close();
  await server.close(1000);
  await new Promise<void>((ok) => backend.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
}
