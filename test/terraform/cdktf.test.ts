/**
 * The CDKTF bindings (terraform/cdktf/): generated, compiled, and used by a CDKTF program whose
 * synthesised JSON the real terraform CLI applies against a real `gatehouse serve`.
 *
 * - Regenerating from the provider's `terraform providers schema -json` reproduces the committed
 *   bindings byte for byte (they are generated, never edited), and a changed schema changes them
 *   (the comparison can fail).
 * - The bindings and the example program type-check with terraform/cdktf/tsconfig.json (strict).
 * - The example program (terraform/cdktf/example/main.ts, the HCL quickstart as a CDKTF stack),
 *   bundled with esbuild — the generated code uses extensionless imports and parameter
 *   properties, which Node's type stripping cannot run — synthesises cdk.tf.json.
 * - That JSON is initialised and applied as `cdktf deploy` would: `terraform init` (CDKTF always
 *   declares a backend, which needs it) from a local plugin directory holding this checkout's
 *   provider (there is no registry here, and init refuses development overrides), `terraform
 *   apply`; a request through the HTTPS listener reaches a node:http backend; the API holds the
 *   quickstart's resources; a second plan has no changes; `terraform destroy` leaves nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { cleanEnv, GatehouseServe, ROOT } from '../helpers/gatehouse-serve.ts';
import { issueCertificate } from '../helpers/pki.ts';
import { BINDINGS_DIR, filesUnder, PROVIDER_ADDRESS, readProviderSchema } from '../../terraform/cdktf/generate.ts';
import { getTls, HELLO, startHelloBackend, type HelloBackend } from './support/traffic.ts';
import { requireTerraform, runBounded, RUN_TERRAFORM_TESTS, RUN_TIMEOUT_MS, runTerraform, shown, TERRAFORM_DIR, type TerraformRun } from './support/terraform-cli.ts';

const CDKTF_DIR = join(ROOT, 'terraform', 'cdktf');
const STEP_TIMEOUT_MS = 2 * RUN_TIMEOUT_MS + 10_000;

/** runNode runs `node args` on this Node with a clean environment, killed at RUN_TIMEOUT_MS. */
function runNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TerraformRun> {
  return runBounded(process.execPath, args, { cwd: options.cwd ?? ROOT, env: { ...cleanEnv(), ...options.env } });
}

describe.skipIf(!RUN_TERRAFORM_TESTS)('CDKTF bindings generated from the provider schema', () => {
  let home: string;
  let serve: GatehouseServe;
  let backend: HelloBackend;
  let backendPort: number;
  let port: number;
  /** The synthesised stack's folder, where terraform runs. */
  let stackDir: string;
  /** A CLI configuration with no development override: the provider comes from the plugin directory at init. */
  let cliConfig: string;
  let pluginDir: string;

  beforeAll(async () => {
    requireTerraform();
    home = mkdtempSync(join(tmpdir(), 'gatehouse-cdktf-'));
    cliConfig = join(home, 'terraform.rc');
    writeFileSync(cliConfig, '');
    backend = await startHelloBackend();
    backendPort = backend.port;
    serve = await GatehouseServe.startFresh();
    port = await freePort();
    const site = await issueCertificate({ commonName: 'site.test', dnsNames: ['site.test'] });
    mkdirSync(join(home, 'certs'));
    writeFileSync(join(home, 'certs', 'server.pem'), site.certPem);
    writeFileSync(join(home, 'certs', 'server.key'), site.keyPem);
  }, 60_000);

  afterAll(async () => {
    await serve?.close();
    await backend?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** terraform runs `terraform <command> -no-color [-input=false] <rest>` in the synthesised stack's folder (`output` takes no -input). */
  function terraform(args: string[]): Promise<TerraformRun> {
    return runTerraform({
      cwd: stackDir,
      cliConfig,
      args: [args[0]!, '-no-color', ...(args[0] === 'output' ? [] : ['-input=false']), ...args.slice(1)],
      env: { GATEHOUSE_ENDPOINT: serve.url, GATEHOUSE_TOKEN: serve.token },
    });
  }

  it(
    'regenerating from `terraform providers schema -json` reproduces the committed bindings byte for byte',
    async () => {
      const out = join(home, 'regenerated');
      const run = await runNode([join(CDKTF_DIR, 'generate.ts'), out]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stderr).toBe('');
      const committed = filesUnder(BINDINGS_DIR);
      expect(committed).toEqual(expect.arrayContaining(['index.ts', 'provider/index.ts', 'listener/index.ts', 'certificate/index.ts', 'data-gatehouse-tls-policies/index.ts']));
      expect(filesUnder(out)).toEqual(committed);
      for (const file of committed) {
        expect(readFileSync(join(out, file), 'utf8'), `${file} differs from a fresh generation: run npm run gen:cdktf`).toBe(readFileSync(join(BINDINGS_DIR, file), 'utf8'));
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a changed schema generates different bindings (the comparison above can fail)',
    async () => {
      const schema: any = readProviderSchema();
      schema.provider_schemas[PROVIDER_ADDRESS].resource_schemas.gatehouse_listener.block.attributes.port.description = 'A description that is not in the schema.';
      writeFileSync(join(home, 'changed-schema.json'), JSON.stringify(schema));
      const out = join(home, 'changed');
      const run = await runNode([join(CDKTF_DIR, 'generate.ts'), out, '--schema', join(home, 'changed-schema.json')]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const changed = filesUnder(out).filter((file) => readFileSync(join(out, file), 'utf8') !== readFileSync(join(BINDINGS_DIR, file), 'utf8'));
      expect(changed).toEqual(['listener/index.ts']);
      expect(readFileSync(join(out, 'listener/index.ts'), 'utf8')).toContain('A description that is not in the schema.');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'the bindings and the example program type-check (terraform/cdktf/tsconfig.json, strict)',
    async () => {
      const run = await runNode([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(CDKTF_DIR, 'tsconfig.json')]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'the example CDKTF program synthesises cdk.tf.json with the quickstart resources, the private key left out',
    async () => {
      const app = join(home, 'app.cjs');
      await build({ entryPoints: [join(CDKTF_DIR, 'example', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node24', outfile: app, logLevel: 'silent' });
      const run = await runNode([app], {
        cwd: home,
        env: {
          CDKTF_OUTDIR: join(home, 'cdktf.out'),
          QUICKSTART_PORT: String(port),
          QUICKSTART_BACKENDS: `127.0.0.1:${backendPort}`,
          QUICKSTART_CERT_FILE: 'certs/server.pem',
          QUICKSTART_KEY_FILE: 'certs/server.key',
        },
      });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      stackDir = join(home, 'cdktf.out', 'stacks', 'quickstart');
      const text = readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8');
      expect(text).not.toContain('PRIVATE KEY');
      const synthesised = JSON.parse(text);
      expect(synthesised.terraform.required_providers.gatehouse).toEqual({ source: PROVIDER_ADDRESS });
      expect(Object.keys(synthesised.resource).sort()).toEqual(['gatehouse_certificate', 'gatehouse_listener', 'gatehouse_load_balancer', 'gatehouse_server_group']);
      expect(synthesised.resource.gatehouse_listener.https).toMatchObject({
        load_balancer_id: '${gatehouse_load_balancer.edge.id}',
        default_server_group_id: '${gatehouse_server_group.web.id}',
        protocol: 'HTTPS',
        port,
        certificates: { default_certificate_id: '${gatehouse_certificate.site.id}' },
      });
      expect(synthesised.resource.gatehouse_certificate.site.private_key_pem).toBe(`\${file("${join(home, 'certs', 'server.key')}")}`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'terraform init (from a plugin directory) and apply create the quickstart, and a request through the HTTPS listener reaches the backend',
    async () => {
      // The plugin directory holds the checkout's launcher as an unpacked provider; init links
      // it into .terraform/providers and records its hash in .terraform.lock.hcl.
      const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
      pluginDir = join(home, 'plugins');
      const packageDir = join(pluginDir, 'registry.terraform.io', 'gatehouse', 'gatehouse', '0.1.0', platform);
      mkdirSync(packageDir, { recursive: true });
      symlinkSync(join(TERRAFORM_DIR, 'terraform-provider-gatehouse'), join(packageDir, 'terraform-provider-gatehouse_v0.1.0'));
      const init = await terraform(['init', `-plugin-dir=${pluginDir}`]);
      expect(init.code, shown(init)).toBe(0);
      expect(init.stdout).toMatch(/Installing gatehouse\/gatehouse v0\.1\.0/);

      const apply = await terraform(['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/Apply complete! Resources: 4 added, 0 changed, 0 destroyed/);

      const [loadBalancer, ...moreLoadBalancers] = await serve.list('load-balancers');
      expect(moreLoadBalancers).toHaveLength(0);
      expect(loadBalancer).toMatchObject({ name: 'quickstart-edge', address: '127.0.0.1' });
      const serverGroups = await serve.list('server-groups');
      expect(serverGroups).toHaveLength(1);
      expect(serverGroups[0]).toMatchObject({ name: 'quickstart-web', servers: [{ address: '127.0.0.1', port: backendPort }], healthCheck: { path: '/', interval: 2 } });
      const certificates = await serve.list('certificates');
      expect(certificates).toHaveLength(1);
      expect(certificates[0]).toMatchObject({ name: 'quickstart-site' });
      const listeners = await serve.list('listeners');
      expect(listeners).toHaveLength(1);
      expect(listeners[0]).toMatchObject({
        loadBalancerId: loadBalancer.id,
        protocol: 'HTTPS',
        port,
        status: 'Running',
        defaultServerGroupId: serverGroups[0].id,
        certificates: { defaultCertificateId: certificates[0].id },
        forwardedHeaders: { proto: true, port: true, host: true },
      });

      const outputs = await terraform(['output', '-json']);
      expect(outputs.code, shown(outputs)).toBe(0);
      expect(JSON.parse(outputs.stdout)).toMatchObject({
        listener_id: { value: listeners[0].id },
        listener_status: { value: 'Running' },
        url: { value: `https://localhost:${port}/` },
        certificate_domains: { value: ['site.test'] },
      });

      const res = await getTls(port);
      expect(res.status).toBe(200);
      expect(res.body).toBe(HELLO);
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'a second terraform plan finds no changes',
    async () => {
      const run = await terraform(['plan', '-detailed-exitcode']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/No changes/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'terraform destroy leaves nothing',
    async () => {
      const run = await terraform(['destroy', '-auto-approve']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/Destroy complete! Resources: 4 destroyed/);
      expect(await serve.counts()).toEqual({ 'load-balancers': 0, listeners: 0, 'quic-listeners': 0, certificates: 0, 'tls-policies': 0, 'server-groups': 0 });
    },
    STEP_TIMEOUT_MS,
  );
});
