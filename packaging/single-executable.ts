/**
 * What the plugin executables share (the Pulumi provider plugin and the Terraform provider): the
 * compiled entry bundled into one CommonJS script, then injected into a copy of the Node 24
 * binary the project runs on as a Node.js single-executable application (SEA). The result runs
 * from any folder with no checkout, no network, no `npm install` and no Node.js of the user's
 * own. It is for the HOST platform only (the Node binary copied is the one running here).
 *
 * What a bundle needs of the code it bundles:
 *   - packages imported statically, so esbuild bundles them (a `createRequire` call would be
 *     left for run time, where a SEA has no node_modules);
 *   - files read at run time come from SEA assets (`node:sea` getAsset), which the builder names;
 *   - `import.meta.url` (empty in CommonJS output) is defined as the bundle's own file URL and
 *     `import.meta.main` as true: the bundle's entry is the executable's entry.
 * A bundle fails to build when it would pull in a forbidden folder (the load balancer itself:
 * server/, engine/) or `node:sqlite`, and when esbuild warns of an `import.meta` it could not
 * replace or a `require` it could not follow.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import { build, type Message, type Metafile, type Plugin } from 'esbuild';
import type { PackContext } from './artifact.ts';

/** SEA_FUSE is the sentinel Node's binary carries, flipped by postject when a blob is injected. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** FORBIDDEN_MODULES are built-ins only the server uses. */
const FORBIDDEN_MODULES = ['node:sqlite', 'sqlite'];
/** MODULE_URL is the bundle's stand-in for `import.meta.url`, set by the banner. */
const MODULE_URL = '__gatehouseModuleUrl';

/** NODE_LICENSE is the file that carries the license of the embedded Node.js and its bundled libraries. */
export const NODE_LICENSE = 'LICENSE.nodejs';

/** BundleOptions say which compiled entry to bundle and which top-level folders it must not load. */
export interface BundleOptions {
  /** The entry, relative to the build folder (`provider/main.js`). */
  readonly entry: string;
  readonly outfile: string;
  /** Top-level folders of the project no file of the bundle may come from. */
  readonly forbiddenFolders: readonly string[];
  /** What the executable is, for messages ("the provider plugin"). */
  readonly what: string;
}

/** bundleEntry bundles a compiled entry and what it imports into one CommonJS file. */
export async function bundleEntry(ctx: PackContext, options: BundleOptions): Promise<void> {
  const entry = join(ctx.buildDir, options.entry);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: the project has not been compiled (npm run build)`);
  const result = await build({
    entryPoints: [entry],
    outfile: options.outfile,
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
  const problems = [...bundleWarnings(result.warnings), ...forbiddenInputs(result.metafile, ctx, options.forbiddenFolders)];
  if (problems.length > 0) throw new Error(`the bundle of ${options.what} is not fit for a single executable:\n  ${problems.join('\n  ')}`);
}

/**
 * undiciWithoutSqlite keeps `node:sqlite` out of the executables. undici's index loads its SQLite
 * cache store (and a feature probe) that `require('node:sqlite')` only when used; the plugins
 * use neither, so inside undici that require answers as on a Node without SQLite. Anywhere else
 * `node:sqlite` stays an import, and forbiddenInputs fails the build on it.
 */
const undiciWithoutSqlite: Plugin = {
  name: 'undici-without-sqlite',
  setup(b) {
    b.onResolve({ filter: /^(node:)?sqlite$/ }, (args) =>
      /[\\/]node_modules[\\/]undici[\\/]/.test(args.importer) ? { path: 'node:sqlite', namespace: 'no-sqlite' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-sqlite' }, () => ({
      contents: `const err = new Error('node:sqlite is not part of this executable'); err.code = 'ERR_UNKNOWN_BUILTIN_MODULE'; throw err;`,
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

/** forbiddenInputs names every bundled file of a forbidden folder and every import of node:sqlite. */
function forbiddenInputs(metafile: Metafile, ctx: PackContext, folders: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [input, info] of Object.entries(metafile.inputs)) {
    const abs = isAbsolute(input) ? input : join(ctx.root, input);
    for (const base of [ctx.buildDir, ctx.root]) {
      const rel = relative(base, abs);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const top = rel.split(sep)[0]!;
      if (folders.includes(top)) problems.push(`${rel} is bundled (this executable must not load ${top}/)`);
    }
    for (const imp of info.imports) {
      if (imp.external === true && FORBIDDEN_MODULES.includes(imp.path)) problems.push(`${input} imports ${imp.path}`);
    }
  }
  return [...new Set(problems)];
}

/** SingleExecutableOptions say what goes into one executable. */
export interface SingleExecutableOptions {
  /** The bundle (bundleEntry's outfile). */
  readonly bundle: string;
  /** SEA assets: name → file. */
  readonly assets: Readonly<Record<string, string>>;
  /** The executable to write. */
  readonly exe: string;
  /** A scratch folder. */
  readonly work: string;
}

/**
 * makeSingleExecutable injects the bundle (with V8's code cache, which saves compiling it at
 * every start) and the assets into a copy of Node 24; it returns the embedded Node's version.
 */
export function makeSingleExecutable(root: string, options: SingleExecutableOptions): string {
  const node = node24(root);
  const blob = join(options.work, 'sea-prep.blob');
  const seaConfig = join(options.work, 'sea-config.json');
  const config = { main: options.bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, useSnapshot: false, assets: options.assets };
  writeFileSync(seaConfig, JSON.stringify(config, null, 2));
  run(node.path, ['--experimental-sea-config', seaConfig], options.work, 'node --experimental-sea-config');

  const exe = options.exe;
  rmSync(exe, { force: true });
  copyFileSync(node.path, exe);
  chmodSync(exe, 0o755);
  if (process.platform === 'darwin') run('codesign', ['--remove-signature', exe], options.work, 'codesign --remove-signature');
  // postject's own command, in a child: its ELF library prints harmless warnings about note
  // sections that would only clutter `npm run pack`; they are shown if the injection fails.
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  const macho = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  run(node.path, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho], options.work, 'postject');
  if (process.platform === 'darwin') run('codesign', ['--sign', '-', exe], options.work, 'codesign --sign');
  chmodSync(exe, 0o755);
  return node.version;
}

/** requireUnixHost refuses hosts the executables are not built on. */
export function requireUnixHost(what: string): void {
  if (process.platform !== 'linux' && process.platform !== 'darwin') throw new Error(`${what} is built on Linux or macOS, not on ${process.platform}`);
}

/**
 * nodeLicense is the LICENSE of the embedded Node.js release, which its license requires to go
 * with every copy: taken from the npm package of that very build (`node-<os>-<arch>`, the one
 * the `node` devDependency installed, so npm's cache normally has it).
 */
export function nodeLicense(nodeVersion: string, work: string): string {
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

/** START_TIMEOUT_MS bounds the smoke run of a finished executable. */
const START_TIMEOUT_MS = 30_000;

/** FirstLineOptions say how to start an executable for its smoke run. */
export interface FirstLineOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** What it is, for messages. */
  readonly what: string;
}

/**
 * firstLineOf starts a finished executable once and resolves with the first line it prints
 * (both plugins print one line to say where they listen), then kills it; an executable that
 * exits first, or prints nothing within START_TIMEOUT_MS, fails with its stderr.
 */
export async function firstLineOf(exe: string, args: readonly string[], options: FirstLineOptions): Promise<string> {
  const child = spawn(exe, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing printed within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
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
        reject(new Error(`it exited (code ${code}, signal ${signal}) before printing a line`));
      });
    });
  } catch (err) {
    throw new Error(`${options.what} does not start: ${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      await closed;
    }
  }
}

/** run runs a command to completion and returns its stdout; a failure names the step. */
export function run(command: string, args: readonly string[], cwd: string, step: string, env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, ...(env ? { env } : {}) });
  if (r.error) throw new Error(`${step}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${step} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
