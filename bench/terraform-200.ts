/**
 * terraform-200: the real `terraform` CLI and terraform-provider-gatehouse (through a development
 * override, as terraform/README.md "Trying it" sets it up) against a real `gatehouse serve` child
 * process, with the same 200 resources as bench/pulumi-200.ts (1 load balancer, 1 certificate,
 * 66 server groups, 132 HTTPS listeners on free ports), written as HCL by this script. Each
 * sequence, on an empty state: plan of the new configuration, apply (create all), plan with no
 * changes, the same plan without the refresh (`-refresh=false`, which separates reading 200
 * resources back from planning them), apply with no changes, destroy.
 *
 * Terraform walks the graph 10 resources at a time by default, while the Pulumi engine runs all
 * 200 at once; so every round runs the sequence twice, with the default parallelism and with
 * `-parallelism=50` (alternating, A B A B …), to compare with Pulumi fairly. With `--pulumi`,
 * each round then runs `bench/pulumi-200.ts --rounds 1` too, so both tools are measured under the
 * same load on this shared machine.
 *
 * Where the time goes, without tracing (TF_LOG=trace would slow Terraform itself): CPU time
 * rather than a fake wall-time split. The CPU of each terraform run and its plugins is exact
 * (this process's reaped-children times, /proc/self/stat); the provider plugins' share is
 * sampled from /proc every 50 ms while they run (so it can be short by up to 50 ms per plugin
 * start); Terraform's own CPU is the difference; the server's CPU is read from its /proc entry
 * before and after. The number of times Terraform started the plugin is counted too.
 *
 *   npx node bench/terraform-200.ts [--count 200] [--rounds 3] [--parallelism 10,50] [--pulumi]
 *
 * Results go to stdout (Markdown tables, medians over the rounds) and
 * bench/out/terraform-200-<time>.json. Every terraform run is bounded (test/terraform/support's
 * runTerraform kills it at 60 s); the server, the backend and any Pulumi run are stopped on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EchoBackend } from '../test/e2e/support/echo-backend.ts';
import { GatehouseServe, ROOT } from '../test/helpers/gatehouse-serve.ts';
import { createCa, issueCertificate } from '../test/helpers/pki.ts';
import { runTerraform, shown, writeCliConfig, type TerraformRun } from '../test/terraform/support/terraform-cli.ts';
import { writeRunJson } from './bench-out.ts';
import { freePorts } from './free-ports.ts';
import { statTicks, TICK_MS } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    parallelism: { type: 'string', default: '10,50' },
    pulumi: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
/** PARALLELISMS: 10 is Terraform's default, run without the flag (as users run it). */
const PARALLELISMS = values.parallelism.split(',').map(Number);
const groups = Math.max(1, Math.floor((COUNT - 2) / 3));
const listeners = COUNT - 2 - groups;
/** PULUMI_TIMEOUT_MS bounds one round of bench/pulumi-200.ts (five operations and a server start). */
const PULUMI_TIMEOUT_MS = 300_000;
/** SAMPLE_MS: how often the plugins' CPU time is read from /proc while terraform runs. */
const SAMPLE_MS = 50;

/** Row is one measured terraform run. */
interface Row {
  round: number;
  parallelism: number;
  operation: string;
  wallMs: number;
  /** terraform and every plugin it started, exact. */
  cpuTotalMs: number;
  /** The provider plugins, sampled. */
  cpuProviderMs: number;
  /** cpuTotalMs − cpuProviderMs. */
  cpuTerraformMs: number;
  /** `gatehouse serve`, exact. */
  cpuServerMs: number;
  /** How many times terraform started the provider plugin. */
  pluginStarts: number;
}

/** PulumiRow is one operation of a bench/pulumi-200.ts round, as its JSON has it. */
interface PulumiRow {
  round: number;
  operation: string;
  totalMs: number;
  providerWallMs: number;
}

/** childPids lists the children of every thread of `pid` (Go starts processes from any thread). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ')) if (c.trim() !== '') out.push(Number(c));
    } catch {
      // the thread ended
    }
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * PluginSampler watches the terraform processes this process started and keeps the last CPU
 * time read of each plugin they started (its own time and its reaped children's: the launcher's
 * `node -p` version check before it execs Node).
 */
class PluginSampler {
  readonly plugins = new Map<number, number>();
  readonly terraforms = new Set<number>();
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    this.plugins.clear();
    this.terraforms.clear();
    this.#timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  sample(): void {
    for (const tf of childPids(process.pid)) {
      if (comm(tf) !== 'terraform') continue;
      this.terraforms.add(tf);
      for (const p of childPids(tf)) {
        const t = statTicks(p);
        if (t !== undefined) this.plugins.set(p, t.own + t.children);
      }
    }
  }

  stop(): { providerMs: number; starts: number } {
    clearInterval(this.#timer);
    let ticks = 0;
    for (const t of this.plugins.values()) ticks += t;
    return { providerMs: ticks * TICK_MS, starts: this.plugins.size };
  }

  /** killAll ends the terraform runs still going (on an interrupted bench). */
  killAll(): void {
    for (const tf of this.terraforms) {
      try {
        process.kill(tf, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** mainTf is the configuration: the shape of bench/pulumi-program.ts, in HCL. */
function mainTf(ports: readonly number[], backend: string): string {
  const [host, port] = backend.split(':');
  const out = [
    `terraform {
  required_providers {
    gatehouse = { source = "gatehouse/gatehouse" }
  }
}

provider "gatehouse" {}

locals {
  tags = { bench = "terraform-200" }
}

resource "gatehouse_load_balancer" "edge" {
  name = "bench-edge"
  tags = local.tags
}

resource "gatehouse_certificate" "site" {
  name            = "bench-site"
  certificate_pem = file("site.pem")
  private_key_pem = file("site.key")
  tags            = local.tags
}
`,
  ];
  for (let g = 0; g < groups; g++) {
    out.push(`resource "gatehouse_server_group" "group_${g}" {
  name         = "bench-group-${g}"
  servers      = [{ address = "${host}", port = ${port} }]
  health_check = { enabled = false }
  tags         = local.tags
}
`);
  }
  for (let i = 0; i < listeners; i++) {
    out.push(`resource "gatehouse_listener" "listener_${i}" {
  load_balancer_id        = gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = ${ports[i]}
  default_server_group_id = gatehouse_server_group.group_${i % groups}.id
  certificates            = { default_certificate_id = gatehouse_certificate.site.id }
  tags                    = local.tags
}
`);
  }
  return out.join('\n');
}

const sampler = new PluginSampler();
let pulumiChild: ChildProcess | undefined;
const server = await GatehouseServe.startFresh();
const backend = await EchoBackend.start('bench');
const home = await mkdtemp(join(tmpdir(), 'gatehouse-bench-terraform-'));
/** stopAll: on an interrupt, nothing this bench started is left running. */
const stopAll = async (signal: NodeJS.Signals) => {
  sampler.killAll();
  pulumiChild?.kill('SIGTERM');
  await server.close();
  await backend.close();
  await rm(home, { recursive: true, force: true });
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.once('SIGINT', (s) => void stopAll(s));
process.once('SIGTERM', (s) => void stopAll(s));

const rows: Row[] = [];
const pulumiRows: PulumiRow[] = [];
const loads: { round: number; at: string; loadavg: number[] }[] = [];
const serverPid = server.child.pid!;
try {
  const cliConfig = writeCliConfig(home);
  const ca = await createCa('Bench CA');
  const cert = await issueCertificate({ commonName: 'localhost', dnsNames: ['localhost'] }, ca);
  const ports = await freePorts(listeners, { randomStart: true });
  const hcl = mainTf(ports, backend.hostPort);
  const workdirs = new Map<number, string>();
  for (const p of PARALLELISMS) {
    const dir = join(home, `parallelism-${p}`);
    await mkdir(dir);
    await writeFile(join(dir, 'main.tf'), hcl);
    await writeFile(join(dir, 'site.pem'), cert.chainPem);
    await writeFile(join(dir, 'site.key'), cert.keyPem, { mode: 0o600 });
    workdirs.set(p, dir);
  }

  /** run times one terraform command, checks how it ended, and records its row. */
  const run = async (round: number, parallelism: number, operation: string, args: string[], expect: { code: number; stdout: RegExp }): Promise<TerraformRun> => {
    const flags = parallelism === 10 ? [] : [`-parallelism=${parallelism}`];
    const selfBefore = statTicks('self')!;
    const serverBefore = statTicks(serverPid)!;
    sampler.start();
    const t0 = performance.now();
    const r = await runTerraform({
      cwd: workdirs.get(parallelism)!,
      cliConfig,
      args: [args[0]!, '-no-color', '-input=false', ...flags, ...args.slice(1)],
      env: { GATEHOUSE_ENDPOINT: server.url, GATEHOUSE_TOKEN: server.token },
    });
    const wallMs = performance.now() - t0;
    const { providerMs, starts } = sampler.stop();
    const cpuTotalMs = (statTicks('self')!.children - selfBefore.children) * TICK_MS;
    const cpuServerMs = (statTicks(serverPid)!.own - serverBefore.own) * TICK_MS;
    if (r.code !== expect.code || !expect.stdout.test(r.stdout)) throw new Error(`${operation} (parallelism ${parallelism}) ended unexpectedly: ${shown(r).slice(-6000)}`);
    const row: Row = { round, parallelism, operation, wallMs, cpuTotalMs, cpuProviderMs: providerMs, cpuTerraformMs: cpuTotalMs - providerMs, cpuServerMs, pluginStarts: starts };
    rows.push(row);
    process.stderr.write(
      `  ${operation} (parallelism ${parallelism}): ${wallMs.toFixed(0)} ms; CPU terraform ${row.cpuTerraformMs} ms, provider ${providerMs} ms (${starts} starts), server ${cpuServerMs} ms\n`,
    );
    return r;
  };

  /** sequence runs the whole life of the configuration once, from an empty state to destroyed. */
  const sequence = async (round: number, p: number) => {
    await rm(join(workdirs.get(p)!, 'terraform.tfstate'), { force: true });
    await rm(join(workdirs.get(p)!, 'terraform.tfstate.backup'), { force: true });
    await run(round, p, 'plan (new)', ['plan', '-detailed-exitcode'], { code: 2, stdout: new RegExp(`Plan: ${COUNT} to add, 0 to change, 0 to destroy`) });
    await run(round, p, 'apply (create all)', ['apply', '-auto-approve'], { code: 0, stdout: new RegExp(`Apply complete! Resources: ${COUNT} added, 0 changed, 0 destroyed`) });
    const live = await server.counts();
    if (live.listeners !== listeners || live['server-groups'] !== groups) throw new Error(`server holds ${JSON.stringify(live)}`);
    const notRunning = (await server.list('listeners')).filter((l) => l.status !== 'Running');
    if (notRunning.length > 0) throw new Error(`${notRunning.length} listeners are not Running`);
    await run(round, p, 'plan (no changes)', ['plan', '-detailed-exitcode'], { code: 0, stdout: /No changes/ });
    await run(round, p, 'plan (no changes, -refresh=false)', ['plan', '-detailed-exitcode', '-refresh=false'], { code: 0, stdout: /No changes/ });
    await run(round, p, 'apply (no changes)', ['apply', '-auto-approve'], { code: 0, stdout: /Apply complete! Resources: 0 added, 0 changed, 0 destroyed/ });
    await run(round, p, 'destroy', ['destroy', '-auto-approve'], { code: 0, stdout: new RegExp(`Destroy complete! Resources: ${COUNT} destroyed`) });
    const after = await server.counts();
    if (Object.values(after).some((n) => n !== 0)) throw new Error(`server not empty after destroy: ${JSON.stringify(after)}`);
  };

  /** pulumiRound runs one round of bench/pulumi-200.ts (its own server) and keeps its rows from the JSON it writes. */
  const pulumiRound = async (round: number) => {
    const outDir = join(import.meta.dirname, 'out');
    mkdirSync(outDir, { recursive: true });
    const before = new Set(readdirSync(outDir));
    const code = await new Promise<number | null>((resolve, reject) => {
      pulumiChild = spawn(process.execPath, [join(import.meta.dirname, 'pulumi-200.ts'), '--count', String(COUNT), '--rounds', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      const timer = setTimeout(() => pulumiChild?.kill('SIGTERM'), PULUMI_TIMEOUT_MS);
      pulumiChild.once('error', reject);
      pulumiChild.once('close', (c) => {
        clearTimeout(timer);
        pulumiChild = undefined;
        resolve(c);
      });
    });
    const file = readdirSync(outDir).find((f) => f.startsWith('pulumi-200-') && !before.has(f));
    if (code !== 0 || file === undefined) throw new Error(`bench/pulumi-200.ts failed (exit ${String(code)})`);
    const data = JSON.parse(readFileSync(join(outDir, file), 'utf8')) as { rows: { operation: string; totalMs: number; providerWallMs: number }[] };
    for (const r of data.rows) pulumiRows.push({ round, operation: r.operation, totalMs: r.totalMs, providerWallMs: r.providerWallMs });
  };

  for (let round = 1; round <= ROUNDS; round++) {
    loads.push({ round, at: new Date().toISOString(), loadavg: loadavg() });
    process.stderr.write(`round ${round} of ${ROUNDS} (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
    for (const p of PARALLELISMS) await sequence(round, p);
    if (values.pulumi) {
      process.stderr.write('  pulumi-200 (one round)\n');
      await pulumiRound(round);
    }
  }
  loads.push({ round: ROUNDS + 1, at: new Date().toISOString(), loadavg: loadavg() });
} finally {
  sampler.killAll();
  pulumiChild?.kill('SIGTERM');
  await server.close();
  await backend.close();
  await rm(home, { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f = (n: number) => n.toFixed(0);
const operations = [...new Set(rows.map((r) => r.operation))];
/** medians: per parallelism and operation, the median of each column over the rounds. */
const medians = PARALLELISMS.flatMap((parallelism) =>
  operations.map((operation) => {
    const rs = rows.filter((r) => r.parallelism === parallelism && r.operation === operation);
    const m = (k: keyof Row) => median(rs.map((r) => r[k] as number));
    return {
      parallelism,
      operation,
      wallMs: m('wallMs'),
      cpuTotalMs: m('cpuTotalMs'),
      cpuProviderMs: m('cpuProviderMs'),
      cpuTerraformMs: m('cpuTerraformMs'),
      cpuServerMs: m('cpuServerMs'),
      pluginStarts: m('pluginStarts'),
      wallAllRounds: rs.map((r) => Math.round(r.wallMs)),
    };
  }),
);
const lines = [
  `${COUNT} resources (1 load balancer, 1 certificate, ${groups} server groups, ${listeners} HTTPS listeners); node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  `median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}; load average at each round's start: ${loads.map((l) => l.loadavg[0]!.toFixed(2)).join(', ')}`,
  '',
  '| operation | parallelism | wall ms | wall ms / resource | wall ms each round | CPU ms: terraform | CPU ms: provider (plugin starts) | CPU ms: server |',
  '|---|---:|---:|---:|---|---:|---:|---:|',
  ...medians.map(
    (r) =>
      `| ${r.operation} | ${r.parallelism} | ${f(r.wallMs)} | ${(r.wallMs / COUNT).toFixed(1)} | ${r.wallAllRounds.join(', ')} | ${f(r.cpuTerraformMs)} | ${f(r.cpuProviderMs)} (${f(r.pluginStarts)}) | ${f(r.cpuServerMs)} |`,
  ),
];
const pulumiMedians = [...new Set(pulumiRows.map((r) => r.operation))].map((operation) => {
  const rs = pulumiRows.filter((r) => r.operation === operation);
  return { operation, totalMs: median(rs.map((r) => r.totalMs)), providerWallMs: median(rs.map((r) => r.providerWallMs)), totalAllRounds: rs.map((r) => Math.round(r.totalMs)) };
});
if (pulumiMedians.length > 0) {
  lines.push('', 'bench/pulumi-200.ts, one round after each of the rounds above:', '', '| operation | total ms | provider ms (wall) | total ms each round |', '|---|---:|---:|---|');
  for (const r of pulumiMedians) lines.push(`| ${r.operation} | ${f(r.totalMs)} | ${f(r.providerWallMs)} | ${r.totalAllRounds.join(', ')} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
writeRunJson('terraform-200', { count: COUNT, groups, listeners, rounds: ROUNDS, parallelisms: PARALLELISMS, node: process.version, loads, medians, rows, pulumiMedians, pulumiRows });
