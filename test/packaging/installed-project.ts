/**
 * A Pulumi user's project outside the checkout, set up once per test run from the packed
 * artifacts only: the SDK tarball installed with `@pulumi/pulumi`, TypeScript, `@types/node`
 * and ts-node (what `pulumi new typescript` and Pulumi's unit-testing guide add), the plugin
 * archive extracted into a plugin folder laid out as the Pulumi CLI keeps them
 * (`plugins/resource-gatehouse-v<version>/`), and the checkout's examples copied in as a user
 * copies them. It lives under the system's temporary folder, so neither module resolution nor
 * PATH leads back into the checkout.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import type { ExampleInstall } from '../e2e/support/example-stack.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';
import { oncePerRun } from './once-per-run.ts';
import { packedArtifacts } from './packed-artifacts.ts';

/** InstalledProject is where things are in the user's project. */
export interface InstalledProject {
  /** The project folder (its node_modules holds the installed SDK). */
  readonly projectDir: string;
  /** The folder the plugin archive was extracted into. */
  readonly pluginDir: string;
  /** The extracted plugin executable. */
  readonly pluginPath: string;
  /** The project's own `@pulumi/pulumi/cmd/run/index.js`, which the Node.js language host runs. */
  readonly cmdRun: string;
  /** The copied examples, one folder each. */
  readonly examplesDir: string;
}

/** The Node.js a user's machine may well have: the machine's own 20, not the checkout's 24. */
export const USER_NODE = '/usr/bin/node';

/** USER_PATH is a PATH with the system folders and the plugin folder only: no checkout, no Node 24. */
export function userPath(project: InstalledProject): string {
  return [project.pluginDir, '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}

function checkoutVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The Pulumi.yaml a user writes for a copied example: Pulumi's defaults (TypeScript through ts-node). */
function userPulumiYaml(example: string): string {
  const checkoutYaml = readFileSync(join(ROOT, 'examples', example, 'Pulumi.yaml'), 'utf8');
  const name = /^name:\s*(\S+)/m.exec(checkoutYaml)?.[1] ?? example;
  const description = /^description:\s*(.+)$/m.exec(checkoutYaml)?.[1] ?? '';
  return `name: ${name}\ndescription: ${description}\nruntime: nodejs\nmain: index.ts\n`;
}

/** installedProject sets the project up once for this test run and returns where things are. */
export function installedProject(): Promise<InstalledProject> {
  return oncePerRun(tmpdir(), 'gatehouse-installed-project', 420_000, async (dir) => {
    const { sdkTarball, pluginArchive } = await packedArtifacts();
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const projectDir = join(dir, 'app');
    mkdirSync(projectDir);
    writeFileSync(join(projectDir, 'package.json'), `${JSON.stringify({ name: 'gatehouse-app', private: true, main: 'index.ts' }, null, 2)}\n`);
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        sdkTarball,
        `@pulumi/pulumi@${checkoutVersion('@pulumi/pulumi')}`,
        `typescript@${checkoutVersion('typescript')}`,
        `@types/node@${checkoutVersion('@types/node')}`,
        'ts-node@^10.9.2',
      ],
      { cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 },
    );
    const pluginDir = join(dir, 'plugins', `resource-gatehouse-v${version}`);
    mkdirSync(pluginDir, { recursive: true });
    execFileSync('tar', ['-xzf', pluginArchive, '-C', pluginDir]);
    const examplesDir = join(projectDir, 'examples');
    for (const example of readdirSync(join(ROOT, 'examples'), { withFileTypes: true })) {
      // The Pulumi projects, each with its Pulumi.yaml (examples/terraform/ holds the HCL ones).
      if (!example.isDirectory() || !existsSync(join(ROOT, 'examples', example.name, 'Pulumi.yaml'))) continue;
      const target = join(examplesDir, example.name);
      mkdirSync(target, { recursive: true });
      cpSync(join(ROOT, 'examples', example.name, 'index.ts'), join(target, 'index.ts'));
      writeFileSync(join(target, 'Pulumi.yaml'), userPulumiYaml(example.name));
    }
    return {
      projectDir,
      pluginDir,
      pluginPath: join(pluginDir, 'pulumi-resource-gatehouse'),
      cmdRun: join(projectDir, 'node_modules', '@pulumi', 'pulumi', 'cmd', 'run', 'index.js'),
      examplesDir,
    };
  });
}

/**
 * installedSuite runs one of the examples' end-to-end suites (test/e2e/suites) from the
 * installed project: the copied program, run by the project's own Pulumi runner through ts-node
 * on the machine's Node 20, against the plugin extracted from its archive, with a PATH that
 * holds neither the checkout nor a Node 24.
 */
export function installedSuite(suite: (install: () => ExampleInstall) => void): void {
  let install: ExampleInstall | undefined;
  beforeAll(async () => {
    const project = await installedProject();
    install = {
      examplesDir: project.examplesDir,
      pluginPath: project.pluginPath,
      runner: { node: USER_NODE, cmdRun: project.cmdRun, typescript: true },
      env: { PATH: userPath(project) },
    };
  }, 480_000);
  describe('installed from the packed artifacts', () => {
    suite(() => {
      if (!install) throw new Error('the installed project is not ready');
      return install;
    });
  });
}
