/**
 * The server package: `gatehouse-<version>.tgz`, an npm tarball that `npm install -g` turns into
 * the `gatehouse` command (serve, status, drift) on Node 24, without the checkout.
 *
 * It holds exactly the compiled modules the command can load (the closure of relative imports,
 * static and dynamic, from cli/gatehouse.js), the data files they read next to themselves
 * (`new URL('…', import.meta.url)`), a package.json generated from the root one whose
 * `dependencies` are the root dependencies that code imports, with the root's ranges, and an
 * `npm-shrinkwrap.json` cut from the root package-lock.json down to the production tree of those
 * dependencies, so an operator installs the versions the project was tested with (and an install
 * can work offline from npm's cache). An import of a package the root does not declare fails the
 * build: it would install only by luck of hoisting.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import type { Artifact, PackContext } from './artifact.ts';

/** SERVER_ENTRY is the command's compiled entry, relative to the build folder; it becomes `bin.gatehouse`. */
export const SERVER_ENTRY = 'cli/gatehouse.js';
/** SERVER_README is the operator README shipped in the tarball (as README.md). */
const SERVER_README = join('packaging', 'server-README.md');

/** ModuleClosure is what the command's code needs: its files and the packages it imports. */
export interface ModuleClosure {
  /** The compiled modules, relative to the build folder, `/`-separated, sorted. */
  readonly modules: readonly string[];
  /** Files the modules read next to themselves, relative to the build folder (package.json excluded). */
  readonly dataFiles: readonly string[];
  /** Each package name the modules import, with the modules importing it. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

interface RootPackageJson {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

interface LockEntry {
  readonly version?: string;
  readonly link?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly [field: string]: unknown;
}

interface PackageLock {
  readonly lockfileVersion: number;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** packageName is the npm package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const REQUIRE_CALL = /\brequire\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const URL_NEXT_TO_MODULE = /\bnew URL\(\s*(['"])([^'"\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/**
 * moduleClosure follows the imports of the compiled entry: esbuild's metafile gives the static
 * and dynamic imports; `require('…')` calls (through createRequire, which esbuild cannot see)
 * and `new URL('…', import.meta.url)` reads are found in the text of each module.
 */
export async function moduleClosure(buildDir: string, entry: string = SERVER_ENTRY): Promise<ModuleClosure> {
  const result = await build({
    entryPoints: [join(buildDir, entry)],
    absWorkingDir: buildDir,
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
    outdir: join(buildDir, '.closure-not-written'),
  });
  const modules = Object.keys(result.metafile.inputs).sort();
  const packages = new Map<string, string[]>();
  const addPackage = (specifier: string, from: string) => {
    if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return;
    const name = packageName(specifier);
    const users = packages.get(name) ?? [];
    if (!users.includes(from)) users.push(from);
    packages.set(name, users);
  };
  const dataFiles = new Set<string>();
  for (const module of modules) {
    if (!module.endsWith('.js') || module.startsWith('..') || module.includes('node_modules/')) {
      throw new Error(`the command's closure holds ${module}, which is not a compiled module of the project`);
    }
    for (const imported of result.metafile.inputs[module]!.imports) {
      if (imported.external) addPackage(imported.original ?? imported.path, module);
    }
    const text = readFileSync(join(buildDir, module), 'utf8');
    for (const m of text.matchAll(REQUIRE_CALL)) {
      if (m[2]!.startsWith('.')) throw new Error(`${module} requires ${m[2]}: a relative require is not followed; import it`);
      addPackage(m[2]!, module);
    }
    for (const m of text.matchAll(URL_NEXT_TO_MODULE)) {
      const file = relative(buildDir, resolve(buildDir, dirname(module), m[2]!)).split(sep).join('/');
      if (file.startsWith('..')) throw new Error(`${module} reads ${m[2]}, outside the build folder`);
      if (file !== 'package.json') dataFiles.add(file);
    }
  }
  return { modules, dataFiles: [...dataFiles].sort(), packages: new Map([...packages].sort(([a], [b]) => a.localeCompare(b))) };
}

/** packageDependencies maps each imported package to the root's range, failing on any the root does not declare. */
export function packageDependencies(closure: ModuleClosure, root: RootPackageJson, lock?: PackageLock): Record<string, string> {
  const declared = root.dependencies ?? {};
  const missing = [...closure.packages].filter(([name]) => !Object.hasOwn(declared, name));
  if (missing.length > 0) {
    const lines = missing.map(([name, users]) => {
      const installed = lock?.packages[`node_modules/${name}`]?.version;
      return `  ${name} (imported by ${users.join(', ')})${installed ? `: npm install ${name}@^${installed} declares the version installed now` : ''}`;
    });
    throw new Error(`the gatehouse command imports packages the root package.json does not declare in "dependencies":\n${lines.join('\n')}`);
  }
  return Object.fromEntries([...closure.packages.keys()].map((name) => [name, declared[name]!]));
}

/** lockPathOf finds where `name`, required by the package at `from`, is installed, as Node resolves it. */
function lockPathOf(packages: PackageLock['packages'], from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (Object.hasOwn(packages, candidate)) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * shrinkwrapFrom cuts the root lockfile down to the production tree of `dependencies`: every
 * package they reach through dependencies, optional dependencies and peer dependencies, at the
 * path it has in the root's tree, marked optional when only optional edges reach it.
 */
export function shrinkwrapFrom(lock: PackageLock, rootEntry: LockEntry, dependencies: Readonly<Record<string, string>>): object {
  if (lock.lockfileVersion < 2) throw new Error(`package-lock.json has lockfileVersion ${lock.lockfileVersion}; npm 7 or later writes 2 or 3`);
  const packages = lock.packages;
  const reach = (withOptional: boolean): Set<string> => {
    const seen = new Set<string>();
    const visit = (from: string, name: string, optional: boolean) => {
      const path = lockPathOf(packages, from, name);
      if (path === undefined) {
        if (optional) return;
        throw new Error(`package-lock.json has no ${name} for ${from || 'the root'}; run npm install`);
      }
      if (seen.has(path)) return;
      const entry = packages[path]!;
      if (entry.link) throw new Error(`${path} is a linked package in package-lock.json; the server package cannot ship it`);
      seen.add(path);
      for (const dep of Object.keys(entry.dependencies ?? {})) visit(path, dep, false);
      for (const dep of Object.keys(entry.peerDependencies ?? {})) {
        const peerOptional = entry.peerDependenciesMeta?.[dep]?.optional === true;
        if (!peerOptional || withOptional) visit(path, dep, peerOptional);
      }
      if (withOptional) for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(path, dep, true);
    };
    for (const name of Object.keys(dependencies)) visit('', name, false);
    return seen;
  };
  const required = reach(false);
  const all = reach(true);
  const entries: Record<string, object> = { '': rootEntry };
  for (const path of [...all].sort()) {
    const { dev, devOptional, optional, peer, ...rest } = packages[path]!;
    void dev;
    void devOptional;
    void optional;
    void peer;
    entries[path] = required.has(path) ? rest : { ...rest, optional: true };
  }
  return { name: rootEntry['name'], version: rootEntry['version'], lockfileVersion: 3, requires: true, packages: entries };
}

/** copyInto copies a file, or a folder the command reads whole (the built web console), into the stage. */
function copyInto(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  if (statSync(from).isDirectory()) cpSync(from, to, { recursive: true });
  else copyFileSync(from, to);
}

/** buildServerPackage stages the package in ctx.workDir and packs it into ctx.outDir. */
export async function buildServerPackage(ctx: PackContext): Promise<Artifact> {
  const rootJson = JSON.parse(readFileSync(join(ctx.root, 'package.json'), 'utf8')) as RootPackageJson;
  const lock = JSON.parse(readFileSync(join(ctx.root, 'package-lock.json'), 'utf8')) as PackageLock;
  const closure = await moduleClosure(ctx.buildDir);
  const dependencies = packageDependencies(closure, rootJson, lock);

  const stage = join(ctx.workDir, 'server-package');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const module of closure.modules) copyInto(join(ctx.buildDir, module), join(stage, module));
  for (const file of closure.dataFiles) {
    // tsc emits only what it compiles; a data file it did not copy is taken from the sources.
    const source = [join(ctx.buildDir, file), join(ctx.root, file)].find((f) => existsSync(f));
    if (source === undefined) throw new Error(`the command reads ${file}, which is neither in the build nor in the checkout`);
    copyInto(source, join(stage, file));
  }
  const entryText = readFileSync(join(stage, SERVER_ENTRY), 'utf8');
  if (!entryText.startsWith('#!/usr/bin/env node\n')) throw new Error(`${SERVER_ENTRY} does not start with #!/usr/bin/env node`);
  chmodSync(join(stage, SERVER_ENTRY), 0o755);
  copyInto(join(ctx.root, SERVER_README), join(stage, 'README.md'));

  const topFolders = [...new Set([...closure.modules, ...closure.dataFiles].map((f) => f.split('/')[0]!))].sort();
  const packageJson = {
    name: 'gatehouse',
    version: ctx.version,
    description: rootJson.description,
    license: rootJson.license,
    type: 'module',
    bin: { gatehouse: SERVER_ENTRY },
    engines: { node: '>=24' },
    // npm packs npm-shrinkwrap.json only when `files` names it.
    files: [...topFolders.map((f) => `${f}/`), 'npm-shrinkwrap.json'],
    dependencies,
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
  const rootEntry = {
    name: packageJson.name,
    version: packageJson.version,
    license: packageJson.license,
    dependencies,
    bin: packageJson.bin,
    engines: packageJson.engines,
  };
  writeFileSync(join(stage, 'npm-shrinkwrap.json'), JSON.stringify(shrinkwrapFrom(lock, rootEntry, dependencies), null, 2) + '\n');

  const npm = spawnSync('npm', ['pack', '--json', '--pack-destination', ctx.outDir], { cwd: stage, encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: 'true' } });
  if (npm.error) throw new Error(`npm pack could not start: ${npm.error.message}`);
  if (npm.status !== 0) throw new Error(`npm pack failed:\n${npm.stdout}${npm.stderr}`);
  const [packed] = JSON.parse(npm.stdout) as { filename: string }[];
  const file = join(ctx.outDir, packed!.filename);
  if (!existsSync(file)) throw new Error(`npm pack reported ${packed!.filename}, which is not in ${ctx.outDir}`);
  return { label: 'server', file };
}
