/**
 * attack-targets: what bench/front-door-attacks.ts attacks and measures — a local nginx backend
 * (1 KiB answers, a large body at /big), `gatehouse serve` configured through its management API,
 * nginx configured as the equivalent reverse proxy, each with its resident memory readable from
 * /proc, and a view of which client connections the proxy process still holds (for clients that
 * do not read, which cannot see a close themselves).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatehouseServe } from '../test/helpers/gatehouse-serve.ts';
import { apiOk, waitForPort, waitRunning } from './bench-processes.ts';

/** BIG_BYTES is the size of the backend's /big body (slow readers ask for it). */
export const BIG_BYTES = 4 * 1024 * 1024;

/** Target is one proxy under attack: its ports, its memory, whether it still runs, how to stop it. */
export interface Target {
  name: 'gatehouse' | 'nginx';
  /** HTTPS listener, ALPN h2 and http/1.1. */
  httpsPort: number;
  /** Plain HTTP listener. */
  httpPort: number;
  /** The pids whose resident memory counts (the serve process; nginx's workers). */
  pids(): number[];
  /** alive is false once the process (nginx: its master) has exited. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** childrenOf lists a process's children (Linux /proc/<pid>/task/<pid>/children). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** rssBytes is VmRSS of one process from /proc/<pid>/status (0 once it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** targetRss is the resident memory a target counts: the sum over its pids. */
export function targetRss(t: Target): number {
  return t.pids().reduce((sum, pid) => sum + rssBytes(pid), 0);
}

/**
 * NginxProcess is nginx in the foreground (`daemon off`), so its master is our child; stop()
 * sends SIGTERM, then SIGKILL to the master and any worker left behind.
 */
class NginxProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  #ended = false;

  constructor(bin: string, dir: string, conf: string) {
    this.child = spawn(bin, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        this.#ended = true;
        resolve();
      }),
    );
  }

  get ended(): boolean {
    return this.#ended;
  }

  workers(): number[] {
    return this.child.pid === undefined ? [] : childrenOf(this.child.pid);
  }

  async stop(): Promise<void> {
    const workers = this.workers();
    if (!this.#ended) this.child.kill('SIGTERM');
    const t = setTimeout(() => {
      this.child.kill('SIGKILL');
      for (const w of workers) {
        try {
          process.kill(w, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 5000);
    await this.exited;
    clearTimeout(t);
  }
}

/** startBackend runs a one-worker nginx answering 1 KiB on every path and BIG_BYTES at /big. */
export async function startBackend(bin: string, dir: string, port: number): Promise<{ port: number; stop(): Promise<void> }> {
  writeFileSync(join(dir, 'big'), Buffer.alloc(BIG_BYTES, 'b'));
  const conf = join(dir, 'backend.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/backend.pid; error_log ${dir}/backend-error.log error;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 60s;
  server { listen 127.0.0.1:${port};
    location = /big { default_type application/octet-stream; alias ${dir}/big; }
    location / { default_type text/plain; return 200 "${'x'.repeat(1024)}"; } } }\n`,
  );
  const p = new NginxProcess(bin, dir, conf);
  await waitForPort(port);
  return { port, stop: () => p.stop() };
}

/**
 * startNginxProxy runs nginx as the reverse proxy a deployment would copy: 2 workers, a TLS +
 * http2 server block and a plain one, both proxying to the backend; client_header_timeout 10s,
 * keepalive_timeout 15s, http2_max_concurrent_streams 128, other settings Debian's defaults.
 */
export async function startNginxProxy(bin: string, dir: string, ports: { http: number; https: number }, backendPort: number, certFile: string, keyFile: string): Promise<Target> {
  const proxy = `proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 2; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log error;
events { worker_connections 1024; }
http {
  access_log off;
  client_header_timeout 10s; keepalive_timeout 15s; http2_max_concurrent_streams 128;
  upstream app { server 127.0.0.1:${backendPort}; keepalive 32; }
  server { listen 127.0.0.1:${ports.http}; location / { ${proxy} } }
  server { listen 127.0.0.1:${ports.https} ssl http2; ssl_certificate ${certFile}; ssl_certificate_key ${keyFile};
    location / { ${proxy} } }
}\n`,
  );
  const p = new NginxProcess(bin, dir, conf);
  await waitForPort(ports.http);
  await waitForPort(ports.https);
  return { name: 'nginx', httpPort: ports.http, httpsPort: ports.https, pids: () => p.workers(), alive: () => !p.ended, stop: () => p.stop() };
}

/**
 * startGatehouse starts `gatehouse serve` as a user does (default options) and creates, through
 * the management API, a load balancer, a server group on the backend, a certificate, an HTTPS
 * listener with HTTP/2 on and an HTTP listener (listener settings at their defaults).
 */
export async function startGatehouse(ports: { http: number; https: number }, backendPort: number, certPem: string, keyPem: string): Promise<Target> {
  const serve = await GatehouseServe.startFresh();
  try {
    const ok = (method: string, path: string, body?: unknown) => apiOk(serve, method, path, body);
    const lb = await ok('POST', '/v1/load-balancers', { name: 'front-door-attacks' });
    const group = await ok('POST', '/v1/server-groups', { name: 'front-door-attacks', servers: [{ address: '127.0.0.1', port: backendPort }] });
    const cert = await ok('POST', '/v1/certificates', { name: 'front-door-attacks', certificatePem: certPem, privateKeyPem: keyPem });
    const common = { loadBalancerId: lb.id, defaultServerGroupId: group.id };
    const listeners = [
      await ok('POST', '/v1/listeners', { ...common, protocol: 'HTTPS', port: ports.https, http2Enabled: true, certificates: { defaultCertificateId: cert.id } }),
      await ok('POST', '/v1/listeners', { ...common, protocol: 'HTTP', port: ports.http }),
    ];
    await waitRunning(serve, listeners.map((l) => l.id));
  } catch (err) {
    await serve.close();
    throw err;
  }
  const pid = serve.child.pid!;
  return {
    name: 'gatehouse',
    httpPort: ports.http,
    httpsPort: ports.https,
    pids: () => [pid],
    alive: () => serve.child.exitCode === null && serve.child.signalCode === null,
    stop: () => serve.close(),
  };
}

/**
 * heldPeers returns the client ports of connections to `port` that a process still owns
 * (`ss -p`: a socket the proxy has closed is gone or left without an owner while the kernel
 * tries to deliver what was queued).
 */
export function heldPeers(port: number): Promise<Set<number>> {
  return new Promise((resolve) => {
    execFile('ss', ['-tanpH', `( sport = :${port} )`], { encoding: 'utf8' }, (err, out) => {
      const held = new Set<number>();
      if (!err) {
        for (const line of out.split('\n')) {
          if (!line.includes('users:')) continue;
          const peer = /\S+:(\d+)\s+\S+:(\d+)\s+users:/.exec(line);
          if (peer) held.add(Number(peer[2]));
        }
      }
      resolve(held);
    });
  });
}
