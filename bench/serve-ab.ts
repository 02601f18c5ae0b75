/**
 * serve-ab: did a change make `gatehouse serve` faster? The same load against `gatehouse serve`
 * built from a base revision (checked out into a temporary git worktree) and from the working
 * tree, in alternating rounds (A B, B A, A B, …) so that the machine's drift between minutes —
 * large on shared machines — falls on both alike; medians of req/s and of CPU µs per request
 * (the whole process tree: supervisor and workers), and the ratio of the working tree to the
 * base. As users run it: access log on, metrics on, one HTTPS listener in front of the nginx
 * backend of the other benchmarks.
 *
 *   npx node bench/serve-ab.ts [--base HEAD~1] [--load keepalive|close|h2] [--rounds 6] [--duration 6] [--workers 2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePorts } from './free-ports.ts';
import { treeCpuMs } from './process-cpu.ts';
import { runLoad, startComparison, type LoadKind } from './proxy-contenders.ts';
import { utc } from './run-facts.ts';
import { startServeContender } from './serve-contender.ts';
import { median, positiveCount } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD~1' },
    load: { type: 'string', default: 'keepalive' },
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '6' },
    workers: { type: 'string', default: '2' },
  },
});
const LOADS: readonly LoadKind[] = ['keepalive', 'close', 'h2'];
const load = args.load as LoadKind;
if (!LOADS.includes(load)) throw new Error(`--load takes ${LOADS.join(', ')}; got "${args.load}"`);
const rounds = positiveCount('rounds', args.rounds);
const durationS = positiveCount('duration', args.duration);
const workers = positiveCount('workers', args.workers);

const repo = resolve(import.meta.dirname, '..');
const baseRev = execFileSync('git', ['rev-parse', '--short', args.base], { cwd: repo, encoding: 'utf8' }).trim();
const headRev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
const worktree = mkdtempSync(join(tmpdir(), 'gatehouse-base-'));
execFileSync('git', ['worktree', 'add', '--detach', '--force', worktree, baseRev], { cwd: repo, stdio: 'ignore' });
symlinkSync(join(repo, 'node_modules'), join(worktree, 'node_modules'));

/** The base revision's own starter, so its `gatehouse serve` is the one from its tree. */
const base = (await import(pathToFileURL(join(worktree, 'bench', 'serve-contender.ts')).href)) as { startServeContender: typeof startServeContender };
const starters = { base: base.startServeContender, tree: startServeContender } as const;
type Side = keyof typeof starters;

const cmp = await startComparison();
const seen: Record<Side, { rps: number[]; cpu: number[] }> = { base: { rps: [], cpu: [] }, tree: { rps: [], cpu: [] } };
const started = new Date();
try {
  for (let round = 0; round < rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['base', 'tree'] : ['tree', 'base'];
    for (const side of order) {
      const [port] = await freePorts(1, { randomStart: true });
      const logs = { stdoutFile: join(cmp.outDir, `serve-ab-${side}-stdout.log`), stderrFile: join(cmp.outDir, `serve-ab-${side}-stderr.log`) };
      const proxy = await starters[side](cmp.pki, port!, cmp.backendPort, { workers, ...logs });
      try {
        runLoad(load, port!, cmp.outDir, { durationS: 2, connections: 50 });
        const before = treeCpuMs(proxy.pids());
        const result = runLoad(load, port!, cmp.outDir, { durationS, connections: 50 });
        const cpuMs = treeCpuMs(proxy.pids()) - before;
        seen[side].rps.push(result.requestsPerSecond);
        seen[side].cpu.push((cpuMs * 1000) / (result.requestsPerSecond * durationS));
        console.error(`round ${round + 1} ${side}: ${Math.round(result.requestsPerSecond)} req/s, ${seen[side].cpu.at(-1)!.toFixed(1)} CPU µs / request`);
      } finally {
        await proxy.stop();
      }
    }
  }
} finally {
  await cmp.backend.stop();
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repo, stdio: 'ignore' });
  rmSync(worktree, { recursive: true, force: true });
}

const row = (side: Side, name: string): string => {
  const rps = median(seen[side].rps);
  const cpu = median(seen[side].cpu);
  return `| ${name} | ${Math.round(rps)} | ${seen[side].rps.map(Math.round).join(', ')} | ${cpu.toFixed(1)} | ${seen[side].cpu.map((c) => c.toFixed(0)).join(', ')} |`;
};
const wins = seen.tree.rps.filter((rps, i) => rps > seen.base.rps[i]!).length;
console.log(`\n\`npx node bench/serve-ab.ts --base ${args.base} --load ${load} --rounds ${rounds} --duration ${durationS} --workers ${workers}\` (${utc(started)} – ${utc(new Date())}):\n`);
console.log('| gatehouse serve | req/s (median) | req/s per round | CPU µs / request (median) | CPU µs per round |\n|---|---:|---|---:|---|');
console.log(row('base', `base ${baseRev}`));
console.log(row('tree', `working tree (${headRev}${dirty ? ' + changes' : ''})`));
console.log(
  `\nworking tree / base: req/s ${(median(seen.tree.rps) / median(seen.base.rps)).toFixed(2)}, CPU per request ${(median(seen.tree.cpu) / median(seen.base.cpu)).toFixed(2)}; the working tree served more in ${wins} of ${rounds} rounds.`,
);
