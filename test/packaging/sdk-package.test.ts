/**
 * The SDK package as a Pulumi user gets it: the packed `@gatehouse/pulumi` tarball installed
 * with `@pulumi/pulumi`, TypeScript and ts-node into a project outside the checkout
 * (installed-project.ts; these programs live in a folder of their own inside it).
 * A strict TypeScript program using every class type-checks with tsc (Pulumi's template
 * tsconfig) and runs under Pulumi's mocks through ts-node on the machine's Node 20 and on
 * Node 24; a plain JavaScript program does too, and loads nothing of the server or the engine;
 * an editor's hover on a property shows its description.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../helpers/pki.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';
import { installedProject, USER_NODE } from './installed-project.ts';
import { packedArtifacts } from './packed-artifacts.ts';

const NODE_20 = USER_NODE;
const NODE_24 = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const ROOT_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The folder of this file's programs, inside the installed project. */
let project = '';
/** The installed project, whose node_modules holds the SDK. */
let projectRoot = '';
let tarballFiles: string[] = [];

/** The template tsconfig of `pulumi new typescript`: strict, CommonJS, classic node resolution. */
const PULUMI_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: 'bin',
    target: 'es2020',
    module: 'commonjs',
    moduleResolution: 'node',
    sourceMap: true,
    experimentalDecorators: true,
    pretty: false,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ['index.ts'],
};

/** A program declaring one resource of every class through an explicit Provider. */
const TS_PROGRAM = `import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as gatehouse from "@gatehouse/pulumi";

const provider = new gatehouse.Provider("gatehouse", { endpoint: "http://127.0.0.1:9080", token: pulumi.secret("t0ken") });
const opts: pulumi.CustomResourceOptions = { provider };

export const lb = new gatehouse.LoadBalancer("edge", { name: "edge", edition: "Standard", tags: { team: "platform" } }, opts);
export const policy = new gatehouse.TlsSecurityPolicy("modern", {
  name: "modern",
  tlsVersions: ["TLSv1.2", "TLSv1.3"],
  ciphers: ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
}, opts);
export const web = new gatehouse.ServerGroup("web", {
  name: "web",
  servers: [{ address: "127.0.0.1", port: 3001 }, { address: "127.0.0.1", port: pulumi.output(3002) }],
  healthCheck: { path: "/healthz", interval: 5 },
}, opts);
export const cert = new gatehouse.Certificate("site", {
  name: "site",
  certificatePem: fs.readFileSync("server.pem", "utf8"),
  privateKeyPem: pulumi.secret(fs.readFileSync("server.key", "utf8")),
}, opts);
export const https = new gatehouse.Listener("https", {
  loadBalancerId: lb.id,
  protocol: "HTTPS",
  port: 443,
  defaultServerGroupId: web.id,
  certificates: { defaultCertificateId: cert.id },
  tlsPolicyId: policy.id,
}, opts);
export const quic = new gatehouse.QuicListener("quic", {
  loadBalancerId: lb.id,
  port: 443,
  defaultServerGroupId: web.id,
  certificates: { defaultCertificateId: cert.id },
}, opts);

// Outputs are typed: these annotations only compile if the declarations say so.
export const edition: pulumi.Output<"Basic" | "Standard" | "StandardWithWaf"> = lb.edition;
export const listenerPort: pulumi.Output<number> = https.port;
export const isListener: boolean = gatehouse.Listener.isInstance(https);
`;

/** Runs index.ts under Pulumi's mocks (ts-node, type-checked) and prints what the resources resolved to. */
const TS_MOCKS = `import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.setMocks(
  {
    newResource: (args: pulumi.runtime.MockResourceArgs) => ({ id: args.name + "-id", state: args.inputs }),
    call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
  },
  "app",
  "dev",
  false,
);

function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

async function main(): Promise<void> {
  const infra = await import("./index");
  console.log(JSON.stringify({
    node: process.versions.node,
    listenerLoadBalancer: await value(infra.https.loadBalancerId),
    listenerPort: await value(infra.listenerPort),
    quicCertificate: await value(infra.quic.certificates),
    servers: await value(infra.web.servers),
    ciphers: await value(infra.policy.ciphers),
    keyIsSecret: await pulumi.isSecret(infra.cert.privateKeyPem),
    isListener: infra.isListener,
  }));
}
main().catch((err) => { console.error(err); process.exit(1); });
`;

/** The plain JavaScript program: CommonJS, as \`pulumi new javascript\` writes it. */
const JS_PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");

pulumi.runtime.setMocks({
  newResource: (args) => ({ id: args.name + "-id", state: args.inputs }),
  call: (args) => args.inputs,
}, "app", "dev", false);

const before = new Set(Object.keys(require.cache));
const gatehouse = require("@gatehouse/pulumi");
const loadedBySdk = Object.keys(require.cache).filter((f) => !before.has(f));

const lb = new gatehouse.LoadBalancer("edge", { name: "edge" });
const web = new gatehouse.ServerGroup("web", { name: "web", servers: [{ address: "127.0.0.1", port: 3001 }] });
const listener = new gatehouse.Listener("http", { loadBalancerId: lb.id, protocol: "HTTP", port: 8080, defaultServerGroupId: web.id });
let refused = "";
try {
  new gatehouse.Listener("bad", { loadBalancerId: lb.id, protocol: "HTTP", port: 70000, defaultServerGroupId: web.id });
} catch (err) {
  refused = String(err.message);
}
listener.loadBalancerId.apply((id) => {
  console.log(JSON.stringify({
    node: process.versions.node,
    exports: Object.keys(gatehouse).sort(),
    listenerLoadBalancer: id,
    refused,
    loadedBySdk,
    sqlite: process.moduleLoadList.some((m) => /sqlite/i.test(m)),
  }));
});
`;

function runNode(node: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(node, args, { cwd: project, encoding: 'utf8', timeout: 120_000, env: { PATH: '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastJsonLine(out: string): Record<string, unknown> {
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`no JSON line in: ${out}`);
  return JSON.parse(line) as Record<string, unknown>;
}

beforeAll(async () => {
  const { sdkTarball } = await packedArtifacts();
  tarballFiles = execFileSync('tar', ['tzf', sdkTarball], { encoding: 'utf8' }).trim().split('\n').sort();
  projectRoot = (await installedProject()).projectDir;
  project = join(projectRoot, 'sdk-check');
  mkdirSync(project);
  const ca = await createCa();
  const server = await issueCertificate({ commonName: 'app.example.test', dnsNames: ['app.example.test'] }, ca);
  writeFileSync(join(project, 'server.pem'), server.certPem);
  writeFileSync(join(project, 'server.key'), server.keyPem);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(PULUMI_TSCONFIG, null, 2));
  writeFileSync(join(project, 'index.ts'), TS_PROGRAM);
  writeFileSync(join(project, 'mocks.ts'), TS_MOCKS);
  writeFileSync(join(project, 'program.js'), JS_PROGRAM);
}, 480_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the SDK package @gatehouse/pulumi, installed outside the checkout', () => {
  it('holds compiled JavaScript, declarations and a README, and names the plugin it needs', () => {
    expect(tarballFiles).toEqual(
      ['README.md', 'certificate.d.ts', 'index.d.ts', 'index.js', 'listener.d.ts', 'load-balancer.d.ts', 'package.json', 'provider.d.ts', 'quic-listener.d.ts', 'server-group.d.ts', 'tls-security-policy.d.ts'].map(
        (f) => `package/${f}`,
      ),
    );
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'node_modules', '@gatehouse', 'pulumi', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: '@gatehouse/pulumi', version: ROOT_VERSION, main: 'index.js', types: 'index.d.ts' });
    expect(Object.keys(manifest['dependencies'] as object).sort()).toEqual(['@pulumi/pulumi', 'zod']);
    // No download location was configured for this pack, so the block names none.
    expect(manifest['pulumi']).toEqual({ resource: true, name: 'gatehouse', version: ROOT_VERSION });
  });

  it('reports its installed size', () => {
    const sdkBytes = Number(execFileSync('du', ['-sb', join(projectRoot, 'node_modules', '@gatehouse', 'pulumi')], { encoding: 'utf8' }).split('\t')[0]);
    const allBytes = Number(execFileSync('du', ['-sb', join(projectRoot, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
    console.log(`@gatehouse/pulumi installed: ${(sdkBytes / 1024).toFixed(1)} KiB; the whole project's node_modules (with @pulumi/pulumi, zod, TypeScript, ts-node): ${(allBytes / 1024 / 1024).toFixed(1)} MiB`);
    expect(sdkBytes).toBeGreaterThan(10_000);
    expect(sdkBytes).toBeLessThan(1024 * 1024);
  });

  it('a strict TypeScript program using all six classes and the Provider type-checks with tsc', () => {
    const tsc = spawnSync(NODE_20, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', project], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('tsc names the property when a program passes the wrong type (control)', () => {
    const bad = join(project, 'bad.ts');
    writeFileSync(bad, `import * as gatehouse from "@gatehouse/pulumi";\nnew gatehouse.LoadBalancer("edge", { name: "edge", edition: "Premium" });\n`);
    const tsc = spawnSync(NODE_20, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node', bad], { cwd: project, encoding: 'utf8' });
    rmSync(bad);
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toMatch(/bad\.ts\(2,.*error TS2322: Type '"Premium"' is not assignable to type .*"Basic" \| "Standard" \| "StandardWithWaf"/);
  }, 120_000);

  it("an editor's hover on a property shows the model's description", () => {
    const file = join(project, 'index.ts');
    const text = readFileSync(file, 'utf8');
    const options = ts.convertCompilerOptionsFromJson(PULUMI_TSCONFIG.compilerOptions, project).options;
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => '1',
      getScriptSnapshot: (name) => {
        try {
          return ts.ScriptSnapshot.fromString(readFileSync(name, 'utf8'));
        } catch {
          return undefined;
        }
      },
      getCurrentDirectory: () => project,
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (path) => ts.sys.fileExists(path),
      readFile: (path, encoding) => ts.sys.readFile(path, encoding),
      readDirectory: (path, extensions, exclude, include, depth) => ts.sys.readDirectory(path, extensions, exclude, include, depth),
      directoryExists: (path) => ts.sys.directoryExists(path),
      getDirectories: (path) => ts.sys.getDirectories(path),
    };
    const service = ts.createLanguageService(host);
    const hover = (needle: string): string => {
      const info = service.getQuickInfoAtPosition(file, text.indexOf(needle) + 1);
      return ts.displayPartsToString(info?.documentation);
    };
    const hovers = { tlsVersions: hover('tlsVersions:'), defaultCertificateId: hover('defaultCertificateId'), edition: hover('edition;'), loadBalancerId: hover('loadBalancerId') };
    expect(hovers.tlsVersions).toMatch(/^TLS versions offered/);
    expect(hovers.defaultCertificateId).toBe('The `Server` certificate served when no SNI name matches another one.');
    expect(hovers.edition).toMatch(/^Edition: `Basic`, `Standard` or `StandardWithWaf`/);
    expect(hovers.loadBalancerId).toMatch(/^The load balancer the listener belongs to/);
  });

  for (const [label, node] of [
    ['Node 20', NODE_20],
    ['Node 24', NODE_24],
  ] as const) {
    it(`the TypeScript program runs under Pulumi's mocks through ts-node on ${label}`, () => {
      const r = runNode(node, ['-r', 'ts-node/register', 'mocks.ts']);
      expect(r.status, r.stderr).toBe(0);
      const out = lastJsonLine(r.stdout);
      expect(out['node']).toMatch(label === 'Node 20' ? /^20\./ : /^24\./);
      expect(out).toMatchObject({
        listenerLoadBalancer: 'edge-id',
        listenerPort: 443,
        quicCertificate: { defaultCertificateId: 'site-id' },
        servers: [{ address: '127.0.0.1', port: 3001 }, { address: '127.0.0.1', port: 3002 }],
        ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'],
        keyIsSecret: true,
        isListener: true,
      });
    }, 120_000);

    it(`a plain JavaScript program runs on ${label}, validates at plan time and loads only the SDK bundle from the package`, () => {
      const r = runNode(node, ['program.js']);
      expect(r.status, r.stderr).toBe(0);
      const out = lastJsonLine(r.stdout);
      expect(out['exports']).toEqual(['Certificate', 'Listener', 'LoadBalancer', 'Provider', 'QuicListener', 'ServerGroup', 'TlsSecurityPolicy']);
      expect(out['listenerLoadBalancer']).toBe('edge-id');
      expect(out['refused']).toMatch(/VALIDATION_FAILED: gatehouse:index:Listener "bad": port/);
      const loaded = out['loadedBySdk'] as string[];
      const packages = new Set(loaded.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? f));
      // @pulumi/pulumi was loaded before; the SDK adds its own bundle and zod, nothing else.
      expect([...packages].sort()).toEqual(['@gatehouse/pulumi', 'zod']);
      expect(loaded.filter((f) => f.includes('@gatehouse/pulumi')).map((f) => f.slice(f.indexOf('@gatehouse/pulumi')))).toEqual(['@gatehouse/pulumi/index.js']);
      expect(loaded.every((f) => f.startsWith(projectRoot))).toBe(true);
      expect(out['sqlite']).toBe(false);
    }, 120_000);
  }
});
