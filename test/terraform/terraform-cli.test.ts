/**
 * terraform-provider-gatehouse under the real Terraform CLI: a development override points
 * `gatehouse/gatehouse` at the launcher's folder (no registry, no network), Terraform starts the
 * plugin with its automatic mutual TLS on (its default), and `terraform validate`, `terraform
 * plan` (no API: the dry run is left out without a token) and `terraform providers schema -json`
 * talk to it. Every run is bounded in time. Without terraform
 * on the PATH the tests fail under CI and are skipped elsewhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTerraform, RUN_TERRAFORM_TESTS, runTerraform, writeCliConfig, type TerraformRun } from './support/terraform-cli.ts';



const PROVIDER_HEADER = `terraform {
  required_providers {
    gatehouse = { source = "gatehouse/gatehouse" }
  }
}

provider "gatehouse" {}
`;

describe.skipIf(!RUN_TERRAFORM_TESTS)('the Terraform CLI with terraform-provider-gatehouse', () => {
  let home: string;
  let cliConfig: string;

  beforeAll(() => {
    requireTerraform();
    home = mkdtempSync(join(tmpdir(), 'gatehouse-terraform-'));
    cliConfig = writeCliConfig(home);
  });

  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** terraform runs the CLI in a fresh folder holding `main.tf`, killed at the deadline. */
  function terraform(mainTf: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<TerraformRun> {
    const dir = mkdtempSync(join(home, 'config-'));
    writeFileSync(join(dir, 'main.tf'), mainTf);
    return runTerraform({ cwd: dir, cliConfig, args, env: extraEnv });
  }

  it('terraform validate accepts a load balancer and a listener on it', async () => {
    const run = await terraform(
      `${PROVIDER_HEADER}
resource "gatehouse_load_balancer" "web" {
  name = "web"
}

resource "gatehouse_listener" "http" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  protocol                = "HTTP"
  port                    = 8080
  default_server_group_id = "sg-0000"
}
`,
      ['validate', '-no-color'],
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/The configuration is valid/);
    expect(run.code).toBe(0);
  });

  it('Terraform connects over automatic mutual TLS and the plugin exits gracefully when asked', async () => {
    const logPath = join(home, 'validate.log');
    const run = await terraform(`${PROVIDER_HEADER}\nresource "gatehouse_load_balancer" "web" {\n  name = "web"\n}\n`, ['validate', '-no-color'], {
      TF_LOG: 'DEBUG',
      TF_LOG_PATH: logPath,
    });
    expect(run.code).toBe(0);
    const log = readFileSync(logPath, 'utf8');
    expect(log).toMatch(/configuring client automatic mTLS/);
    expect(log).toMatch(/using plugin: version=6/);
    const exits = log.split('\n').filter((l) => l.includes('plugin process exited'));
    expect(exits.length).toBeGreaterThan(0);
    for (const line of exits) expect(line).not.toMatch(/error=/);
    expect(log).not.toMatch(/failed to exit gracefully|plugin failed|rpc error/);
  });

  it('terraform validate refuses a listener port of 70000, naming the attribute and its line', async () => {
    const run = await terraform(
      `${PROVIDER_HEADER}
resource "gatehouse_load_balancer" "web" {
  name = "web"
}

resource "gatehouse_listener" "http" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  protocol                = "HTTP"
  port                    = 70000
  default_server_group_id = "sg-0000"
}
`,
      ['validate', '-no-color'],
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Error: Invalid value for port/);
    expect(run.stderr).toMatch(/with gatehouse_listener\.http/);
    expect(run.stderr).toMatch(/port\s+= 70000/);
    expect(run.stderr).toMatch(/65535/);
  });

  it('terraform validate refuses a provider endpoint that is not an http(s) URL', async () => {
    const run = await terraform(
      `${PROVIDER_HEADER.replace('provider "gatehouse" {}', 'provider "gatehouse" {\n  endpoint = "ftp://example"\n}')}
resource "gatehouse_load_balancer" "web" {
  name = "web"
}
`,
      ['validate', '-no-color'],
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Invalid value for endpoint/);
    expect(run.stderr).toMatch(/endpoint = "ftp:\/\/example"/);
  });

  it('terraform plan without a token plans the create with the server defaults known and the outputs unknown', async () => {
    const run = await terraform(`${PROVIDER_HEADER}\nresource "gatehouse_load_balancer" "web" {\n  name = "web"\n}\n`, ['plan', '-no-color', '-input=false']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/gatehouse_load_balancer\.web will be created/);
    expect(run.stdout).toMatch(/\+ edition\s+= "Standard"/);
    expect(run.stdout).toMatch(/\+ id\s+= \(known after apply\)/);
    expect(run.stdout).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy/);
  });

  it('terraform providers schema -json lists the six resources with their attributes', async () => {
    const run = await terraform(`${PROVIDER_HEADER}\nresource "gatehouse_load_balancer" "web" {\n  name = "web"\n}\n`, ['providers', 'schema', '-json']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as {
      provider_schemas: Record<string, { provider: { block: { attributes: Record<string, { sensitive?: boolean }> } }; resource_schemas: Record<string, { block: { attributes: Record<string, unknown> } }>; data_source_schemas: Record<string, unknown> }>;
    };
    const schemas = document.provider_schemas['registry.terraform.io/gatehouse/gatehouse'];
    expect(schemas).toBeDefined();
    expect(Object.keys(schemas!.resource_schemas).sort()).toEqual([
      'gatehouse_certificate',
      'gatehouse_listener',
      'gatehouse_load_balancer',
      'gatehouse_quic_listener',
      'gatehouse_server_group',
      'gatehouse_tls_security_policy',
    ]);
    expect(Object.keys(schemas!.resource_schemas.gatehouse_load_balancer!.block.attributes)).toEqual(expect.arrayContaining(['id', 'name', 'tags']));
    expect(Object.keys(schemas!.resource_schemas.gatehouse_listener!.block.attributes)).toEqual(
      expect.arrayContaining(['load_balancer_id', 'protocol', 'port', 'certificates']),
    );
    expect(Object.keys(schemas!.resource_schemas.gatehouse_server_group!.block.attributes)).toEqual(expect.arrayContaining(['servers', 'health_check']));
    expect(schemas!.provider.block.attributes.token?.sensitive).toBe(true);
    expect(Object.keys(schemas!.provider.block.attributes).sort()).toEqual(['endpoint', 'token']);
    expect(Object.keys(schemas!.data_source_schemas).length).toBeGreaterThan(0);
  });
});
