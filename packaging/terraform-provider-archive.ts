/**
 * The Terraform provider archive, `terraform-provider-gatehouse_<version>_<os>_<arch>.zip`, laid
 * out as a provider registry release and as Terraform's filesystem mirrors expect it (the
 * "packed" layout takes the zip file as it is): the executable
 * `terraform-provider-gatehouse_v<version>` at the root, beside a short README.md and the
 * embedded Node.js's license.
 *
 * The executable is a single-executable application (single-executable.ts) of the compiled
 * terraform/main.js; the protocol declarations it parses at start (terraform/protocol/load.ts)
 * are its SEA assets. The build fails when the bundle would pull in server/, engine/ or the
 * Pulumi provider, and when the finished executable, started as Terraform starts a provider
 * (the magic cookie set, no `node` on PATH), does not print a protocol-6 handshake line.
 */
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../terraform/plugin/handshake.ts';
import { PROTO_FILES } from '../terraform/protocol/load.ts';
import { terraformPlatform, type Artifact, type PackContext } from './artifact.ts';
import { bundleEntry, firstLineOf, makeSingleExecutable, NODE_LICENSE, nodeLicense, requireUnixHost, run } from './single-executable.ts';

/** PROVIDER_TYPE is the provider's type name: `gatehouse/gatehouse` in `required_providers`. */
const PROVIDER_TYPE = 'gatehouse';
/** FORBIDDEN_FOLDERS: the load balancer itself and the Pulumi provider are not the Terraform provider's to load. */
const FORBIDDEN_FOLDERS = ['server', 'engine', 'provider', 'sdk', 'cli'];
/** HANDSHAKE is the line go-plugin expects: core protocol 1, plugin protocol 6, a TCP address, gRPC. */
const HANDSHAKE = /^1\|6\|tcp\|127\.0\.0\.1:\d{1,5}\|grpc\|/;

/** terraformExecutableName is the executable's name in a release of `version`, as Terraform looks it up. */
export function terraformExecutableName(version: string): string {
  return `terraform-provider-${PROVIDER_TYPE}_v${version}`;
}

/** terraformArchiveName is the release archive's name, as registries and filesystem mirrors name it. */
export function terraformArchiveName(version: string, platform = terraformPlatform()): string {
  return `terraform-provider-${PROVIDER_TYPE}_${version}_${platform}.zip`;
}

/** TerraformArchiveReport says what went into the archive, for the tests. */
export interface TerraformArchiveReport {
  readonly bundleBytes: number;
  readonly executableBytes: number;
  readonly nodeVersion: string;
}

/** buildTerraformProviderArchive writes the host platform's Terraform provider archive into `ctx.outDir`. */
export async function buildTerraformProviderArchive(ctx: PackContext): Promise<Artifact> {
  return (await buildTerraformProviderArchiveWithReport(ctx)).artifact;
}

/** buildTerraformProviderArchiveWithReport is buildTerraformProviderArchive, also returning the sizes of what it built. */
export async function buildTerraformProviderArchiveWithReport(ctx: PackContext): Promise<{ artifact: Artifact; report: TerraformArchiveReport }> {
  requireUnixHost('the Terraform provider archive');
  const work = join(ctx.workDir, 'terraform-provider-archive');
  rmSync(work, { recursive: true, force: true });
  const stage = join(work, 'stage');
  mkdirSync(stage, { recursive: true });

  const bundle = join(work, 'terraform-provider.cjs');
  await bundleEntry(ctx, { entry: join('terraform', 'main.js'), outfile: bundle, forbiddenFolders: FORBIDDEN_FOLDERS, what: 'the Terraform provider' });
  const assets = Object.fromEntries(PROTO_FILES.map((name) => [name, join(ctx.root, 'terraform', 'protocol', name)]));
  const executable = terraformExecutableName(ctx.version);
  const exe = join(stage, executable);
  const nodeVersion = makeSingleExecutable(ctx.root, { bundle, exe, work, assets });
  const line = await firstLineOf(exe, [], { cwd: work, env: { PATH: '/nonexistent', [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE }, what: 'the Terraform provider executable' });
  if (!HANDSHAKE.test(line)) throw new Error(`the Terraform provider executable does not start: its first line is ${JSON.stringify(line)}, not a protocol-6 handshake`);

  writeFileSync(join(stage, 'README.md'), readme(ctx.version, nodeVersion));
  writeFileSync(join(stage, NODE_LICENSE), nodeLicense(nodeVersion, work));
  for (const name of ['README.md', NODE_LICENSE]) chmodSync(join(stage, name), 0o644);

  const file = join(ctx.outDir, terraformArchiveName(ctx.version));
  rmSync(file, { force: true });
  // -X leaves out the extra attributes (uid, gid, times beyond the DOS one) that vary by machine.
  run('zip', ['-X', '-q', file, ...[executable, 'README.md', NODE_LICENSE].sort()], stage, 'zip');
  return {
    artifact: { label: 'Terraform provider', file },
    report: { bundleBytes: statSync(bundle).size, executableBytes: statSync(exe).size, nodeVersion },
  };
}

/** readme is the archive's README.md: what the file is and how to use it. */
function readme(version: string, nodeVersion: string): string {
  return `# terraform-provider-gatehouse ${version} (${terraformPlatform()})

The Gatehouse provider for Terraform, as one executable: Node.js ${nodeVersion} with the provider
inside it. It needs no Node.js, npm or network on this machine.

Put this zip file, unchanged, in a filesystem mirror:

    <mirror>/registry.terraform.io/gatehouse/gatehouse/${terraformArchiveName(version)}

and point Terraform's CLI configuration at the mirror:

    provider_installation {
      filesystem_mirror {
        path    = "<mirror>"
        include = ["gatehouse/gatehouse"]
      }
      direct {
        exclude = ["gatehouse/gatehouse"]
      }
    }

Then \`terraform init\` installs it for configurations that require \`gatehouse/gatehouse\`.

Gatehouse is licensed under Apache-2.0; the embedded Node.js under its own license, in
${NODE_LICENSE}.
`;
}
