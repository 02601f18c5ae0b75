/**
 * The CDKTF bindings package `@gatehouse/cdktf`: the typed constructs of the Terraform provider
 * (`new Listener(this, "https", {...})`) that a CDK for Terraform program installs and imports,
 * instead of copying terraform/cdktf/gatehouse/ into its tree.
 *
 * The JavaScript and declarations are compiled from the committed generated sources as they
 * are (terraform/cdktf/generate.ts writes them; nothing here edits them). They use
 * extensionless relative imports and constructor parameter properties, which Node's type
 * stripping cannot run, so the TypeScript compiler builds them: CommonJS, because CDKTF's own
 * packages and its prebuilt providers are CommonJS and its `cdktf init` template compiles
 * programs to CommonJS; ES2020 with [[Set]] class fields, the semantics the generator's code is
 * written for (CDKTF's template targets ES2018). The layout stays the generator's: one folder per
 * resource, data source and the provider, so `require("@gatehouse/cdktf/listener")` reads as the
 * `.gen/` imports of a `cdktf get` project do, and the index exports each folder as a namespace.
 *
 * `cdktf` and `constructs` are peer dependencies: a CDKTF program has its own, and constructs
 * only work with the one copy of cdktf the program's App comes from.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import type { Artifact, PackContext } from './artifact.ts';

/** CDKTF_PACKAGE_NAME is the package's npm name. */
export const CDKTF_PACKAGE_NAME = '@gatehouse/cdktf';

/** CDKTF_PEER_DEPENDENCIES: the cdktf the bindings were generated and tested with, and the constructs it is built against. */
export const CDKTF_PEER_DEPENDENCIES = { cdktf: '^0.21.0', constructs: '^10.4.2' } as const;

/**
 * COMPILER_OPTIONS compile the generated sources for a CommonJS consumer, strict as
 * terraform/cdktf/tsconfig.json checks them, so a generation that does not type-check fails the pack.
 * Node10 resolution is what finds `./listener` as `./listener/index.ts`.
 */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ['lib.es2020.d.ts'],
  // The generated modules use nothing of Node's, so the compile loads no ambient types (no @types/node).
  types: [],
  strict: true,
  declaration: true,
  skipLibCheck: true,
  newLine: ts.NewLineKind.LineFeed,
};

/** bindingsDir is where terraform/cdktf/generate.ts commits the generated sources. */
export function bindingsDir(root: string): string {
  return join(root, 'terraform', 'cdktf', 'gatehouse');
}

/**
 * LAZY_INDEX is the generator's second index, for jsii builds: a script that defines each
 * namespace as a getter calling `require`. Compiled, it declares nothing to TypeScript and
 * exports nothing Node's ES-module loader can name, so the package leaves it out; index.js
 * exports the same namespaces, and a program that wants to load one construct alone requires
 * its folder.
 */
const LAZY_INDEX = 'lazy-index.ts';

/** generatedSources lists the generated TypeScript files to compile, relative to the bindings folder, sorted. */
function generatedSources(dir: string, sub = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, sub)).sort()) {
    const rel = sub === '' ? name : `${sub}/${name}`;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...generatedSources(dir, rel));
    else if (rel.endsWith('.ts') && rel !== LAZY_INDEX) out.push(rel);
  }
  return out;
}

/**
 * compileBindings compiles the generated sources into `outDir` and returns the files written,
 * relative to it, sorted. Compiler errors fail it with the compiler's messages. The types of
 * `cdktf` and `constructs` resolve from the bindings' folder, i.e. the checkout's node_modules:
 * the versions the bindings are tested with.
 */
export function compileBindings(root: string, outDir: string, sourceDir: string = bindingsDir(root)): string[] {
  const sources = generatedSources(sourceDir);
  if (!sources.includes('index.ts')) throw new Error(`${sourceDir} holds no generated index.ts: run npm run gen:cdktf`);
  const written: string[] = [];
  const program = ts.createProgram({
    rootNames: sources.map((file) => join(sourceDir, file)),
    options: { ...COMPILER_OPTIONS, rootDir: sourceDir, outDir },
  });
  const emitted = program.emit(undefined, (fileName, text) => {
    mkdirSync(join(fileName, '..'), { recursive: true });
    writeFileSync(fileName, text);
    written.push(relative(outDir, fileName).split(sep).join('/'));
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0 || emitted.emitSkipped) {
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(`compiling the CDKTF bindings failed:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  return written.sort();
}

/**
 * cdktfManifest is the package's package.json. `exports` names the index and each folder, so
 * the constructs resolve by folder from CommonJS, from ES modules (which do not resolve a folder
 * to its index.js on their own) and under TypeScript's node16/bundler resolution alike.
 */
export function cdktfManifest(version: string, files: readonly string[]): Record<string, unknown> {
  const entries = files.filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -'.js'.length)).sort((a, b) => Number(b === 'index') - Number(a === 'index'));
  const exports: Record<string, unknown> = {};
  for (const entry of entries) {
    const subpath = entry === 'index' ? '.' : `./${entry.replace(/\/index$/, '')}`;
    exports[subpath] = { types: `./${entry}.d.ts`, default: `./${entry}.js` };
  }
  exports['./package.json'] = './package.json';
  return {
    name: CDKTF_PACKAGE_NAME,
    version,
    description: 'CDK for Terraform bindings of the Gatehouse Terraform provider: typed constructs for load balancers, listeners, certificates, TLS security policies and server groups.',
    license: 'Apache-2.0',
    keywords: ['cdktf', 'terraform', 'gatehouse', 'load-balancer'],
    main: 'index.js',
    types: 'index.d.ts',
    exports,
    files: [...files, 'README.md'],
    engines: { node: '>=20' },
    peerDependencies: { ...CDKTF_PEER_DEPENDENCIES },
  };
}

/** cdktfReadme is the package's README.md: what it is, that CDKTF is archived, how to install and use it. */
export function cdktfReadme(version: string): string {
  return `# @gatehouse/cdktf ${version}

CDK for Terraform bindings of the Gatehouse Terraform provider (\`gatehouse/gatehouse\`): typed
constructs for a CDKTF program — \`new Listener(this, "https", {...})\` instead of
\`resource "gatehouse_listener" "https" {...}\`. The program synthesises Terraform JSON
(\`cdk.tf.json\`), which the Gatehouse provider plans and applies as it does HCL.

**CDKTF was archived upstream in December 2025.** Its last release, cdktf 0.21.0, still works
and is what these bindings are generated with and tested against, but nothing new will come from
upstream. This package is for teams that already have CDKTF programs. The Terraform provider is
the lasting interface: everything the constructs do goes through it, and HCL needs nothing else.

## Install

The constructs only describe resources; Terraform still needs the provider. Install the
provider archive (\`terraform-provider-gatehouse_${version}_<os>_<arch>.zip\`) into a filesystem
mirror as its README says, with a CLI configuration that takes \`gatehouse/gatehouse\` from the
mirror. Then, in the CDKTF program's project, beside its own \`cdktf\` and \`constructs\`
(peer dependencies, ^0.21.0 and ^10.4.2):

    npm install @gatehouse/cdktf@${version} cdktf@^0.21.0 constructs@^10.4.2
    # or, from the release files: npm install ./gatehouse-cdktf-${version}.tgz

## Use

Each resource, data source and the provider has its own module:

| module | constructs |
|---|---|
| \`@gatehouse/cdktf/provider\` | \`GatehouseProvider\` (\`endpoint\`, \`token\`; or \`GATEHOUSE_ENDPOINT\` / \`GATEHOUSE_TOKEN\`) |
| \`@gatehouse/cdktf/load-balancer\` | \`LoadBalancer\` (resource \`gatehouse_load_balancer\`) |
| \`@gatehouse/cdktf/server-group\` | \`ServerGroup\` |
| \`@gatehouse/cdktf/certificate\` | \`Certificate\` |
| \`@gatehouse/cdktf/tls-security-policy\` | \`TlsSecurityPolicy\` |
| \`@gatehouse/cdktf/listener\` | \`Listener\` |
| \`@gatehouse/cdktf/quic-listener\` | \`QuicListener\` |
| \`@gatehouse/cdktf/data-gatehouse-certificate\` | \`DataGatehouseCertificate\` (data source \`gatehouse_certificate\`) |
| \`@gatehouse/cdktf/data-gatehouse-load-balancer\` | \`DataGatehouseLoadBalancer\` |
| \`@gatehouse/cdktf/data-gatehouse-tls-policies\` | \`DataGatehouseTlsPolicies\` |

\`@gatehouse/cdktf\` itself exports each module as a namespace (\`listener.Listener\`, …).

\`\`\`ts
import { App, Fn, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GatehouseProvider } from '@gatehouse/cdktf/provider';
import { LoadBalancer } from '@gatehouse/cdktf/load-balancer';
import { ServerGroup } from '@gatehouse/cdktf/server-group';
import { Certificate } from '@gatehouse/cdktf/certificate';
import { Listener } from '@gatehouse/cdktf/listener';

class Edge extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GatehouseProvider(this, 'gatehouse', {}); // GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN
    const edge = new LoadBalancer(this, 'edge', { name: 'edge', address: '127.0.0.1' });
    const web = new ServerGroup(this, 'web', { name: 'web', servers: [{ address: '127.0.0.1', port: 3001 }] });
    const site = new Certificate(this, 'site', { name: 'site', certificatePem: Fn.file('/etc/gatehouse/site.pem'), privateKeyPem: Fn.file('/etc/gatehouse/site.key') });
    new Listener(this, 'https', {
      loadBalancerId: edge.id,
      protocol: 'HTTPS',
      port: 443,
      defaultServerGroupId: web.id,
      certificates: { defaultCertificateId: site.id },
    });
  }
}

const app = new App();
new Edge(app, 'edge');
app.synth();
\`\`\`

Attribute names are the provider's in camelCase (\`default_server_group_id\` →
\`defaultServerGroupId\`); nested attributes are plain objects. \`cdktf synth\` writes
\`cdktf.out/stacks/edge/cdk.tf.json\`; \`cdktf deploy\`, or \`terraform init\` and \`terraform apply\`
in that folder, applies it with the provider from the mirror. The doc comments link to the
Terraform Registry, as the generator writes them; the provider is not published there, so those
links do not resolve.

The package is CommonJS JavaScript with TypeScript declarations, compiled from the bindings
generated from the provider's \`terraform providers schema -json\`; it runs on Node.js 20 or later.
Licensed under Apache-2.0.
`;
}

/** buildCdktfPackage compiles, stages and `npm pack`s the bindings into ctx.outDir. */
export function buildCdktfPackage(ctx: PackContext): Artifact {
  const stage = join(ctx.workDir, 'cdktf-package');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const files = compileBindings(ctx.root, stage);
  writeFileSync(join(stage, 'README.md'), cdktfReadme(ctx.version));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(cdktfManifest(ctx.version, files), null, 2)}\n`);
  const npm = spawnSync('npm', ['pack', '--pack-destination', ctx.outDir, '--json'], { cwd: stage, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm pack of the CDKTF bindings failed:\n${npm.stderr}`);
  const [packed] = JSON.parse(npm.stdout) as { filename: string }[];
  return { label: 'CDKTF bindings', file: join(ctx.outDir, packed!.filename) };
}
