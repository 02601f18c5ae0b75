/**
 * terraform-provider-gatehouse's data sources through the real Terraform CLI (a development
 * override) against a real `gatehouse serve`: an HTTPS listener on a load balancer made through
 * the API, found with `data.gatehouse_load_balancer`, its TLS policy picked from
 * `data.gatehouse_tls_policies`; apply, a plan with no changes, and a lookup of a name that does
 * not exist failing at plan. Every terraform run is bounded in time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { issueCertificate } from '../helpers/pki.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { startHelloBackend, type HelloBackend } from './support/traffic.ts';
import { requireTerraform, RUN_TERRAFORM_TESTS, RUN_TIMEOUT_MS, runTerraform, shown, writeCliConfig, type TerraformRun } from './support/terraform-cli.ts';



describe.skipIf(!RUN_TERRAFORM_TESTS)('terraform data sources with terraform-provider-gatehouse', () => {
  let home: string;
  let workdir: string;
  let cliConfig: string;
  let serve: GatehouseServe;
  let backend: HelloBackend;
  let backendPort: number;
  let port: number;
  let loadBalancerId: string;

  beforeAll(async () => {
    requireTerraform();
    home = mkdtempSync(join(tmpdir(), 'gatehouse-terraform-data-'));
    workdir = join(home, 'config');
    mkdirSync(workdir, { recursive: true });
    cliConfig = writeCliConfig(home);
    backend = await startHelloBackend();
    backendPort = backend.port;
    serve = await GatehouseServe.startFresh();
    port = await freePort();
    const site = await issueCertificate({ commonName: 'site.test', dnsNames: ['site.test'] });
    writeFileSync(join(workdir, 'cert.pem'), site.certPem);
    writeFileSync(join(workdir, 'key.pem'), site.keyPem);
    const made = await serve.api('POST', '/v1/load-balancers', { name: 'edge', address: '127.0.0.1' });
    expect(made.status).toBe(201);
    loadBalancerId = made.body.id as string;
  }, 60_000);

  afterAll(async () => {
    await serve?.close();
    await backend?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  function mainTf(extra = ''): string {
    return `terraform {
  required_providers {
    gatehouse = { source = "gatehouse/gatehouse" }
  }
}

provider "gatehouse" {}

data "gatehouse_tls_policies" "system" {}

data "gatehouse_load_balancer" "edge" {
  name = "edge"
}

locals {
  without_tls13 = [for p in data.gatehouse_tls_policies.system.policies : p.id if !contains(p.tls_versions, "TLSv1.3")][0]
}

resource "gatehouse_certificate" "site" {
  name            = "site"
  certificate_pem = file("cert.pem")
  private_key_pem = file("key.pem")
}

resource "gatehouse_server_group" "app" {
  name    = "app"
  servers = [{ address = "127.0.0.1", port = ${backendPort} }]
}

resource "gatehouse_listener" "https" {
  load_balancer_id        = data.gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = ${port}
  default_server_group_id = gatehouse_server_group.app.id
  tls_policy_id           = local.without_tls13
  certificates            = { default_certificate_id = gatehouse_certificate.site.id }
}
${extra}`;
  }

  /** terraform runs `terraform <command> -no-color -input=false <rest>` in the one working folder with `config` as main.tf. */
  function terraform(config: string, args: string[]): Promise<TerraformRun> {
    writeFileSync(join(workdir, 'main.tf'), config);
    return runTerraform({
      cwd: workdir,
      cliConfig,
      args: [args[0]!, '-no-color', '-input=false', ...args.slice(1)],
      env: { GATEHOUSE_ENDPOINT: serve.url, GATEHOUSE_TOKEN: serve.token },
    });
  }

  it(
    'a listener on a load balancer found by name, its TLS policy picked from the system policies, applies, and a second plan finds no changes',
    async () => {
      const apply = await terraform(mainTf(), ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/);
      const [listener] = await serve.list('listeners');
      expect(listener).toMatchObject({ loadBalancerId, port, protocol: 'HTTPS', tlsPolicyId: 'tls_cipher_policy_1_0', status: 'Running' });
      const plan = await terraform(mainTf(), ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(0);
      expect(plan.stdout).toMatch(/No changes/);
    },
    2 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'a lookup of a load balancer name that does not exist fails at plan, naming it',
    async () => {
      const run = await terraform(mainTf('\ndata "gatehouse_load_balancer" "missing" {\n  name = "nowhere"\n}\n'), ['plan']);
      expect(run.code, shown(run)).toBe(1);
      expect(run.stderr).toMatch(/Error: No gatehouse_load_balancer named "nowhere"/);
      expect(run.stderr).toMatch(/with data\.gatehouse_load_balancer\.missing/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
