/**
 * terraform-provider-gatehouse through plan and apply: the real Terraform CLI (a development
 * override, no registry) against a real `gatehouse serve` on free ports, a small node:http
 * backend behind it. One configuration goes through its life in order: apply (a load balancer, a
 * server group pointing at the backend, an HTTP listener), a request through the listener, a plan
 * with no changes, an in-place update, a replacement, a port collision refused at plan with the
 * API's code, a switch to HTTPS on the same port (delete before replace; the certificate's
 * write-only key kept in state), a certificate rotated in place, a change through the API seen by
 * `plan -refresh-only`, a listener imported back into the state and a server group taken in by an
 * `import {}` block, `apply -replace`, a listener deleted out of band planned again, an import (and a listener id
 * refused as a QUIC listener), a QUIC listener, a listener whose port another process holds
 * (the apply fails with the reason; once the port is free the tainted listener is replaced on the
 * same port), and destroy. Every terraform run is bounded in time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { issueCertificate } from '../helpers/pki.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { get, getTls, HELLO, startHelloBackend, type HelloBackend } from './support/traffic.ts';
import { requireTerraform, RUN_TERRAFORM_TESTS, RUN_TIMEOUT_MS, runTerraform, shown, writeCliConfig, type TerraformRun } from './support/terraform-cli.ts';

const STEP_TIMEOUT_MS = 2 * RUN_TIMEOUT_MS + 10_000;


interface Settings {
  port: number;
  idleTimeout: number;
  /** A second listener on the same load balancer and port, to be refused. */
  collidingPort?: number;
  /** More configuration, after the rest. */
  extra?: string;
  /** A certificate from cert.pem / key.pem in the working folder. */
  certificate?: boolean;
  /** The listener serves HTTPS with that certificate. */
  https?: boolean;
}

const HTTPS_CERTIFICATE = `
resource "gatehouse_certificate" "site" {
  name            = "site"
  certificate_pem = file("cert.pem")
  private_key_pem = file("key.pem")
}
`;

describe.skipIf(!RUN_TERRAFORM_TESTS)('terraform apply, plan and destroy with terraform-provider-gatehouse', () => {
  let home: string;
  let workdir: string;
  let cliConfig: string;
  let serve: GatehouseServe;
  let backend: HelloBackend;
  let backendPort: number;
  let settings: Settings;

  beforeAll(async () => {
    requireTerraform();
    home = mkdtempSync(join(tmpdir(), 'gatehouse-terraform-apply-'));
    workdir = join(home, 'config');
    cliConfig = writeCliConfig(home);
    backend = await startHelloBackend();
    backendPort = backend.port;
    serve = await GatehouseServe.startFresh();
    settings = { port: await freePort(), idleTimeout: 60 };
  }, 60_000);

  afterAll(async () => {
    await serve?.close();
    await backend?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  function mainTf(s: Settings): string {
    const colliding =
      s.collidingPort === undefined
        ? ''
        : `
resource "gatehouse_listener" "again" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  protocol                = "HTTP"
  port                    = ${s.collidingPort}
  default_server_group_id = gatehouse_server_group.app.id
}
`;
    return `terraform {
  required_providers {
    gatehouse = { source = "gatehouse/gatehouse" }
  }
}

provider "gatehouse" {}

resource "gatehouse_load_balancer" "web" {
  name    = "web"
  address = "127.0.0.1"
}

resource "gatehouse_server_group" "app" {
  name    = "app"
  servers = [{ address = "127.0.0.1", port = ${backendPort} }]
}

resource "gatehouse_listener" "http" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  protocol                = "${s.https ? 'HTTPS' : 'HTTP'}"
  port                    = ${s.port}
  default_server_group_id = gatehouse_server_group.app.id
  idle_timeout            = ${s.idleTimeout}
${s.https ? '  certificates            = { default_certificate_id = gatehouse_certificate.site.id }\n' : ''}}
${s.certificate ? HTTPS_CERTIFICATE : ''}${colliding}${s.extra ?? ''}`;
  }

  /**
   * terraform runs `terraform <command> -no-color -input=false <rest>` in the one working folder
   * (its state kept between runs), with `s` as main.tf; `state` commands take their subcommand
   * first, and no `-input`.
   */
  function terraform(s: Settings, args: string[]): Promise<TerraformRun> {
    mkdirSync(workdir, { recursive: true });
    writeFileSync(join(workdir, 'main.tf'), mainTf(s));
    const [command, ...rest] = args;
    const head = command === 'state' ? [command, rest.shift()!, '-no-color'] : [command!, '-no-color', '-input=false'];
    return runTerraform({
      cwd: workdir,
      cliConfig,
      args: [...head, ...rest],
      env: { GATEHOUSE_ENDPOINT: serve.url, GATEHOUSE_TOKEN: serve.token },
    });
  }

  it(
    'terraform apply creates the load balancer, the server group and the listener, and a request through the listener reaches the backend',
    async () => {
      const run = await terraform(settings, ['apply', '-auto-approve']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/);
      const [listener] = await serve.list('listeners');
      expect(listener).toMatchObject({ port: settings.port, protocol: 'HTTP', status: 'Running', idleTimeout: 60 });
      const res = await get(settings.port);
      expect(res.status).toBe(200);
      expect(res.body).toBe(HELLO);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a second terraform plan finds no changes',
    async () => {
      const run = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/No changes/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "changing the listener's idle_timeout plans an update in place, and applies it",
    async () => {
      settings = { ...settings, idleTimeout: 120 };
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_listener\.http will be updated in-place/);
      expect(plan.stdout).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
      const listenerId = (await serve.list('listeners'))[0].id as string;
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/0 added, 1 changed, 0 destroyed/);
      const listeners = await serve.list('listeners');
      expect(listeners).toHaveLength(1);
      expect(listeners[0]).toMatchObject({ id: listenerId, idleTimeout: 120, status: 'Running' });
      const again = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(again.code, shown(again)).toBe(0);
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    "changing the listener's port plans a replacement, and applies it",
    async () => {
      const oldId = (await serve.list('listeners'))[0].id as string;
      settings = { ...settings, port: await freePort() };
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_listener\.http must be replaced/);
      expect(plan.stdout).toMatch(/port\s+= \d+ -> \d+ # forces replacement/);
      expect(plan.stdout).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy/);
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      const listeners = await serve.list('listeners');
      expect(listeners).toHaveLength(1);
      expect(listeners[0].id).not.toBe(oldId);
      expect(listeners[0]).toMatchObject({ port: settings.port, status: 'Running' });
      expect((await get(settings.port)).body).toBe(HELLO);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a second listener on the same load balancer and port fails at terraform plan with the API code',
    async () => {
      const run = await terraform({ ...settings, collidingPort: settings.port }, ['plan']);
      expect(run.code, shown(run)).toBe(1);
      expect(run.stderr).toMatch(/Error: The Gatehouse API refused to accept gatehouse_listener \(port\): .*PORT_CONFLICT/);
      expect(run.stderr).toMatch(/with gatehouse_listener\.again/);
      expect(await serve.list('listeners')).toHaveLength(1);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'switching the listener to HTTPS on the same port replaces it, the old one deleted first, and the write-only key stays in state',
    async () => {
      const oldId = (await serve.list('listeners'))[0].id as string;
      const site = await issueCertificate({ commonName: 'site.test', dnsNames: ['site.test'] });
      writeFileSync(join(workdir, 'cert.pem'), site.certPem);
      writeFileSync(join(workdir, 'key.pem'), site.keyPem);
      // The certificate first, so that the switch is planned with every value known: the dry run
      // of the new listener must not collide with the old one on the same port, deleted first.
      settings = { ...settings, certificate: true };
      const certificate = await terraform(settings, ['apply', '-auto-approve']);
      expect(certificate.code, shown(certificate)).toBe(0);
      expect(certificate.stdout).toMatch(/Resources: 1 added, 0 changed, 0 destroyed/);
      settings = { ...settings, https: true };
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_listener\.http must be replaced/);
      expect(plan.stdout).toMatch(/protocol\s+= "HTTP" -> "HTTPS" # forces replacement/);
      expect(plan.stdout).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy/);
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      const listeners = await serve.list('listeners');
      expect(listeners).toHaveLength(1);
      expect(listeners[0].id).not.toBe(oldId);
      expect(listeners[0]).toMatchObject({ port: settings.port, protocol: 'HTTPS', status: 'Running' });
      expect((await getTls(settings.port)).body).toBe(HELLO);
      const again = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(again.code, shown(again)).toBe(0);
    },
    4 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'a new certificate and key in the same files plan an update of the certificate in place, the key never shown, and the listener serves the new certificate under the same id',
    async () => {
      const [before] = await serve.list('certificates');
      const rotated = await issueCertificate({ commonName: 'site.test', dnsNames: ['site.test', 'www.site.test'] });
      writeFileSync(join(workdir, 'cert.pem'), rotated.certPem);
      writeFileSync(join(workdir, 'key.pem'), rotated.keyPem);
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_certificate\.site will be updated in-place/);
      expect(plan.stdout).toMatch(/private_key_pem\s+= \(sensitive value\)/);
      expect(plan.stdout).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
      expect(`${plan.stdout}${plan.stderr}`).not.toContain('PRIVATE KEY');
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/0 added, 1 changed, 0 destroyed/);
      expect(`${apply.stdout}${apply.stderr}`).not.toContain('PRIVATE KEY');
      const certificates = await serve.list('certificates');
      expect(certificates).toHaveLength(1);
      expect(certificates[0]).toMatchObject({ id: before.id, domains: ['site.test', 'www.site.test'] });
      // The listener's own id did not change either: nothing was replaced.
      expect((await serve.list('listeners'))[0]).toMatchObject({ status: 'Running' });
      const served = await getTls(settings.port);
      expect(served.body).toBe(HELLO);
      expect(served.sha1).toBe(rotated.sha1);
      const again = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(again.code, shown(again)).toBe(0);
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'a change made through the API shows as drift in terraform plan -refresh-only, and a normal plan puts the configuration back',
    async () => {
      const [listener] = await serve.list('listeners');
      const edited = await serve.api('PUT', `/v1/listeners/${listener.id as string}`, { ...listener, idleTimeout: 33 });
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
      const refresh = await terraform(settings, ['plan', '-refresh-only', '-detailed-exitcode']);
      expect(refresh.code, shown(refresh)).toBe(2);
      expect(refresh.stdout).toMatch(/Objects have changed outside of Terraform/);
      expect(refresh.stdout).toMatch(/gatehouse_listener\.http has changed/);
      expect(refresh.stdout).toMatch(/idle_timeout\s+= 120 -> 33/);
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/idle_timeout\s+= 33 -> 120/);
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect((await serve.list('listeners'))[0]).toMatchObject({ id: listener.id, idleTimeout: 120 });
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'terraform import takes back a listener removed from the state, and the next plan finds no changes',
    async () => {
      const [listener] = await serve.list('listeners');
      const removed = await terraform(settings, ['state', 'rm', 'gatehouse_listener.http']);
      expect(removed.code, shown(removed)).toBe(0);
      const run = await terraform(settings, ['import', 'gatehouse_listener.http', listener.id as string]);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/Import successful/);
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(0);
      expect(await serve.list('listeners')).toHaveLength(1);
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'an import block takes in a server group made through the API at apply, and the next plan finds no changes',
    async () => {
      const made = await serve.api('POST', '/v1/server-groups', { name: 'spare', servers: [{ address: '127.0.0.1', port: backendPort }] });
      expect(made.status).toBe(201);
      const id = made.body.id as string;
      const spare = `
import {
  to = gatehouse_server_group.spare
  id = "${id}"
}

resource "gatehouse_server_group" "spare" {
  name    = "spare"
  servers = [{ address = "127.0.0.1", port = ${backendPort} }]
}
`;
      settings = { ...settings, extra: `${settings.extra ?? ''}${spare}` };
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_server_group\.spare will be imported/);
      expect(plan.stdout).toMatch(/Plan: 1 to import, 0 to add, 0 to change, 0 to destroy/);
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed/);
      expect(await serve.list('server-groups')).toHaveLength(2);
      const again = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(again.code, shown(again)).toBe(0);
    },
    3 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'terraform apply -replace replaces the listener on its own port',
    async () => {
      const [before] = await serve.list('listeners');
      const run = await terraform(settings, ['apply', '-auto-approve', '-replace=gatehouse_listener.http']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/1 added, 0 changed, 1 destroyed/);
      const listeners = await serve.list('listeners');
      expect(listeners).toHaveLength(1);
      expect(listeners[0].id).not.toBe(before.id);
      expect(listeners[0]).toMatchObject({ port: settings.port, status: 'Running' });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a listener deleted behind Terraform\'s back reads as gone, and the next plan creates it again',
    async () => {
      const [listener] = await serve.list('listeners');
      expect((await serve.api('DELETE', `/v1/listeners/${listener.id as string}`)).status).toBeLessThan(300);
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_listener\.http will be created/);
      expect(plan.stdout).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy/);
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(await serve.list('listeners')).toHaveLength(1);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'terraform import takes in a load balancer made through the API, and the next plan finds no changes',
    async () => {
      const made = await serve.api('POST', '/v1/load-balancers', { name: 'imported', address: '127.0.0.2' });
      expect(made.status).toBe(201);
      const id = made.body.id as string;
      settings = { ...settings, extra: `${settings.extra ?? ''}\nresource "gatehouse_load_balancer" "imported" {\n  name = "imported"\n}\n` };
      const run = await terraform(settings, ['import', 'gatehouse_load_balancer.imported', id]);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/Import successful/);
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'importing a listener id as a QUIC listener is refused, naming the listener type',
    async () => {
      const listenerId = (await serve.list('listeners'))[0].id as string;
      const wrong = `
resource "gatehouse_quic_listener" "wrong" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  port                    = ${settings.port}
  default_server_group_id = gatehouse_server_group.app.id
  certificates            = { default_certificate_id = gatehouse_certificate.site.id }
}
`;
      const run = await terraform({ ...settings, extra: `${settings.extra ?? ''}${wrong}` }, ['import', 'gatehouse_quic_listener.wrong', listenerId]);
      expect(run.code, shown(run)).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`Cannot import gatehouse_quic_listener: ${listenerId} is a gatehouse_listener`));
      expect(await serve.list('quic-listeners')).toHaveLength(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a QUIC listener is created and kept, with a warning when this runtime cannot serve HTTP/3',
    async () => {
      const quicPort = await freePort();
      const quic = `
resource "gatehouse_quic_listener" "h3" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  port                    = ${quicPort}
  default_server_group_id = gatehouse_server_group.app.id
  certificates            = { default_certificate_id = gatehouse_certificate.site.id }
}
`;
      settings = { ...settings, extra: `${settings.extra ?? ''}${quic}` };
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(/1 added, 0 changed, 0 destroyed/);
      const [listener] = await serve.list('quic-listeners');
      expect(listener).toMatchObject({ port: quicPort });
      if (listener.status === 'Unavailable') {
        expect(`${apply.stdout}${apply.stderr}`).toMatch(new RegExp(`Warning: gatehouse_quic_listener ${listener.id as string} is Unavailable`));
      } else {
        expect(listener.status).toBe('Running');
      }
      const again = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(again.code, shown(again)).toBe(0);
    },
    2 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'a listener whose port another process holds fails the apply with its reason, and once the port is free the next apply replaces it and it runs',
    async () => {
      const squatter = createNetServer();
      await new Promise<void>((done) => squatter.listen(0, '127.0.0.1', done));
      const blockedPort = (squatter.address() as AddressInfo).port;
      const blocked = `
resource "gatehouse_listener" "blocked" {
  load_balancer_id        = gatehouse_load_balancer.web.id
  protocol                = "HTTP"
  port                    = ${blockedPort}
  default_server_group_id = gatehouse_server_group.app.id
}
`;
      settings = { ...settings, extra: `${settings.extra ?? ''}${blocked}` };
      try {
        const failed = await terraform(settings, ['apply', '-auto-approve']);
        expect(failed.code, shown(failed)).toBe(1);
        expect(failed.stderr).toMatch(/Error: gatehouse_listener lsn-[0-9a-z]+ is Failed/);
        expect(failed.stderr).toMatch(/with gatehouse_listener\.blocked/);
        const listed = (await serve.list('listeners')).find((l) => l.port === blockedPort);
        expect(listed).toMatchObject({ status: 'Failed' });
        expect(failed.stderr).toContain(String(listed.statusReason).split('\n')[0]!.slice(0, 40));
      } finally {
        await new Promise<void>((done) => squatter.close(() => done()));
      }
      const plan = await terraform(settings, ['plan', '-detailed-exitcode']);
      expect(plan.code, shown(plan)).toBe(2);
      expect(plan.stdout).toMatch(/gatehouse_listener\.blocked is tainted, so must be replaced/);
      const apply = await terraform(settings, ['apply', '-auto-approve']);
      expect(apply.code, shown(apply)).toBe(0);
      const running = (await serve.list('listeners')).filter((l) => l.port === blockedPort);
      expect(running).toHaveLength(1);
      expect(running[0]).toMatchObject({ status: 'Running' });
      expect((await get(blockedPort)).body).toBe(HELLO);
    },
    4 * RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'terraform destroy leaves nothing',
    async () => {
      const run = await terraform(settings, ['destroy', '-auto-approve']);
      expect(run.code, shown(run)).toBe(0);
      expect(run.stdout).toMatch(/Destroy complete! Resources: 8 destroyed/);
      expect(await serve.counts()).toEqual({ 'load-balancers': 0, listeners: 0, 'quic-listeners': 0, certificates: 0, 'tls-policies': 0, 'server-groups': 0 });
    },
    STEP_TIMEOUT_MS,
  );
});
