/**
 * The provider plugin archive, `pulumi-resource-gatehouse-v<version>-<os>-<arch>.tar.gz`, laid out
 * as `pulumi plugin install resource gatehouse <version> -f <archive>` expects: the executable
 * `pulumi-resource-gatehouse` at the root, beside a short README.md and the embedded Node.js's
 * license.
 *
 * The executable is a single-executable application (single-executable.ts) of the compiled
 * provider. What its bundle needs from the provider source (see provider/proto.ts and
 * provider/service.ts): the @pulumi/pulumi protocol stubs and google-protobuf are imported
 * statically; the Pulumi schema and the version come from SEA assets (`schema.json`,
 * `package.json`), written here from `ctx.pulumiSchemaText` and `ctx.version`. The build fails
 * when the bundle would pull in anything of server/ or engine/, and when the finished executable
 * does not print a port.
 */
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pulumiPlatform, type Artifact, type PackContext } from './artifact.ts';
import { bundleEntry, firstLineOf, makeSingleExecutable, NODE_LICENSE, nodeLicense, requireUnixHost, run } from './single-executable.ts';

export { NODE_LICENSE } from './single-executable.ts';

/** EXECUTABLE is the plugin's file name, as the Pulumi engine looks it up. */
export const EXECUTABLE = 'pulumi-resource-gatehouse';
/** FORBIDDEN_FOLDERS hold the load balancer itself: a Pulumi user's plugin must not load it. */
const FORBIDDEN_FOLDERS = ['server', 'engine'];

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
  requireUnixHost('the plugin archive');
  const work = join(ctx.workDir, 'plugin-archive');
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, 'stage');
  mkdirSync(stage, { recursive: true });

  const bundle = join(work, 'provider.cjs');
  await bundleEntry(ctx, { entry: join('provider', 'main.js'), outfile: bundle, forbiddenFolders: FORBIDDEN_FOLDERS, what: 'the provider plugin' });
  // The texts GetSchema and GetPluginInfo answer with.
  const schemaAsset = join(work, 'schema.json');
  writeFileSync(schemaAsset, ctx.pulumiSchemaText);
  const packageAsset = join(work, 'package.json');
  writeFileSync(packageAsset, `${JSON.stringify({ name: 'gatehouse', version: ctx.version })}\n`);
  const exe = join(stage, EXECUTABLE);
  const nodeVersion = makeSingleExecutable(ctx.root, { bundle, exe, work, assets: { 'schema.json': schemaAsset, 'package.json': packageAsset } });
  await smokeTest(exe, work);

  writeFileSync(join(stage, 'README.md'), readme(ctx.version, nodeVersion));
  chmodSync(join(stage, 'README.md'), 0o644);
  writeFileSync(join(stage, NODE_LICENSE), nodeLicense(nodeVersion, work));
  chmodSync(join(stage, NODE_LICENSE), 0o644);

  const file = join(ctx.outDir, `pulumi-resource-gatehouse-v${ctx.version}-${pulumiPlatform()}.tar.gz`);
  rmSync(file, { force: true });
  tarGz(stage, [EXECUTABLE, 'README.md', NODE_LICENSE].sort(), file);
  return {
    artifact: { label: 'provider plugin', file },
    report: { bundleBytes: statSync(bundle).size, executableBytes: statSync(exe).size, nodeVersion },
  };
}

/** smokeTest runs the executable once, with no `node` on PATH, and expects its port on the first line. */
async function smokeTest(exe: string, cwd: string): Promise<void> {
  const line = await firstLineOf(exe, ['127.0.0.1:1'], { cwd, env: { PATH: '/nonexistent' }, what: 'the plugin executable' });
  if (!/^\d{1,5}$/.test(line)) throw new Error(`the plugin executable does not start: its first line is ${JSON.stringify(line)}, not a port`);
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
