/**
 * The server package (`gatehouse-<version>.tgz`, SPEC §5.1) installed the way an operator
 * installs it, away from the checkout: `npm install -g` into a prefix of its own under the
 * system's temp folder, then the installed `gatehouse` run with a PATH holding only that prefix,
 * Node 24 and the system folders, from a folder outside the checkout (so neither PATH nor module
 * resolution can reach the checkout's files or node_modules).
 *
 * Why `--prefer-offline` and not `--offline`: npm builds the tree of a local tarball's
 * dependencies from the registry's package documents (it consults a package's own
 * npm-shrinkwrap.json only for packages that come from a registry), and the checkout's
 * `npm install` from package-lock.json caches package tarballs, not those documents; so an
 * offline install of the tarball stops at the first dependency with ENOTCACHED on a machine
 * whose cache holds only what the checkout's install put there. The shrinkwrap itself is shown
 * to install offline, with the tested versions, by `npm ci` in the unpacked package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/gatehouse-serve.ts';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { Backend, httpGet } from '../server/support/live.ts';
import { packedArtifacts } from './packed-artifacts.ts';

/** NODE_24_BIN is the folder of the project's Node 24 (the devDependency `node`). */
const NODE_24_BIN = join(ROOT, 'node_modules', 'node', 'bin');
/** NODE_20 is the machine's own Node.js, older than the package needs. */
const NODE_20 = '/usr/bin/node';
const ROOT_PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const ROOT_LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };

let tarball: string;
let dir: string;
let prefix: string;
/** work is the operator's working folder: outside the checkout, the cwd of every command. */
let work: string;
const children: ChildProcess[] = [];

/** figures are the measurements the run reports at the end. */
const figures: Record<string, string> = {};

/** operatorEnv is an environment with the installed command and Node 24 on PATH, nothing of the checkout. */
function operatorEnv(path = `${join(prefix, 'bin')}:${NODE_24_BIN}:/usr/bin:/bin`): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: path, HOME: process.env.HOME, LANG: 'C' };
  return env;
}

function gatehouse(args: readonly string[], env = operatorEnv()) {
  return spawnSync('gatehouse', args, { cwd: work, env, encoding: 'utf8', timeout: 30_000 });
}

/** Served is one `gatehouse serve` child with what it printed so far. */
interface Served {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  out: string;
}

function startServe(args: readonly string[]): Served {
  const child = spawn('gatehouse', ['serve', ...args], { cwd: work, env: operatorEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const served: Served = { child, out: '', exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))) };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (served.out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (served.out += d));
  return served;
}

async function waitForOutput(s: Served, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(s.out);
    if (m) return m;
    if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`gatehouse serve ended before ${pattern}:\n${s.out}`);
    if (Date.now() > deadline) throw new Error(`gatehouse serve printed no ${pattern} within ${timeoutMs} ms:\n${s.out}`);
    await sleep(50);
  }
}

/** stop sends SIGTERM and waits (bounded) for the exit. */
async function stop(s: Served): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  s.child.kill('SIGTERM');
  const killer = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  try {
    return await s.exited;
  } finally {
    clearTimeout(killer);
  }
}

async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

function duKiB(path: string): number {
  return Number(spawnSync('du', ['-sk', path], { encoding: 'utf8' }).stdout.split('\t')[0]);
}

beforeAll(async () => {
  ({ serverTarball: tarball } = await packedArtifacts());
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-server-install-'));
  prefix = join(dir, 'prefix');
  work = join(dir, 'work');
  mkdirSync(work);
}, 300_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  if (Object.keys(figures).length > 0) console.log(`server package figures:\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
});

describe('the server package', () => {
  it('holds the compiled command, its package.json, README and shrinkwrap, and nothing else', () => {
    expect(tarball).toMatch(new RegExp(`/gatehouse-${ROOT_PACKAGE.version.replace(/\./g, '\\.')}\\.tgz$`));
    figures['tarball'] = `${(readFileSync(tarball).length / 1024).toFixed(1)} KiB`;
    const listing = spawnSync('tar', ['tzvf', tarball], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    const entries = listing.stdout
      .trim()
      .split('\n')
      .map((line) => ({ mode: line.split(/\s+/)[0]!, path: line.split(/\s+/).at(-1)! }));
    const files = entries.map((e) => e.path.replace(/^package\//, ''));
    for (const f of ['package.json', 'README.md', 'npm-shrinkwrap.json', 'cli/gatehouse.js', 'cli/serve.js', 'cli/status.js', 'cli/drift.js', 'client/management-client.js', 'server/version.js', 'server/app.js', 'engine/index.js']) {
      expect(files, f).toContain(f);
    }
    for (const f of files) {
      expect(f, 'a folder the command does not need').not.toMatch(/^(test|bench|sdk|examples|docs|packaging|node_modules)\//);
      expect(f).not.toMatch(/node_modules\//);
      expect(f).not.toMatch(/\.ts$/);
      // The built web console ships as the static files the server serves at /console/.
      if (!['package.json', 'README.md', 'npm-shrinkwrap.json'].includes(f)) expect(f).toMatch(/^((cli|client|server|engine|schema|provider)\/.+\.js|console\/dist\/.+)$/);
    }
    expect(files).toContain('console/dist/index.html');
    expect(files.some((f) => /^console\/dist\/assets\/.+\.js$/.test(f))).toBe(true);
    // Only what drift needs of the provider: not the plugin, its gRPC service or the Pulumi protocol.
    for (const f of ['provider/main.js', 'provider/service.js', 'provider/proto.js', 'provider/gatehouse-provider.js']) expect(files).not.toContain(f);
    expect(entries.find((e) => e.path === 'package/cli/gatehouse.js')!.mode).toBe('-rwxr-xr-x');
  });

  it('has a package.json for `npm install -g`, with the root dependencies the code imports at their root ranges', () => {
    const pkg = JSON.parse(spawnSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' }).stdout);
    expect(pkg).toMatchObject({ name: 'gatehouse', version: ROOT_PACKAGE.version, type: 'module', bin: { gatehouse: 'cli/gatehouse.js' }, engines: { node: '>=24' }, license: 'Apache-2.0' });
    expect(pkg.scripts).toBeUndefined();
    expect(pkg.devDependencies).toBeUndefined();
    for (const [name, range] of Object.entries(pkg.dependencies as Record<string, string>)) expect(range, name).toBe(ROOT_PACKAGE.dependencies[name]);
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['fastify', 'zod', 'undici', 'prom-client', '@peculiar/x509']));
    expect(pkg.dependencies).not.toHaveProperty('@pulumi/pulumi');
    expect(pkg.dependencies).not.toHaveProperty('@grpc/grpc-js');
    const entry = spawnSync('tar', ['xzf', tarball, '-O', 'package/cli/gatehouse.js'], { encoding: 'utf8' }).stdout;
    expect(entry.startsWith('#!/usr/bin/env node\n')).toBe(true);

    // The shrinkwrap pins each package at the version and place the checkout was tested with.
    const shrinkwrap = JSON.parse(spawnSync('tar', ['xzf', tarball, '-O', 'package/npm-shrinkwrap.json'], { encoding: 'utf8' }).stdout);
    expect(shrinkwrap).toMatchObject({ name: 'gatehouse', version: ROOT_PACKAGE.version, lockfileVersion: 3 });
    expect(shrinkwrap.packages[''].dependencies).toEqual(pkg.dependencies);
    const paths = Object.keys(shrinkwrap.packages).filter((p) => p !== '');
    for (const name of Object.keys(pkg.dependencies)) expect(paths).toContain(`node_modules/${name}`);
    for (const p of paths) {
      expect(shrinkwrap.packages[p].version, p).toBe(ROOT_LOCK.packages[p]?.version);
      expect(shrinkwrap.packages[p].dev, p).toBeUndefined();
    }
    expect(paths.some((p) => p.startsWith('node_modules/@pulumi/'))).toBe(false);
  });

  it('its npm-shrinkwrap.json installs offline from npm’s cache, with exactly the tested versions (npm ci in the unpacked package)', () => {
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    expect(spawnSync('tar', ['xzf', tarball, '-C', unpacked]).status).toBe(0);
    const pkgDir = join(unpacked, 'package');
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: pkgDir, encoding: 'utf8', timeout: 180_000 });
    expect(ci.status, ci.stdout + ci.stderr).toBe(0);
    const shrinkwrap = JSON.parse(readFileSync(join(pkgDir, 'npm-shrinkwrap.json'), 'utf8'));
    for (const [p, meta] of Object.entries(shrinkwrap.packages as Record<string, { version?: string; optional?: boolean }>)) {
      if (p === '') continue;
      if (meta.optional && !existsSync(join(pkgDir, p))) continue;
      expect(JSON.parse(readFileSync(join(pkgDir, p, 'package.json'), 'utf8')).version, p).toBe(meta.version);
    }
  }, 240_000);

  it('installs with `npm install -g` into a prefix of its own', () => {
    const started = Date.now();
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: work, encoding: 'utf8', timeout: 240_000 });
    figures['install time'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    expect(install.status, install.stdout + install.stderr).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'gatehouse'))).toBe(true);
    const installed = join(prefix, 'lib', 'node_modules', 'gatehouse');
    // drift compares through the provider's code but needs none of the Pulumi SDK.
    expect(existsSync(join(installed, 'node_modules', '@pulumi'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', '@grpc'))).toBe(false);
    figures['installed size'] = `${(duKiB(prefix) / 1024).toFixed(1)} MiB (du -sk of the prefix; the package's own files ${(duKiB(installed) - duKiB(join(installed, 'node_modules'))).toString()} KiB)`;
  }, 240_000);

  it('`gatehouse --version` runs on Node 24 from PATH', () => {
    const run = gatehouse(['--version']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`gatehouse ${ROOT_PACKAGE.version} (node ${spawnSync(join(NODE_24_BIN, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim()})\n`);
    expect(run.status).toBe(0);
  });

  it('started on the machine’s Node 20 it says which Node it needs, in one line, and exits 1', () => {
    if (!existsSync(NODE_20)) throw new Error(`${NODE_20} is missing: the test needs the machine's Node 20`);
    const run = gatehouse(['serve'], operatorEnv(`${join(prefix, 'bin')}:/usr/bin:/bin`));
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^gatehouse: requires Node\.js 24 or later, but was started by Node\.js 20\.\d+\.\d+ \(\/usr\/bin\/node\); put Node\.js 24 first on PATH\n$/);
    expect(run.status).toBe(1);
  });

  it('serves: the API answers, `gatehouse status` shows a listener forwarding, and SIGTERM stops it cleanly', async () => {
    const dataDir = join(work, 'data');
    const apiPort = await freePort();
    const url = `http://127.0.0.1:${apiPort}`;
    const started = Date.now();
    const served = startServe(['--data-dir', dataDir, '--listen', `127.0.0.1:${apiPort}`]);
    // Healthy: the first 200 from /v1/healthz, polled from the moment the process starts.
    await eventually(
      async () => {
        const res = await fetch(`${url}/v1/healthz`);
        expect(res.status).toBe(200);
      },
      30_000,
      20,
    );
    figures['serve start to healthy'] = `${Date.now() - started} ms`;
    await waitForOutput(served, / {2}engine: .*\n/, 10_000);
    expect(served.out).toContain(`gatehouse ${ROOT_PACKAGE.version}: management API listening on ${url}`);
    expect(served.out).toContain(`admin token:    ${join(dataDir, 'admin-token')} (generated)`);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();

    const backend = await new Backend('installed backend').start();
    try {
      // The installed server serves the web console it ships.
      const page = await fetch(`${url}/console/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toMatch(/<script type="module"[^>]* src="\/console\/assets\/[^"]+\.js"/);
      const empty = gatehouse(['status', '--endpoint', url, '--data-dir', dataDir]);
      expect(empty.stdout + empty.stderr).toBe(`No listeners at ${url}.\n`);
      const lb = await api(url, token, 'POST', '/v1/load-balancers', { name: 'installed' });
      const sg = await api(url, token, 'POST', '/v1/server-groups', { name: 'installed', servers: [{ address: '127.0.0.1', port: backend.port }], healthCheck: { enabled: false } });
      const port = await freePort();
      const listener = await api(url, token, 'POST', '/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
      await eventually(async () => expect((await api(url, token, 'GET', `/v1/listeners/${listener.id}`)).status).toBe('Running'));
      expect(await httpGet(port, '/through')).toEqual({ status: 200, text: 'installed backend' });

      const status = gatehouse(['status', '--endpoint', url, '--data-dir', dataDir]);
      expect(status.stderr).toBe('');
      expect(status.status).toBe(0);
      const lines = status.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^LISTENER\s+PROTOCOL\s+ADDRESS\s+STATUS\s+LOAD BALANCER/);
      expect(lines[1]).toMatch(new RegExp(`^${listener.id}\\s+HTTP\\s+127\\.0\\.0\\.1:${port}\\s+Running\\s+${lb.id}`));

      // drift runs in the installed tree: a stack export declaring the load balancer as it is shows no drift.
      const stackExport = join(work, 'stack.json');
      const urn = 'urn:pulumi:dev::installed::gatehouse:index:LoadBalancer::installed';
      writeFileSync(stackExport, JSON.stringify({ version: 3, deployment: { resources: [{ urn, type: 'gatehouse:index:LoadBalancer', id: lb.id, inputs: { name: lb.name, address: lb.address, edition: lb.edition, deletionProtection: lb.deletionProtection, tags: lb.tags }, outputs: lb }] } }));
      const drift = gatehouse(['drift', '--stack-export', stackExport, '--endpoint', url, '--data-dir', dataDir]);
      expect(drift.status, drift.stdout + drift.stderr).toBe(0);
      expect(drift.stderr).toBe('');
    } finally {
      const exit = await stop(served);
      await backend.close();
      expect(exit, served.out).toEqual({ code: 0, signal: null });
    }
    expect(served.out).toMatch(/gatehouse: SIGTERM: stopping/);
    expect(served.out).toMatch(/gatehouse: stopped\n$/);
  }, 90_000);

  it('the demo’s modules work in the installed tree: the certificate (@peculiar/x509, reflect-metadata) and the backends', () => {
    // `serve --demo` itself binds 127.0.0.1:8443, the port SPEC §4 fixes, which test/cli/demo.test.ts
    // uses at the same time; so the installed demo code is run here without the listener.
    const installed = join(prefix, 'lib', 'node_modules', 'gatehouse');
    const program = `
      const { createDemoCertificate } = await import(${JSON.stringify(pathToFileURL(join(installed, 'cli', 'demo', 'demo-certificate.js')).href)});
      const { DemoBackends } = await import(${JSON.stringify(pathToFileURL(join(installed, 'cli', 'demo', 'demo-backends.js')).href)});
      const { X509Certificate } = await import('node:crypto');
      const material = await createDemoCertificate();
      const leaf = new X509Certificate(material.chainPem);
      const backends = await DemoBackends.start();
      const answers = [];
      for (const b of backends.backends) answers.push(await (await fetch('http://127.0.0.1:' + b.port + '/')).text());
      await backends.close();
      console.log(JSON.stringify({ subjectAltName: leaf.subjectAltName, signedByCa: leaf.verify(new X509Certificate(material.caPem).publicKey), answers }));
    `;
    const run = spawnSync('node', ['--input-type=module', '-e', program], { cwd: work, env: operatorEnv(), encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.subjectAltName).toContain('DNS:localhost');
    expect(result.signedByCa).toBe(true);
    expect(result.answers).toHaveLength(2);
    for (const a of result.answers) expect(a).toMatch(/^Hello from demo backend [12]/);
  });
});
