/**
 * The provider plugin archive, `pulumi-resource-gatehouse-v<version>-<os>-<arch>.tar.gz`, laid out
 * as `pulumi plugin install resource gatehouse <version> -f <archive>` expects: the executable
 * `pulumi-resource-gatehouse` at the root, beside a short README.md.
 *
 * The executable is a Node.js single-executable application (SEA): the Node 24 binary the project
 * runs on, with the compiled provider bundled into one CommonJS script and injected into it. It
 * runs from any folder with no checkout, no network, no `npm install` and no Node.js of the
 * user's own. The archive is for the HOST platform only (the Node binary copied is the one
 * running here): archives for other platforms are built on those platforms.
 *
 * What the bundle needs from the provider source (see provider/proto.ts and provider/service.ts):
 *   - the @pulumi/pulumi protocol stubs and google-protobuf are imported statically, so esbuild
 *     bundles them (a `createRequire` call would be left for run time, where a SEA has no
 *     node_modules);
 *   - the Pulumi schema and the version come from SEA assets (`schema.json`, `package.json`),
 *     written here from `ctx.pulumiSchemaText` and `ctx.version`;
 *   - `import.meta.url` (empty in CommonJS output) is defined as the bundle's own file URL and
 *     `import.meta.main` as true: the bundle's entry is the plugin entry.
 * The build fails when the bundle would pull in anything of server/ or engine/ or `node:sqlite`,
 * when esbuild warns of an `import.meta` it could not replace or a `require` it could not follow,
 * and when the finished executable does not print a port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import { build, type Message, type Metafile, type Plugin } from 'esbuild';
import { pulumiPlatform, type Artifact, type PackContext } from './artifact.ts';

/** EXECUTABLE is the plugin's file name, as the Pulumi engine looks it up. */
export const EXECUTABLE = 'pulumi-resource-gatehouse';
/** SEA_FUSE is the sentinel Node's binary carries, flipped by postject when a blob is injected. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** FORBIDDEN_FOLDERS hold the load balancer itself: a Pulumi user's plugin must not load it. */
const FORBIDDEN_FOLDERS = ['server', 'engine'];
/** FORBIDDEN_MODULES are built-ins only the server uses. */
const FORBIDDEN_MODULES = ['node:sqlite', 'sqlite'];
/** START_TIMEOUT_MS bounds the smoke run of the finished executable. */
const START_TIMEOUT_MS = 30_000;
/** MODULE_URL is the bundle's stand-in for `import.meta.url`, set by the banner. */
const MODULE_URL = '__gatehouseModuleUrl';

/** PluginArchiveReport says what went into the archive, for the pack summary and the tests. */
export interface PluginArchiveReport {
  /** Bytes of the bundled CommonJS script. */
  readonly bundleBytes: number;
  /** Bytes of the executable (Node plus the injected blob). */
  readonly executableBytes: number;
  /** The Node.js version embedded. */
  readonly nodeVersion: string;
}

/**
 * buildPluginArchive bundles the compiled provider, makes a single executable of it on the host's
 * Node 24 and writes the host platform's plugin archive into `ctx.outDir`.
 */
export async function buildPluginArchive(ctx: PackContext): Promise<Artifact> {
  return (await buildPluginArchiveWithReport(ctx)).artifact;
}

/** buildPluginArchiveWithReport is buildPluginArchive, also returning the sizes of what it built. */
export async function buildPluginArchiveWithReport(ctx: PackContext): Promise<{ artifact: Artifact; report: PluginArchiveReport }> {
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new Error(`the plugin archive is built on Linux or macOS, not on ${process.platform}`);
  }
  const work = join(ctx.workDir, 'plugin-archive');
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, 'stage');
  mkdirSync(stage, { recursive: true });

  const bundle = join(work, 'provider.cjs');
  await bundleProvider(ctx, bundle);
  const node = node24(ctx.root);

  // The SEA blob: the bundle (with V8's code cache, which saves compiling it at every start) and
  // the texts GetSchema and GetPluginInfo answer with.
  const schemaAsset = join(work, 'schema.json');
  writeFileSync(schemaAsset, ctx.pulumiSchemaText);
  const packageAsset = join(work, 'package.json');
  writeFileSync(packageAsset, `${JSON.stringify({ name: 'gatehouse', version: ctx.version })}\n`);
  const blob = join(work, 'sea-prep.blob');
  const seaConfig = join(work, 'sea-config.json');
  writeFileSync(
    seaConfig,
    JSON.stringify(
      {
        main: bundle,
        output: blob,
        disableExperimentalSEAWarning: true,
        useCodeCache: true,
        useSnapshot: false,
        assets: { 'schema.json': schemaAsset, 'package.json': packageAsset },
      },
      null,
      2,
    ),
  );
  run(node.path, ['--experimental-sea-config', seaConfig], work, 'node --experimental-sea-config');

  const exe = join(stage, EXECUTABLE);
  copyFileSync(node.path, exe);
  chmodSync(exe, 0o755);
  if (process.platform === 'darwin') run('codesign', ['--remove-signature', exe], work, 'codesign --remove-signature');
  // postject's own command, in a child: its ELF library prints harmless warnings about note
  // sections that would only clutter `npm run pack`; they are shown if the injection fails.
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  const macho = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  run(node.path, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho], work, 'postject');
  if (process.platform === 'darwin') run('codesign', ['--sign', '-', exe], work, 'codesign --sign');
  chmodSync(exe, 0o755);
  await smokeTest(exe, work);

  writeFileSync(join(stage, 'README.md'), readme(ctx.version, node.version));
  chmodSync(join(stage, 'README.md'), 0o644);
  writeFileSync(join(stage, NODE_LICENSE), nodeLicense(node.version, work));
  chmodSync(join(stage, NODE_LICENSE), 0o644);

  const file = join(ctx.outDir, `pulumi-resource-gatehouse-v${ctx.version}-${pulumiPlatform()}.tar.gz`);
  rmSync(file, { force: true });
  tarGz(stage, [EXECUTABLE, 'README.md', NODE_LICENSE].sort(), file);
  return {
    artifact: { label: 'provider plugin', file },
    report: { bundleBytes: statSync(bundle).size, executableBytes: statSync(exe).size, nodeVersion: node.version },
  };
}

/** bundleProvider bundles `<buildDir>/provider/main.js` and what it imports into one CommonJS file. */
async function bundleProvider(ctx: PackContext, outfile: string): Promise<void> {
  const entry = join(ctx.buildDir, 'provider', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: the provider has not been compiled (npm run build)`);
  const result = await build({
    entryPoints: [entry],
    outfile,
    absWorkingDir: ctx.root,
    // Packages resolve from the checkout's node_modules wherever the build folder is.
    nodePaths: [join(ctx.root, 'node_modules')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    // Only whitespace: names stay readable in a stack trace a user reports.
    minifyWhitespace: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
    define: { 'import.meta.url': MODULE_URL, 'import.meta.main': 'true' },
    plugins: [undiciWithoutSqlite],
    banner: { js: `const ${MODULE_URL} = require('node:url').pathToFileURL(__filename).href;` },
  });
  const problems = [...bundleWarnings(result.warnings), ...forbiddenInputs(result.metafile, ctx)];
  if (problems.length > 0) throw new Error(`the provider bundle is not fit for the plugin executable:\n  ${problems.join('\n  ')}`);
}

/**
 * undiciWithoutSqlite keeps `node:sqlite` out of the executable. undici's index loads its SQLite
 * cache store (and a feature probe) that `require('node:sqlite')` only when used; the provider
 * uses neither, so inside undici that require answers as on a Node without SQLite. Anywhere else
 * `node:sqlite` stays an import, and forbiddenInputs fails the build on it.
 */
const undiciWithoutSqlite: Plugin = {
  name: 'undici-without-sqlite',
  setup(b) {
    b.onResolve({ filter: /^(node:)?sqlite$/ }, (args) =>
      /[\\/]node_modules[\\/]undici[\\/]/.test(args.importer) ? { path: 'node:sqlite', namespace: 'no-sqlite' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-sqlite' }, () => ({
      contents: `const err = new Error('node:sqlite is not part of the gatehouse provider plugin'); err.code = 'ERR_UNKNOWN_BUILTIN_MODULE'; throw err;`,
      loader: 'js',
    }));
  },
};

/** bundleWarnings keeps the warnings that mean the bundle would fail at run time inside the executable. */
function bundleWarnings(warnings: readonly Message[]): string[] {
  return warnings
    .filter((w) => /import\.meta|require|__dirname|__filename/.test(w.text))
    .map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
}

/** forbiddenInputs names every bundled file of server/ or engine/ and every import of node:sqlite. */
function forbiddenInputs(metafile: Metafile, ctx: PackContext): string[] {
  const problems: string[] = [];
  for (const [input, info] of Object.entries(metafile.inputs)) {
    const abs = isAbsolute(input) ? input : join(ctx.root, input);
    for (const base of [ctx.buildDir, ctx.root]) {
      const rel = relative(base, abs);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const top = rel.split(sep)[0]!;
      if (FORBIDDEN_FOLDERS.includes(top)) problems.push(`${rel} is bundled (the provider must not load ${top}/)`);
    }
    for (const imp of info.imports) {
      if (imp.external === true && FORBIDDEN_MODULES.includes(imp.path)) problems.push(`${input} imports ${imp.path}`);
    }
  }
  return [...new Set(problems)];
}

/** NODE_LICENSE is the file that carries the license of the embedded Node.js and its bundled libraries. */
export const NODE_LICENSE = 'LICENSE.nodejs';

/**
 * nodeLicense is the LICENSE of the embedded Node.js release, which its license requires to go
 * with every copy: taken from the npm package of that very build (`node-<os>-<arch>`, the one
 * the `node` devDependency installed, so npm's cache normally has it).
 */
function nodeLicense(nodeVersion: string, work: string): string {
  const spec = `node-${process.platform}-${process.arch}@${nodeVersion.replace(/^v/, '')}`;
  const out = run('npm', ['pack', spec, '--prefer-offline', '--json', '--pack-destination', work], work, `npm pack ${spec}`);
  const [packed] = JSON.parse(out) as { filename: string }[];
  run('tar', ['-xzf', join(work, packed!.filename), '-C', work, 'package/LICENSE'], work, `extracting the LICENSE of ${spec}`);
  const text = readFileSync(join(work, 'package', 'LICENSE'), 'utf8');
  if (!text.includes('Node.js')) throw new Error(`${spec} carries no Node.js license text`);
  return text;
}

/** node24 is the Node 24 binary to embed: this process's when it is Node 24, else the project's own. */
function node24(root: string): { path: string; version: string } {
  if (process.versions.node.split('.')[0] === '24') return { path: process.execPath, version: process.version };
  const path = join(root, 'node_modules', 'node', 'bin', 'node');
  const version = run(path, ['--version'], root, 'node --version').trim();
  if (!version.startsWith('v24.')) throw new Error(`${path} is Node ${version}, not 24: run npm install`);
  return { path, version };
}

/** smokeTest runs the executable once, with no `node` on PATH, and expects its port on the first line. */
async function smokeTest(exe: string, cwd: string): Promise<void> {
  const child = spawn(exe, ['127.0.0.1:1'], { cwd, env: { PATH: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve(stdout.slice(0, stdout.indexOf('\n')));
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`it exited (code ${code}, signal ${signal}) before printing a port`));
      });
    });
    if (!/^\d{1,5}$/.test(line)) throw new Error(`its first line is ${JSON.stringify(line)}, not a port`);
  } catch (err) {
    throw new Error(`the plugin executable does not start: ${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      await closed;
    }
  }
}

/** tarGz writes a gzip'd tar of `names` (sorted, files of `dir`) owned by root, with no gzip timestamp. */
function tarGz(dir: string, names: readonly string[], file: string): void {
  const owner = process.platform === 'darwin' ? ['--uid', '0', '--gid', '0'] : ['--owner=0', '--group=0', '--numeric-owner'];
  const mtime = process.env['SOURCE_DATE_EPOCH'] && process.platform !== 'darwin' ? [`--mtime=@${process.env['SOURCE_DATE_EPOCH']}`] : [];
  const tarFile = `${file}.tar`;
  run('tar', ['-cf', tarFile, ...owner, ...mtime, '-C', dir, ...names], dir, 'tar');
  // gzip -n leaves the name and time out of the header, so the same tar gives the same archive.
  run('gzip', ['-n', '-9', '-f', tarFile], dir, 'gzip');
  copyFileSync(`${tarFile}.gz`, file);
  rmSync(`${tarFile}.gz`, { force: true });
}

/** run runs a command to completion and returns its stdout; a failure names the step. */
function run(command: string, args: readonly string[], cwd: string, step: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new Error(`${step}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${step} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** readme is the archive's README.md: what the file is and how to install it. */
function readme(version: string, nodeVersion: string): string {
  return `# pulumi-resource-gatehouse ${version} (${pulumiPlatform()})

The Gatehouse resource provider plugin for Pulumi, as one executable: Node.js ${nodeVersion}
with the provider inside it. It needs no Node.js, npm or network on this machine.

Install it for Pulumi with:

    pulumi plugin install resource gatehouse ${version} -f pulumi-resource-gatehouse-v${version}-${pulumiPlatform()}.tar.gz

Gatehouse is licensed under Apache-2.0; the embedded Node.js under its own license, in\n${NODE_LICENSE}.
`;
}
