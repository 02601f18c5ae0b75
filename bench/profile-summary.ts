/**
 * profile-summary: the functions a V8 CPU profile (a `.cpuprofile` written by node --cpu-prof,
 * e.g. by `bench/serve-compare.ts --profile DIR` or `bench/proxy-compare.ts --profile`) spent the
 * most self time in: the top N by their share of the busy samples (idle, program and garbage
 * collector samples are counted apart), with url:line.
 *
 *   npx node bench/profile-summary.ts <file.cpuprofile> [--top 30]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** ProfileNode is one node of the profile's call tree (only what the summary reads). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

/** CpuProfile is the `.cpuprofile` format (Chrome DevTools protocol Profiler.Profile). */
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** NOT_BUSY are V8's pseudo-frames that are not JavaScript or native work of the program. */
const NOT_BUSY = new Set(['(idle)', '(program)', '(garbage collector)']);

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
const file = positionals[0];
if (file === undefined) {
  console.error('usage: npx node bench/profile-summary.ts <file.cpuprofile> [--top 30]');
  process.exit(2);
}
const top = Number(args.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
const root = fileURLToPath(new URL('../', import.meta.url));

/** where is a frame's url:line (1-based), shortened to the checkout when inside it. */
function where(frame: ProfileNode['callFrame']): string {
  let url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? '' : '(native)';
  if (url.startsWith('file://')) url = fileURLToPath(url);
  if (url.startsWith(root)) url = relative(root, url);
  return `${url}:${frame.lineNumber + 1}`;
}

const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
/** Self time per function (name + place), µs, and per pseudo-frame. */
const selfUs = new Map<string, { name: string; place: string; us: number; samples: number }>();
let busyUs = 0;
let busySamples = 0;
const apart = new Map<string, number>();
for (let i = 0; i < samples.length; i++) {
  const node = byNode.get(samples[i]!);
  if (!node) continue;
  // A sample's time is the gap to the next sample (the last one gets the gap before it).
  const us = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
  const name = node.callFrame.functionName || '(anonymous)';
  if (NOT_BUSY.has(name)) {
    apart.set(name, (apart.get(name) ?? 0) + us);
    continue;
  }
  busyUs += us;
  busySamples++;
  const place = where(node.callFrame);
  const key = `${name}\u0000${place}`;
  const entry = selfUs.get(key) ?? { name, place, us: 0, samples: 0 };
  entry.us += us;
  entry.samples++;
  selfUs.set(key, entry);
}

const wallMs = (profile.endTime - profile.startTime) / 1000;
const ms = (us: number) => (us / 1000).toFixed(1);
console.log(`${file}`);
console.log(`${samples.length} samples over ${wallMs.toFixed(0)} ms: busy ${ms(busyUs)} ms (${busySamples} samples); ${[...apart].map(([k, v]) => `${k} ${ms(v)} ms`).join(', ') || 'nothing idle'}`);
console.log('');
console.log('| # | self % of busy | self ms | function | where |');
console.log('|---:|---:|---:|---|---|');
const ranked = [...selfUs.values()].sort((a, b) => b.us - a.us).slice(0, top);
ranked.forEach((e, i) => {
  console.log(`| ${i + 1} | ${busyUs > 0 ? ((100 * e.us) / busyUs).toFixed(1) : '0.0'} | ${ms(e.us)} | ${e.name} | ${e.place} |`);
});
