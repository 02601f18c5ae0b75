/**
 * `npm run pack`: compiles the project (`npm run build`) and writes the five artifacts users
 * install into one folder, printing each one's size:
 *   - the Pulumi SDK package (`@gatehouse/pulumi`, an npm tarball),
 *   - the provider plugin archive (`pulumi-resource-gatehouse-v<version>-<os>-<arch>.tar.gz`),
 *   - the server package (`gatehouse`, an npm tarball for `npm install -g`),
 *   - the Terraform provider archive (`terraform-provider-gatehouse_<version>_<os>_<arch>.zip`),
 *   - the CDKTF bindings package (`@gatehouse/cdktf`, an npm tarball).
 *
 * Usage: node packaging/pack.ts [--out DIR] [--plugin-download-url URL]
 * The download URL (also GATEHOUSE_PLUGIN_DOWNLOAD_URL) is where `pulumi plugin install` fetches
 * the plugin archive; `${VERSION}` in it stands for the version. Without one, the shipped schema
 * and SDK name no download location and users install the plugin archive with `-f`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderPulumiSchema } from '../schema/emit/pulumi-schema.ts';
import { artifactSize, type Artifact, type PackContext } from './artifact.ts';
import { buildCdktfPackage } from './cdktf-package.ts';
import { buildPluginArchive } from './plugin-archive.ts';
import { buildSdkPackage } from './sdk-package.ts';
import { buildServerPackage } from './server-package.ts';
import { buildTerraformProviderArchive } from './terraform-provider-archive.ts';

/** PackOptions say where to build and write, and the download location a publisher chose. */
export interface PackOptions {
  readonly root: string;
  readonly outDir: string;
  /** Where to compile to; defaults to the checkout's `dist/` (what `npm run build` writes). */
  readonly buildDir?: string;
  readonly pluginDownloadUrl?: string | undefined;
}

/** compile runs tsconfig.build.json into buildDir, failing with tsc's own messages. */
function compile(root: string, buildDir: string): void {
  rmSync(buildDir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', buildDir], {
    cwd: root,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`the build failed:\n${tsc.stdout}${tsc.stderr}`);
}

/**
 * packAll compiles and builds the five artifacts into outDir; it returns them in a fixed order,
 * new artifacts last, so callers that destructure the first ones keep working.
 */
export async function packAll(options: PackOptions): Promise<Artifact[]> {
  const root = resolve(options.root);
  const outDir = resolve(options.outDir);
  const buildDir = resolve(options.buildDir ?? join(root, 'dist'));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  compile(root, buildDir);
  mkdirSync(outDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
  try {
    const ctx: PackContext = {
      root,
      buildDir,
      outDir,
      workDir,
      version,
      pulumiSchemaText: renderPulumiSchema({ version, pluginDownloadURL: options.pluginDownloadUrl ?? null }),
      pluginDownloadUrl: options.pluginDownloadUrl,
    };
    const artifacts: Artifact[] = [];
    for (const build of [buildSdkPackage, buildPluginArchive, buildServerPackage, buildTerraformProviderArchive, buildCdktfPackage]) artifacts.push(await build(ctx));
    return artifacts;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'plugin-download-url': { type: 'string' } } });
  const pluginDownloadUrl = values['plugin-download-url'] ?? (process.env['GATEHOUSE_PLUGIN_DOWNLOAD_URL'] || undefined);
  const artifacts = await packAll({ root, outDir: values.out ?? join(root, 'artifacts'), pluginDownloadUrl });
  for (const a of artifacts) console.log(`${formatSize(artifactSize(a)).padStart(10)}  ${a.label.padEnd(18)} ${a.file}`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(`pack: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
