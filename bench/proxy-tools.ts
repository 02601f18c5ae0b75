/**
 * proxy-tools: what the proxy comparison benchmark needs from the machine — the Debian tools
 * (installed when missing and running as root), a throwaway PKI made with openssl, and the
 * parsers for wrk and h2load output.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** TOOLS maps each command the benchmark runs to the Debian package providing it. */
const TOOLS: Record<string, string> = { nginx: 'nginx-light', haproxy: 'haproxy', wrk: 'wrk', h2load: 'nghttp2-client', openssl: 'openssl' };

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0 || spawnSync('test', ['-x', `/usr/sbin/${command}`]).status === 0;
}

/** ensureTools installs missing tools from Debian (root only) or explains what to install. */
export function ensureTools(): void {
  const missing = Object.keys(TOOLS).filter((c) => !has(c));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((c) => TOOLS[c]!))];
  if (process.getuid?.() !== 0) throw new Error(`missing tools ${missing.join(', ')}: apt-get install ${packages.join(' ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** BenchPki is a self-signed server certificate written to a temporary folder. */
export interface BenchPki {
  dir: string;
  certFile: string;
  keyFile: string;
  /** cert + key in one file, as HAProxy wants it. */
  bundleFile: string;
  certPem: string;
  keyPem: string;
}

/** makePki creates an EC P-256 self-signed certificate for bench.local with openssl. */
export function makePki(): BenchPki {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=bench.local', '-addext', 'subjectAltName=DNS:bench.local', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const certPem = readFileSync(certFile, 'utf8');
  const keyPem = readFileSync(keyFile, 'utf8');
  const bundleFile = join(dir, 'bundle.pem');
  writeFileSync(bundleFile, certPem + keyPem);
  return { dir, certFile, keyFile, bundleFile, certPem, keyPem };
}

/** LoadResult is one load run's throughput and latency percentiles. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  return n;
}

/** parseWrk reads `wrk --latency` output: Requests/sec, the 50% and 99% lines, socket errors and non-2xx. */
export function parseWrk(output: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(output);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`unexpected wrk output:\n${output}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { requestsPerSecond: Number(rps[1]), p50Ms: toMs(p50[1]!, p50[2]!), p99Ms: toMs(p99[1]!, p99[2]!), errors };
}

/** parseH2load reads h2load's summary plus its per-request log (`--log-file`) for percentiles. */
export function parseH2load(output: string, logFile: string): LoadResult {
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output);
  const status = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(output);
  if (!rps || !status) throw new Error(`unexpected h2load output:\n${output}`);
  // Each log line: start time (µs since epoch), status, elapsed time (µs).
  const elapsed = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => Number(line.split('\t')[2]) / 1000).sort((a, b) => a - b);
  const at = (q: number) => elapsed[Math.min(elapsed.length - 1, Math.floor(q * elapsed.length))] ?? Number.NaN;
  return { requestsPerSecond: Number(rps[1]), p50Ms: at(0.5), p99Ms: at(0.99), errors: Number(status[2]) + Number(status[3]) };
}
