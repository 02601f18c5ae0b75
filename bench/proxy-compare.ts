/**
 * proxy-compare: Gatehouse's engine, nginx and HAProxy as TLS-terminating proxies in front of
 * the same local backend, measured side by side in one run with wrk (keep-alive), wrk with
 * `Connection: close` (a full handshake per request) and h2load (HTTP/2). Prints req/s, p50,
 * p99 and the ratios Gatehouse/nginx and Gatehouse/HAProxy.
 *
 *   npx node bench/proxy-compare.ts [--duration 10] [--connections 50] [--only keepalive]
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTools, makePki, parseH2load, parseWrk, type BenchPki, type LoadResult } from './proxy-tools.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const BODY = 'x'.repeat(1024);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** waitForPort resolves once something accepts TCP connections on 127.0.0.1:port. */
function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(); });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} never opened`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

interface Running { name: string; port: number; stop(): Promise<void> }

function startProcess(name: string, command: string, argv: string[], port: number, env?: NodeJS.ProcessEnv): Promise<Running> {
  const child: ChildProcess = spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit'], env: env ?? process.env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return waitForPort(port).then(() => ({
    name,
    port,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

function nginxBackend(dir: string, port: number): Promise<Running> {
  const conf = join(dir, 'backend.conf');
  writeFileSync(conf, `worker_processes 1; daemon off; pid ${dir}/backend.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${port}; location / { default_type text/plain; return 200 "${BODY}"; } } }\n`);
  return startProcess('backend', 'nginx', ['-c', conf, '-p', dir], port);
}

function nginxProxy(dir: string, pki: BenchPki, port: number, backend: number): Promise<Running> {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes 2; daemon off; pid ${dir}/nginx.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 15s;
  upstream app { server 127.0.0.1:${backend}; keepalive 128; }
  server { listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${pki.certFile}; ssl_certificate_key ${pki.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3; ssl_session_timeout 300s;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_read_timeout 60s; } } }\n`);
  return startProcess('nginx', 'nginx', ['-c', conf, '-p', dir], port);
}

function haproxyProxy(dir: string, pki: BenchPki, port: number, backend: number): Promise<Running> {
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(conf, `global
  nbthread 2
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
  return startProcess('haproxy', 'haproxy', ['-f', conf, '-db'], port);
}

function gatehouseProxy(pki: BenchPki, port: number, backend: number): Promise<Running> {
  const script = join(import.meta.dirname, 'gatehouse-engine-process.ts');
  const argv = [...(args.profile ? ['--cpu-prof', '--cpu-prof-dir', join(import.meta.dirname, 'out')] : []), script,
    '--port', String(port), '--backend', String(backend), '--cert', pki.certFile, '--key', pki.keyFile];
  return startProcess('gatehouse', process.execPath, argv, port);
}

type LoadKind = 'keepalive' | 'close' | 'h2';

function runLoad(kind: LoadKind, port: number, dir: string): LoadResult {
  const url = `https://127.0.0.1:${port}/`;
  if (kind === 'h2') {
    const log = join(dir, `h2load-${port}-${Date.now()}.log`);
    const out = execFileSync('h2load', ['-D', String(duration), '-c', String(connections), '-m', '10', '-t', '1', '--log-file', log, url], { encoding: 'utf8' });
    return parseH2load(out, log);
  }
  const header = kind === 'close' ? ['-H', 'Connection: close'] : [];
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', ...header, url], { encoding: 'utf8' });
  return parseWrk(out);
}

async function main(): Promise<void> {
  ensureTools();
  const pki = makePki();
  const outDir = join(import.meta.dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const backendPort = await freePort();
  const backend = await nginxBackend(pki.dir, backendPort);
  const kinds: LoadKind[] = args.only ? [args.only as LoadKind] : ['keepalive', 'close', 'h2'];
  const results: Record<string, Record<string, LoadResult>> = {};
  try {
    for (const name of ['gatehouse', 'nginx', 'haproxy'] as const) {
      const port = await freePort();
      const proxy = name === 'gatehouse' ? await gatehouseProxy(pki, port, backendPort)
        : name === 'nginx' ? await nginxProxy(pki.dir, pki, port, backendPort)
        : await haproxyProxy(pki.dir, pki, port, backendPort);
      try {
        runLoad('keepalive', port, pki.dir); // warm-up: JIT, pools, session caches
        for (const kind of kinds) {
          const r = runLoad(kind, port, pki.dir);
          (results[kind] ??= {})[name] = r;
          console.error(`${kind.padEnd(9)} ${name.padEnd(9)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}`);
        }
      } finally {
        await proxy.stop();
      }
    }
  } finally {
    await backend.stop();
  }
  console.log(`\n| load | proxy | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|`);
  for (const kind of kinds) {
    for (const [name, r] of Object.entries(results[kind] ?? {})) {
      console.log(`| ${kind} | ${name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} |`);
    }
  }
  console.log(`\n| load | req/s Gatehouse/nginx | req/s Gatehouse/HAProxy | p99 Gatehouse/nginx | p99 Gatehouse/HAProxy |\n|---|---|---|---|---|`);
  for (const kind of kinds) {
    const r = results[kind]!;
    const g = r.gatehouse!, n = r.nginx!, h = r.haproxy!;
    console.log(`| ${kind} | ${(g.requestsPerSecond / n.requestsPerSecond).toFixed(2)} | ${(g.requestsPerSecond / h.requestsPerSecond).toFixed(2)} | ${(g.p99Ms / n.p99Ms).toFixed(2)} | ${(g.p99Ms / h.p99Ms).toFixed(2)} |`);
  }
  writeFileSync(join(outDir, `proxy-compare-${Date.now()}.json`), JSON.stringify({ duration, connections, results }, null, 2));
}

await main();
