/**
 * The Pulumi SDK package `@gatehouse/pulumi`: what a Pulumi program installs and imports.
 *
 * Its JavaScript is the compiled SDK (the build's `sdk/` and the `schema/` modules it uses)
 * bundled by esbuild into one CommonJS file, because generated Pulumi SDKs are CommonJS: a
 * program that ts-node compiles to CommonJS, or a plain JavaScript program, then `require`s it
 * on any Node.js from 20 on, which `require` of an ES module would not allow on every 20.x and
 * 22.x. `@pulumi/pulumi` and `zod` stay outside the bundle as the package's only dependencies,
 * so the program and the SDK share one `@pulumi/pulumi`. The declarations are generated from
 * the models with a doc comment on every property (sdk-declarations.ts).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { SDK_PACKAGE_NAME, PULUMI_PACKAGE_NAME } from '../schema/emit/pulumi-schema.ts';
import type { Artifact, PackContext } from './artifact.ts';
import { sdkDeclarations } from './sdk-declarations.ts';

/** The checkout folders whose compiled modules may end up in the SDK bundle. */
const ALLOWED_SOURCE_FOLDERS = ['sdk', 'schema'];

/** SdkManifest is what the package takes from sdk/package.json. */
export interface SdkManifest {
  name: string;
  description: string;
  license: string;
  keywords: string[];
  dependencies: Record<string, string>;
}

/**
 * versionOnlyPackageJson replaces the SDK's import of the root package.json (read for its
 * version, the plugin version resources ask for) with the version alone, so the bundle carries
 * none of the checkout's scripts or dependency lists.
 */
function versionOnlyPackageJson(version: string): Plugin {
  return {
    name: 'package-json-version-only',
    setup(b) {
      b.onLoad({ filter: /[\\/]package\.json$/ }, () => ({ contents: JSON.stringify({ version }), loader: 'json' }));
    },
  };
}

/** bundle writes index.js and returns the checkout modules it took in, relative to the build folder. */
async function bundle(ctx: PackContext, outFile: string, dependencies: readonly string[]): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ctx.buildDir, 'sdk', 'index.js')],
    outfile: outFile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: [...dependencies],
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    absWorkingDir: ctx.root,
    plugins: [versionOnlyPackageJson(ctx.version)],
  });
  if (result.errors.length > 0 || result.warnings.length > 0) {
    throw new Error(`bundling the SDK: ${[...result.errors, ...result.warnings].map((m) => m.text).join('; ')}`);
  }
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(ctx.buildDir, join(ctx.root, p)).split(sep).join('/'));
  const outside = inputs.filter((p) => p !== 'package.json' && !ALLOWED_SOURCE_FOLDERS.includes(p.split('/')[0]!));
  if (outside.length > 0) throw new Error(`the SDK bundle would include modules outside sdk/ and schema/: ${outside.join(', ')}`);
  return inputs;
}

/** sdkManifest is the package's package.json: the SDK's own (sdk/package.json) made publishable. */
export function sdkManifest(ctx: Pick<PackContext, 'version' | 'pluginDownloadUrl'>, sdk: SdkManifest): Record<string, unknown> {
  return {
    name: sdk.name,
    version: ctx.version,
    description: sdk.description,
    license: sdk.license,
    keywords: sdk.keywords,
    main: 'index.js',
    types: 'index.d.ts',
    files: ['index.js', '*.d.ts', 'README.md'],
    engines: { node: '>=20' },
    dependencies: sdk.dependencies,
    pulumi: {
      resource: true,
      name: PULUMI_PACKAGE_NAME,
      version: ctx.version,
      ...(ctx.pluginDownloadUrl ? { server: ctx.pluginDownloadUrl.replaceAll('${VERSION}', ctx.version) } : {}),
    },
  };
}

/** buildSdkPackage stages and `npm pack`s the SDK into ctx.outDir. */
export async function buildSdkPackage(ctx: PackContext): Promise<Artifact> {
  const sdk = JSON.parse(readFileSync(join(ctx.root, 'sdk', 'package.json'), 'utf8')) as SdkManifest;
  if (sdk.name !== SDK_PACKAGE_NAME) throw new Error(`sdk/package.json is named ${sdk.name}, the schema says ${SDK_PACKAGE_NAME}`);
  const stage = join(ctx.workDir, 'sdk-package');
  mkdirSync(stage, { recursive: true });
  await bundle(ctx, join(stage, 'index.js'), Object.keys(sdk.dependencies));
  for (const file of sdkDeclarations()) writeFileSync(join(stage, file.path), file.text);
  // The Provider class is written by hand; the compiler's declaration of it already documents every property.
  copyFileSync(join(ctx.buildDir, 'sdk', 'provider.d.ts'), join(stage, 'provider.d.ts'));
  copyFileSync(join(ctx.root, 'sdk', 'README.md'), join(stage, 'README.md'));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(sdkManifest(ctx, sdk), null, 2)}\n`);
  const npm = spawnSync('npm', ['pack', '--pack-destination', ctx.outDir, '--json'], { cwd: stage, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm pack of the SDK failed:\n${npm.stderr}`);
  const [packed] = JSON.parse(npm.stdout) as { filename: string }[];
  return { label: 'Pulumi SDK', file: join(ctx.outDir, packed!.filename) };
}
