/**
 * The Terraform provider archive `npm run pack` writes (packaging/terraform-provider-archive.ts):
 * a zip holding the single executable `terraform-provider-gatehouse_v<version>`, which Terraform
 * installs from a filesystem mirror holding the zip unchanged (no registry, no network), with no
 * `node` anywhere on PATH, and which then applies, plans and destroys a configuration against a
 * real `gatehouse serve`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terraformArchiveName, terraformExecutableName } from '../../packaging/terraform-provider-archive.ts';
import { GatehouseServe, ROOT } from '../helpers/gatehouse-serve.ts';
import { requireTerraform, RUN_TERRAFORM_TESTS, RUN_TIMEOUT_MS, runTerraform, shown, type TerraformRun } from '../terraform/support/terraform-cli.ts';
import { packedArtifacts } from './packed-artifacts.ts';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const PACK_TIMEOUT_MS = 300_000;

const CONFIGURATION = `terraform {
  required_providers {
    gatehouse = { source = "gatehouse/gatehouse", version = "${VERSION}" }
  }
}

resource "gatehouse_load_balancer" "edge" {
  name    = "mirrored"
  address = "127.0.0.1"
}

resource "gatehouse_server_group" "web" {
  name    = "mirrored"
  servers = [{ address = "127.0.0.1", port = 8080 }]
}
`;

describe.skipIf(!RUN_TERRAFORM_TESTS)('the Terraform provider archive, installed from a filesystem mirror', () => {
  let home: string;
  let archive: string;
  let serve: GatehouseServe;
  let pathWithoutNode: string;
  let cliConfig: string;
  let workdir: string;

  beforeAll(async () => {
    requireTerraform();
    ({ terraformArchive: archive } = await packedArtifacts());
    home = mkdtempSync(join(tmpdir(), 'gatehouse-terraform-archive-'));
    // PATH holds terraform and nothing else: no node for the provider to lean on.
    pathWithoutNode = join(home, 'bin');
    mkdirSync(pathWithoutNode);
    const terraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(terraform, join(pathWithoutNode, 'terraform'));
    const mirror = join(home, 'mirror');
    const folder = join(mirror, 'registry.terraform.io', 'gatehouse', 'gatehouse');
    mkdirSync(folder, { recursive: true });
    copyFileSync(archive, join(folder, terraformArchiveName(VERSION)));
    cliConfig = join(home, 'terraform.rc');
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["gatehouse/gatehouse"]\n  }\n  direct {\n    exclude = ["gatehouse/gatehouse"]\n  }\n}\n`,
    );
    workdir = join(home, 'config');
    mkdirSync(workdir);
    writeFileSync(join(workdir, 'main.tf'), CONFIGURATION);
    serve = await GatehouseServe.startFresh();
  }, PACK_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await serve?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  function terraform(args: string[]): Promise<TerraformRun> {
    return runTerraform({
      cwd: workdir,
      cliConfig,
      args: [args[0]!, '-no-color', '-input=false', ...args.slice(1)],
      env: { PATH: pathWithoutNode, HOME: home, GATEHOUSE_ENDPOINT: serve.url, GATEHOUSE_TOKEN: serve.token },
    });
  }

  it('holds the executable, a README and the embedded Node.js license, and nothing else', () => {
    const listing = spawnSync('unzip', ['-Z1', archive], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    expect(listing.stdout.trim().split('\n').sort()).toEqual(['LICENSE.nodejs', 'README.md', terraformExecutableName(VERSION)].sort());
    const modes = spawnSync('unzip', ['-Z', archive], { encoding: 'utf8' }).stdout;
    expect(modes).toMatch(new RegExp(`^-rwxr-xr-x .* ${terraformExecutableName(VERSION)}$`, 'm'));
  });

  it(
    'terraform init installs it from the mirror and locks its checksum',
    async () => {
      const run = await terraform(['init']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`Installing gatehouse/gatehouse v${VERSION.replaceAll('.', '\\.')}`));
      const lock = readFileSync(join(workdir, '.terraform.lock.hcl'), 'utf8');
      expect(lock).toContain('provider "registry.terraform.io/gatehouse/gatehouse"');
      expect(lock).toMatch(new RegExp(`version\\s+= "${VERSION.replaceAll('.', '\\.')}"`));
      // The mirror gives Terraform the package itself, so it locks the package's own hash (h1:).
      expect(lock).toMatch(/"h1:[A-Za-z0-9+/]{43}="/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'the installed provider applies, finds no changes on a second plan, and destroys',
    async () => {
      const apply = await terraform(['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/Apply complete! Resources: 2 added, 0 changed, 0 destroyed/);
      expect(await serve.list('load-balancers')).toMatchObject([{ name: 'mirrored', address: '127.0.0.1' }]);
      const plan = await terraform(['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(0);
      const destroy = await terraform(['destroy', '-auto-approve']);
      expect(destroy.code, shown(destroy)).toBe(0);
      expect(await serve.counts()).toMatchObject({ 'load-balancers': 0, 'server-groups': 0 });
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );
});
