/**
 * pulumi-200: a Pulumi program of 200 Gatehouse resources (1 load balancer, 1 certificate,
 * 66 server groups, 132 HTTPS listeners; bench/pulumi-program.ts) run through the stand-in
 * engine (test/harness) and the real provider plugin against a real `gatehouse serve` child
 * process: preview of a new stack, up, preview and up with nothing to change, destroy. For each
 * it reports the whole operation; the provider's time as the harness measures it — wall time
 * with at least one plugin gRPC call in flight (`durations.providerWall`), and every call's
 * duration summed (`durations.provider`; the engine runs resources in parallel, so calls
 * overlap and queue in the one plugin process, and the sum far exceeds the wall time); the
 * provider's share of the operation (wall); per resource; and the mean latency of one call of
 * each method. Target: preview of 200 resources under 2 s of provider time.
 *
 *   npx node bench/pulumi-200.ts [--count 200] [--rounds 3]
 *
 * Each round runs the whole sequence on a fresh stack; the table shows each column's median.
 *
 * Results go to stdout (a Markdown table) and bench/out/pulumi-200-<time>.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runProgram, secret, type RunMode, type RunResult } from '../test/harness/index.ts';
import { createCa, issueCertificate } from '../test/helpers/pki.ts';
import { EchoBackend } from '../test/e2e/support/echo-backend.ts';
import { GatehouseServe, PLUGIN } from '../test/helpers/gatehouse-serve.ts';
import { writeRunJson } from './bench-out.ts';
import { freePorts } from './free-ports.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } } });
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
const PROGRAM = fileURLToPath(new URL('./pulumi-program.ts', import.meta.url));
const groups = Math.max(1, Math.floor((COUNT - 2) / 3));
const listeners = COUNT - 2 - groups;

/** Row is one measured operation. */
interface Row {
  operation: string;
  totalMs: number;
  providerWallMs: number;
  providerSummedMs: number;
  programMs: number;
  calls: number;
  /** Per plugin method: number of calls and mean ms. */
  methods: Record<string, { calls: number; meanMs: number }>;
}

function byMethod(r: RunResult): Row['methods'] {
  const out: Row['methods'] = {};
  for (const c of r.providerCalls) {
    const m = (out[c.method] ??= { calls: 0, meanMs: 0 });
    m.meanMs = (m.meanMs * m.calls + c.ms) / (m.calls + 1);
    m.calls++;
  }
  return out;
}

const server = await GatehouseServe.startFresh();
const backend = await EchoBackend.start('bench');
const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-pulumi-'));
const rows: Row[] = [];
try {
  const ca = await createCa('Bench CA');
  const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
  await writeFile(join(dir, 'site.pem'), cert.chainPem);
  await writeFile(join(dir, 'site.key'), cert.keyPem, { mode: 0o600 });
  const config = {
    'gatehouse:endpoint': server.url,
    'gatehouse:token': secret(server.token),
    count: String(COUNT),
    ports: JSON.stringify(await freePorts(listeners, { randomStart: true })),
    backend: backend.hostPort,
    certFile: join(dir, 'site.pem'),
    keyFile: join(dir, 'site.key'),
  };

  const run = async (operation: string, mode: RunMode): Promise<RunResult> => {
    const r = await runProgram({
      mode,
      programFile: PROGRAM,
      project: 'gatehouse-bench',
      pluginPath: PLUGIN,
      statePath: join(dir, 'stack.json'),
      config,
      timeoutMs: 600_000,
    });
    if (!r.ok) throw new Error(`${operation} failed: ${r.error}\n${r.pluginOutput.slice(-4000)}`);
    const touched = r.steps.filter((s) => s.type.startsWith('gatehouse:index:')).length;
    if (touched !== COUNT) throw new Error(`${operation}: ${touched} resource steps, expected ${COUNT}`);
    const d = r.durations;
    rows.push({ operation, totalMs: d.total, providerWallMs: d.providerWall, providerSummedMs: d.provider, programMs: d.program, calls: r.providerCalls.length, methods: byMethod(r) });
    process.stderr.write(`${operation}: ${d.total.toFixed(0)} ms, provider ${d.providerWall.toFixed(0)} ms wall, ${d.provider.toFixed(0)} ms summed\n`);
    return r;
  };

  for (let round = 1; round <= ROUNDS; round++) {
    process.stderr.write(`round ${round} of ${ROUNDS}\n`);
    await rm(join(dir, 'stack.json'), { force: true });
    await run('preview (new stack)', 'preview');
    const up = await run('up (create all)', 'up');
    if (up.outputs.firstListenerStatus !== 'Running') throw new Error(`listener status ${String(up.outputs.firstListenerStatus)}`);
    const live = await server.counts();
    if (live.listeners !== listeners || live['server-groups'] !== groups) throw new Error(`server holds ${JSON.stringify(live)}`);
    const notRunning = (await server.list('listeners')).filter((l) => l.status !== 'Running');
    if (notRunning.length > 0) throw new Error(`${notRunning.length} listeners are not Running`);
    await run('preview (no changes)', 'preview');
    const noop = await run('up (no changes)', 'up');
    const changed = noop.steps.filter((s) => s.type.startsWith('gatehouse:index:') && s.op !== 'same');
    if (changed.length > 0) throw new Error(`no-op up changed ${changed.length} resources`);
    await run('destroy', 'destroy');
    const after = await server.counts();
    if (Object.values(after).some((n) => n !== 0)) throw new Error(`server not empty after destroy: ${JSON.stringify(after)}`);
  }
} finally {
  await server.close();
  await backend.close();
  await rm(dir, { recursive: true, force: true });
}

const f = (n: number) => n.toFixed(0);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** medianRows: per operation, the median of each column over the rounds. */
function medianRows(all: Row[]): Row[] {
  const ops = [...new Set(all.map((r) => r.operation))];
  return ops.map((operation) => {
    const rs = all.filter((r) => r.operation === operation);
    const methods: Row['methods'] = {};
    for (const name of Object.keys(rs[0]!.methods)) {
      methods[name] = { calls: rs[0]!.methods[name]!.calls, meanMs: median(rs.map((r) => r.methods[name]?.meanMs ?? 0)) };
    }
    return {
      operation,
      totalMs: median(rs.map((r) => r.totalMs)),
      providerWallMs: median(rs.map((r) => r.providerWallMs)),
      providerSummedMs: median(rs.map((r) => r.providerSummedMs)),
      programMs: median(rs.map((r) => r.programMs)),
      calls: rs[0]!.calls,
      methods,
    };
  });
}
/** methodsText: the resource methods (check, diff, create, …) with their count and mean latency. */
function methodsText(r: Row): string {
  return Object.entries(r.methods)
    .filter(([, m]) => m.calls >= COUNT / 2)
    .map(([name, m]) => `${name} ×${m.calls}: ${m.meanMs.toFixed(0)}`)
    .join(', ');
}
const lines = [
  `${COUNT} resources (1 load balancer, 1 certificate, ${groups} server groups, ${listeners} HTTPS listeners); node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  `median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}; provider share = provider ms (wall) / total ms`,
  '',
  '| operation | total ms | provider ms (wall) | provider share | total ms / resource | provider ms / resource | provider ms summed over calls | program process ms | plugin calls: mean ms per call |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ...medianRows(rows).map(
    (r) =>
      `| ${r.operation} | ${f(r.totalMs)} | ${f(r.providerWallMs)} | ${((100 * r.providerWallMs) / r.totalMs).toFixed(0)} % | ${(r.totalMs / COUNT).toFixed(1)} | ${(r.providerWallMs / COUNT).toFixed(1)} | ${f(r.providerSummedMs)} | ${r.programMs > 0 ? f(r.programMs) : '—'} | ${methodsText(r)} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
writeRunJson('pulumi-200', { count: COUNT, groups, listeners, rounds: ROUNDS, node: process.version, median: medianRows(rows), rows });
