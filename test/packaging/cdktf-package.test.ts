/**
 * The CDKTF bindings package `@gatehouse/cdktf` (packaging/cdktf-package.ts) as a CDKTF user
 * gets it: the packed tarball installed with `cdktf` and `constructs` into a fresh project under
 * the system's temporary folder (npm, preferring its cache, as installed-project.ts installs the
 * SDK), so module resolution never leads back into the checkout.
 *
 * - The tarball holds compiled JavaScript, declarations and a README only (no TypeScript
 *   sources, no tests), and its package.json names the peers and the entry points.
 * - A plain CommonJS program requiring the constructs by folder and through the index
 *   synthesises cdk.tf.json holding them, on the machine's Node 20 and on Node 24; an ES module
 *   imports them by name through the package's `exports`.
 * - The README's TypeScript example type-checks against the installed declarations (tsc,
 *   CDKTF's template options); a misspelt attribute does not (control).
 * - `terraform validate` accepts the synthesised JSON with this checkout's provider, and refuses
 *   it with an attribute the provider does not have (control): the constructs write what the
 *   provider's schema says.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDKTF_PACKAGE_NAME, CDKTF_PEER_DEPENDENCIES } from '../../packaging/cdktf-package.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';
import { requireTerraform, RUN_TERRAFORM_TESTS, RUN_TIMEOUT_MS, runTerraform, shown, writeCliConfig } from '../terraform/support/terraform-cli.ts';
import { USER_NODE } from './installed-project.ts';
import { packedArtifacts } from './packed-artifacts.ts';

const NODE_24 = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const ROOT_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const PACK_TIMEOUT_MS = 300_000;

/** The folders the generator writes: the resources, the data sources and the provider. */
const FOLDERS = [
  'certificate',
  'data-gatehouse-certificate',
  'data-gatehouse-load-balancer',
  'data-gatehouse-tls-policies',
  'listener',
  'load-balancer',
  'provider',
  'quic-listener',
  'server-group',
  'tls-security-policy',
];

/** checkoutVersion is the version of `pkg` the checkout tests with, which the project installs too. */
function checkoutVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A CDKTF program as `cdktf init --template=javascript` shapes one: CommonJS, one stack. The
 * constructs come from their folders, one data source through the index's namespaces. It prints
 * where each module was loaded from.
 */
const JS_PROGRAM = `"use strict";
const { App, TerraformStack } = require("cdktf");
const { GatehouseProvider } = require("@gatehouse/cdktf/provider");
const { LoadBalancer } = require("@gatehouse/cdktf/load-balancer");
const { ServerGroup } = require("@gatehouse/cdktf/server-group");
const { Listener } = require("@gatehouse/cdktf/listener");
const gatehouse = require("@gatehouse/cdktf");

class Edge extends TerraformStack {
  constructor(scope, id) {
    super(scope, id);
    new GatehouseProvider(this, "gatehouse", { endpoint: "http://127.0.0.1:9080" });
    const edge = new LoadBalancer(this, "edge", { name: "edge", address: "127.0.0.1" });
    const web = new ServerGroup(this, "web", {
      name: "web",
      servers: [{ address: "127.0.0.1", port: 3001 }],
      healthCheck: { path: "/healthz", interval: 5 },
    });
    new Listener(this, "http", {
      loadBalancerId: edge.id,
      protocol: "HTTP",
      port: 8080,
      defaultServerGroupId: web.id,
      idleTimeout: 30,
      forwardedHeaders: { proto: true },
    });
    new gatehouse.dataGatehouseTlsPolicies.DataGatehouseTlsPolicies(this, "policies", {});
  }
}

const app = new App({ outdir: process.argv[2] });
new Edge(app, "edge");
app.synth();
console.log(JSON.stringify({
  node: process.versions.node,
  namespaces: Object.keys(gatehouse).sort(),
  resolved: ["cdktf", "constructs", "@gatehouse/cdktf", "@gatehouse/cdktf/listener"].map((m) => require.resolve(m)),
}));
`;

/** An ES module importing the constructs by name, which only the package's `exports` makes resolvable by folder. */
const ESM_PROGRAM = `import { Listener } from "@gatehouse/cdktf/listener";
import { listener } from "@gatehouse/cdktf";
import { TerraformResource } from "cdktf";
console.log(JSON.stringify({ listener: typeof Listener, same: Listener === listener.Listener, resource: Listener.prototype instanceof TerraformResource, type: Listener.tfResourceType }));
`;

/** The tsconfig `cdktf init --template=typescript` writes, trimmed to what type-checking reads. */
const CDKTF_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    lib: ['es2018'],
    module: 'CommonJS',
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    target: 'ES2018',
    types: [],
    skipLibCheck: true,
    noEmit: true,
  },
  files: ['main.ts'],
};

let home = '';
let project = '';
let tarball = '';
let tarballFiles: string[] = [];
/** The synthesised stack's folder (cdk.tf.json). */
let stackDir = '';

function runNode(node: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(node, args, { cwd: project, encoding: 'utf8', timeout: 60_000, env: { PATH: '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tsc(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(NODE_24, [TSC, ...args], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

function lastJsonLine(out: string): Record<string, any> {
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`no JSON line in: ${out}`);
  return JSON.parse(line) as Record<string, any>;
}

beforeAll(async () => {
  ({ cdktfTarball: tarball } = await packedArtifacts());
  tarballFiles = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
  home = mkdtempSync(join(tmpdir(), 'gatehouse-cdktf-package-'));
  project = join(home, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'gatehouse-cdktf-app', private: true, main: 'main.js' }, null, 2)}\n`);
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `cdktf@${checkoutVersion('cdktf')}`, `constructs@${checkoutVersion('constructs')}`],
    { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
  );
  writeFileSync(join(project, 'main.js'), JS_PROGRAM);
  writeFileSync(join(project, 'esm.mjs'), ESM_PROGRAM);
}, PACK_TIMEOUT_MS + 120_000);

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the CDKTF bindings package @gatehouse/cdktf, installed outside the checkout', () => {
  it('holds compiled JavaScript, declarations and a README, and no sources or tests', () => {
    const expected = ['README.md', 'package.json', 'index.js', 'index.d.ts', ...FOLDERS.flatMap((f) => [`${f}/index.js`, `${f}/index.d.ts`])];
    expect(tarballFiles).toEqual(expected.map((f) => `package/${f}`).sort());
    expect(tarballFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(tarballFiles.filter((f) => /test|spec/i.test(f))).toEqual([]);
    const readme = readFileSync(join(project, 'node_modules', '@gatehouse', 'cdktf', 'README.md'), 'utf8');
    expect(readme).toMatch(/CDKTF was archived upstream in December 2025/);
    expect(readme).toContain(`npm install @gatehouse/cdktf@${ROOT_VERSION} cdktf@^0.21.0 constructs@^10.4.2`);
    // The JavaScript is the compiler's CommonJS output of the generated code, header and all.
    const listener = readFileSync(join(project, 'node_modules', '@gatehouse', 'cdktf', 'listener', 'index.js'), 'utf8');
    expect(listener).toMatch(/^"use strict";\n\/\/ Generated by terraform\/cdktf\/generate\.ts/);
    expect(listener).toContain('const cdktf = require("cdktf");');
  });

  it('names itself, its entry points and its peers in package.json', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', '@gatehouse', 'cdktf', 'package.json'), 'utf8')) as Record<string, any>;
    expect(manifest).toMatchObject({ name: CDKTF_PACKAGE_NAME, version: ROOT_VERSION, license: 'Apache-2.0', main: 'index.js', types: 'index.d.ts' });
    expect(manifest['peerDependencies']).toEqual({ cdktf: '^0.21.0', constructs: '^10.4.2' });
    expect(CDKTF_PEER_DEPENDENCIES).toEqual(manifest['peerDependencies']);
    expect(manifest['dependencies']).toBeUndefined();
    expect(manifest['files']).toContain('README.md');
    expect(manifest['exports']['./listener']).toEqual({ types: './listener/index.d.ts', default: './listener/index.js' });
    expect(Object.keys(manifest['exports']).sort()).toEqual(['.', './package.json', ...FOLDERS.map((f) => `./${f}`)].sort());
  });

  it('reports its size, packed and installed', () => {
    const packed = statSync(tarball).size;
    const installed = Number(execFileSync('du', ['-sb', join(project, 'node_modules', '@gatehouse', 'cdktf')], { encoding: 'utf8' }).split('\t')[0]);
    const all = Number(execFileSync('du', ['-sb', join(project, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
    console.log(
      `@gatehouse/cdktf: ${(packed / 1024).toFixed(1)} KiB packed, ${(installed / 1024).toFixed(1)} KiB installed; the project's node_modules with cdktf and constructs: ${(all / 1024 / 1024).toFixed(1)} MiB`,
    );
    expect(packed).toBeLessThan(256 * 1024);
    expect(installed).toBeGreaterThan(50_000);
    expect(installed).toBeLessThan(1024 * 1024);
  });

  for (const [label, node] of [
    ['Node 24', NODE_24],
    ['Node 20', USER_NODE],
  ] as const) {
    it(`a plain JavaScript CDKTF program synthesises the constructs into cdk.tf.json on ${label}`, () => {
      const outdir = join(home, `cdktf.out-${label.replace(' ', '')}`);
      const r = runNode(node, ['main.js', outdir]);
      expect(r.status, r.stderr).toBe(0);
      const out = lastJsonLine(r.stdout);
      expect(out['node']).toMatch(label === 'Node 20' ? /^20\./ : /^24\./);
      expect(out['namespaces']).toEqual(['certificate', 'dataGatehouseCertificate', 'dataGatehouseLoadBalancer', 'dataGatehouseTlsPolicies', 'listener', 'loadBalancer', 'provider', 'quicListener', 'serverGroup', 'tlsSecurityPolicy']);
      // Everything resolves inside the project: the package's files and the project's own cdktf.
      for (const path of out['resolved'] as string[]) expect(path.startsWith(join(project, 'node_modules') + '/'), path).toBe(true);

      stackDir = join(outdir, 'stacks', 'edge');
      const synthesised = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
      expect(synthesised.terraform.required_providers.gatehouse).toEqual({ source: 'registry.terraform.io/gatehouse/gatehouse' });
      expect(synthesised.provider.gatehouse).toEqual([{ endpoint: 'http://127.0.0.1:9080' }]);
      expect(Object.keys(synthesised.resource).sort()).toEqual(['gatehouse_listener', 'gatehouse_load_balancer', 'gatehouse_server_group']);
      expect(synthesised.resource.gatehouse_listener.http).toMatchObject({
        load_balancer_id: '${gatehouse_load_balancer.edge.id}',
        default_server_group_id: '${gatehouse_server_group.web.id}',
        protocol: 'HTTP',
        port: 8080,
        idle_timeout: 30,
        forwarded_headers: { proto: true },
      });
      expect(synthesised.resource.gatehouse_server_group.web).toMatchObject({ name: 'web', servers: [{ address: '127.0.0.1', port: 3001 }], health_check: { path: '/healthz', interval: 5 } });
      expect(Object.keys(synthesised.data)).toEqual(['gatehouse_tls_policies']);
    });
  }

  it('an ES module imports the constructs by name through the package exports', () => {
    const r = runNode(USER_NODE, ['esm.mjs']);
    expect(r.status, r.stderr).toBe(0);
    expect(lastJsonLine(r.stdout)).toEqual({ listener: 'function', same: true, resource: true, type: 'gatehouse_listener' });
  });

  it("the README's TypeScript example type-checks against the installed declarations (CDKTF's template tsconfig)", () => {
    const readme = readFileSync(join(project, 'node_modules', '@gatehouse', 'cdktf', 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toContain("new Listener(this, 'https', {");
    writeFileSync(join(project, 'main.ts'), example!);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(CDKTF_TSCONFIG, null, 2));
    const run = tsc(['-p', project]);
    expect(run.out).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);

  it('tsc names a misspelt attribute (control)', () => {
    const bad = readFileSync(join(project, 'main.ts'), 'utf8').replace('defaultServerGroupId:', 'defaultServerGroup:');
    writeFileSync(join(project, 'main.ts'), bad);
    const run = tsc(['-p', project]);
    expect(run.status).not.toBe(0);
    expect(run.out).toMatch(/main\.ts\(\d+,\d+\): error TS(2353|2561): Object literal may only specify known properties, .*'defaultServerGroup'/);
  }, 60_000);
});

describe.skipIf(!RUN_TERRAFORM_TESTS)("the synthesised JSON, validated by terraform with this checkout's provider", () => {
  let cliConfig = '';

  beforeAll(() => {
    requireTerraform();
    // A development override: `validate` reads the provider's schema without `terraform init`.
    cliConfig = writeCliConfig(home);
  });

  it(
    'terraform validate accepts cdk.tf.json',
    async () => {
      const run = await runTerraform({ cwd: stackDir, cliConfig, args: ['validate', '-no-color'] });
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/Success! The configuration is valid/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'terraform validate refuses it with an attribute the provider does not have (control)',
    async () => {
      const wrong = join(home, 'wrong');
      cpSync(stackDir, wrong, { recursive: true });
      const file = join(wrong, 'cdk.tf.json');
      const synthesised = JSON.parse(readFileSync(file, 'utf8'));
      synthesised.resource.gatehouse_listener.http.no_such_attribute = 1;
      writeFileSync(file, JSON.stringify(synthesised));
      const run = await runTerraform({ cwd: wrong, cliConfig, args: ['validate', '-no-color'] });
      expect(run.code, shown(run)).not.toBe(0);
      expect(run.stderr).toMatch(/Extraneous JSON object property|Unsupported argument/);
      expect(run.stderr).toMatch(/no_such_attribute/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
