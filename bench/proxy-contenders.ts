/**
 * The proxies the engine is compared with, started the same way for every comparison: an nginx
 * backend answering 1 KiB, nginx and HAProxy as TLS-terminating proxies with a given number of
 * workers, and the Gatehouse engine (bench/gatehouse-engine-process.ts) as one process, several
 * processes sharing the port, or one process with several engine threads; and one load run
 * against any of them (wrk keep-alive, wrk with a new TLS handshake per request, h2load).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForPort } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { ensureTools, makePki, parseH2load, parseWrk, type BenchPki, type LoadResult } from './proxy-tools.ts';

/** BODY is the backend's answer: 1 KiB. */
export const BODY = 'x'.repeat(1024);

/** Running is a started contender (or backend) on a port. */
export interface Running {
  readonly name: string;
  readonly port: number;
  /** The processes started (their workers are found below them in /proc). */
  pids(): number[];
  stop(): Promise<void>;
}

/** startProcess starts a command and resolves once its port accepts; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function startProcess(name: string, command: string, argv: readonly string[], port: number, env?: NodeJS.ProcessEnv): Promise<Running> {
  const child: ChildProcess = spawn(command, [...argv], { stdio: ['ignore', 'ignore', 'inherit'], env: env ?? process.env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return waitForPort(port).then(
    () => ({ name, port, stop, pids: () => (child.pid === undefined ? [] : [child.pid]) }),
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}

/** nginxBackend is the backend every proxy forwards to: nginx, one worker, 200 with BODY. */
export function nginxBackend(dir: string, port: number): Promise<Running> {
  const conf = join(dir, 'backend.conf');
  writeFileSync(conf, `worker_processes 1; daemon off; pid ${dir}/backend.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${port}; location / { default_type text/plain; return 200 "${BODY}"; } } }\n`);
  return startProcess('backend', 'nginx', ['-c', conf, '-p', dir], port);
}

/** nginxProxy is nginx terminating TLS with `workers` worker processes. */
export function nginxProxy(dir: string, pki: BenchPki, port: number, backend: number, workers = 2): Promise<Running> {
  const conf = join(dir, `nginx-${port}.conf`);
  writeFileSync(conf, `worker_processes ${workers}; daemon off; pid ${dir}/nginx-${port}.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 15s;
  upstream app { server 127.0.0.1:${backend}; keepalive 128; }
  server { listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${pki.certFile}; ssl_certificate_key ${pki.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3; ssl_session_timeout 300s;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_read_timeout 60s; } } }\n`);
  return startProcess(`nginx×${workers}`, 'nginx', ['-c', conf, '-p', dir], port);
}

/** haproxyProxy is HAProxy terminating TLS with `threads` threads. */
export function haproxyProxy(dir: string, pki: BenchPki, port: number, backend: number, threads = 2): Promise<Running> {
  const conf = join(dir, `haproxy-${port}.cfg`);
  writeFileSync(conf, `global
  nbthread ${threads}
  maxconn 8000
  tune.ssl.default-dh-param 2048
defaults
  mode http
  timeout connect 5s
  timeout client 15s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${port} ssl crt ${pki.bundleFile} alpn h2,http/1.1 ssl-min-ver TLSv1.2
  default_backend be
backend be
  server s1 127.0.0.1:${backend}
`);
  return startProcess(`haproxy×${threads}`, 'haproxy', ['-f', conf, '-db'], port);
}

/** EngineShape is how the engine runs: one process; `processes` processes sharing the port; or one process with `threads` engine threads. */
export type EngineShape = { kind: 'single' } | { kind: 'processes'; count: number } | { kind: 'threads'; count: number };

/** engineShapeName names a shape in tables. */
export function engineShapeName(shape: EngineShape): string {
  return shape.kind === 'single' ? 'gatehouse' : `gatehouse ${shape.count} ${shape.kind}`;
}

/** gatehouseEngine starts the engine in `shape` (optionally under --cpu-prof into profileDir). */
export async function gatehouseEngine(pki: BenchPki, port: number, backend: number, shape: EngineShape = { kind: 'single' }, profileDir?: string): Promise<Running> {
  const script = join(import.meta.dirname, 'gatehouse-engine-process.ts');
  const base = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), script, '--port', String(port), '--backend', String(backend), '--cert', pki.certFile, '--key', pki.keyFile];
  const name = engineShapeName(shape);
  if (shape.kind === 'single') return startProcess(name, process.execPath, base, port);
  if (shape.kind === 'threads') return startProcess(name, process.execPath, [...base, '--threads', String(shape.count)], port);
  const started: Running[] = [];
  try {
    for (let i = 0; i < shape.count; i++) started.push(await startProcess(name, process.execPath, [...base, '--reuse-port'], port));
  } catch (err) {
    await Promise.all(started.map((r) => r.stop()));
    throw err;
  }
  return { name, port, pids: () => started.flatMap((r) => r.pids()), stop: async () => void (await Promise.all(started.map((r) => r.stop()))) };
}

/** LoadKind: kept-alive HTTPS, a new TLS handshake per request, HTTP/2. */
export type LoadKind = 'keepalive' | 'close' | 'h2';

/** LoadSettings size one load run. */
export interface LoadSettings {
  readonly durationS: number;
  readonly connections: number;
  /** wrk / h2load threads (default 1). */
  readonly threads?: number;
  /** The load tool is killed after this long (default: the duration plus 30 s), so a run never hangs. */
  readonly timeoutMs?: number;
}

/** runLoad runs one load of `kind` against https://127.0.0.1:port/ and parses its result. */
export function runLoad(kind: LoadKind, port: number, dir: string, s: LoadSettings): LoadResult {
  const url = `https://127.0.0.1:${port}/`;
  const threads = String(s.threads ?? 1);
  const bound = { encoding: 'utf8' as const, timeout: s.timeoutMs ?? s.durationS * 1000 + 30_000, killSignal: 'SIGKILL' as const };
  if (kind === 'h2') {
    const log = join(dir, `h2load-${port}-${Date.now()}.log`);
    const out = execFileSync('h2load', ['-D', String(s.durationS), '-c', String(s.connections), '-m', '10', '-t', threads, '--log-file', log, url], bound);
    return parseH2load(out, log);
  }
  const header = kind === 'close' ? ['-H', 'Connection: close'] : [];
  const out = execFileSync('wrk', [`-t${threads}`, `-c${s.connections}`, `-d${s.durationS}s`, '--latency', ...header, url], bound);
  return parseWrk(out);
}

/** Comparison is what every proxy comparison starts from: the tools checked, a PKI, bench/out/, and the backend running. */
export interface Comparison {
  readonly pki: BenchPki;
  readonly outDir: string;
  readonly backendPort: number;
  readonly backend: Running;
}

/** startComparison checks the tools, makes the PKI and bench/out/, and starts the nginx backend on a free port. */
export async function startComparison(): Promise<Comparison> {
  ensureTools();
  const pki = makePki();
  const outDir = join(import.meta.dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const [backendPort] = await freePorts(1, { randomStart: true });
  const backend = await nginxBackend(pki.dir, backendPort!);
  return { pki, outDir, backendPort: backendPort!, backend };
}
