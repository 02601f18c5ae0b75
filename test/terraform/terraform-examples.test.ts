/**
 * examples/terraform/ end to end: each of the five configurations copied to a temporary folder,
 * its demo certificates made there by examples/make-demo-certs.sh (openssl), then the real
 * terraform CLI through a development override (no `terraform init`) against one real
 * `gatehouse serve` (two servers, so that two examples run at a time, each alone on its server):
 * `validate`, `apply` with variables pointing at small node:http backends,
 * requests through the listener (plain TLS; mutual TLS with and without a client certificate; the
 * certificate chosen per SNI name; the blue/green switch by a variable; the custom TLS policy's
 * versions and suites), a second `plan -detailed-exitcode` finding nothing, and `destroy` leaving
 * the server empty. Every terraform run, the certificate script and every request is bounded in
 * time; a test's bound covers its wait for a free server too.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoBackend } from '../e2e/support/echo-backend.ts';
import { httpsRequest, waitForAnswer, type HttpsRequestOptions } from '../e2e/support/https-request.ts';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/free-port.ts';
import { GatehouseServe, ROOT } from '../helpers/gatehouse-serve.ts';
import { requireTerraform, RUN_TERRAFORM_TESTS, RUN_TIMEOUT_MS, runTerraform, shown, writeCliConfig, type TerraformRun } from './support/terraform-cli.ts';

const EXAMPLES_DIR = join(ROOT, 'examples');
/**
 * LANES examples run at a time. The file is CPU-bound: terraform starts the provider (Node
 * reading its TypeScript) two to five times per command, about 70 times in all; Node's compile
 * cache (NODE_COMPILE_CACHE, one folder for the file, inherited by the provider through
 * terraform) makes the later starts cheaper.
 */
const LANES = 2;
/** One example: up to six terraform runs, each bounded by RUN_TIMEOUT_MS, after waiting for a server. */
const EXAMPLE_TIMEOUT_MS = 8 * RUN_TIMEOUT_MS;
const CERTS_TIMEOUT_MS = 20_000;
const EMPTY = { 'load-balancers': 0, listeners: 0, 'quic-listeners': 0, certificates: 0, 'tls-policies': 0, 'server-groups': 0 };

/** makeDemoCerts runs examples/make-demo-certs.sh in `cwd` (writing `cwd/certs`), killed after CERTS_TIMEOUT_MS. */
function makeDemoCerts(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [join(EXAMPLES_DIR, 'make-demo-certs.sh')], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), CERTS_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`make-demo-certs.sh ended with ${signal ?? `exit ${String(code)}`}:\n${stderr}`));
    });
  });
}

/** ServePool lends each of its servers to one example at a time, first come first served. */
class ServePool {
  readonly #free: GatehouseServe[];
  readonly #waiting: ((serve: GatehouseServe) => void)[] = [];

  readonly all: readonly GatehouseServe[];

  constructor(all: readonly GatehouseServe[]) {
    this.all = all;
    this.#free = [...all];
  }

  /** use runs `fn` with a server no other example uses meanwhile. */
  async use<T>(fn: (serve: GatehouseServe) => Promise<T>): Promise<T> {
    const serve = this.#free.pop() ?? (await new Promise<GatehouseServe>((resolve) => this.#waiting.push(resolve)));
    try {
      return await fn(serve);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(serve);
      else this.#free.push(serve);
    }
  }
}

describe.skipIf(!RUN_TERRAFORM_TESTS)('examples/terraform with the terraform CLI against gatehouse serve', () => {
  let home: string;
  let cliConfig: string;
  let pool: ServePool;
  let first: EchoBackend;
  let second: EchoBackend;

  beforeAll(async () => {
    requireTerraform();
    home = mkdtempSync(join(tmpdir(), 'gatehouse-terraform-examples-'));
    cliConfig = writeCliConfig(home);
    first = await EchoBackend.start('first');
    second = await EchoBackend.start('second');
    pool = new ServePool(await Promise.all(Array.from({ length: LANES }, () => GatehouseServe.startFresh())));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((pool?.all ?? []).map((s) => s.close()));
    await first?.close();
    await second?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Example is one example folder copied to the temporary home, with its certificates and variables. */
  class Example {
    readonly dir: string;
    readonly serve: GatehouseServe;

    private constructor(name: string, serve: GatehouseServe) {
      this.dir = join(home, name);
      this.serve = serve;
    }

    /**
     * copy copies examples/terraform/<name> (its .tf files and README only: no state, .terraform
     * or certs/ of someone who ran it in the checkout), makes the demo certificates there and
     * writes the variables to terraform.tfvars.json.
     */
    static async copy(name: string, serve: GatehouseServe, vars: Record<string, unknown>): Promise<Example> {
      const e = new Example(name, serve);
      const from = join(EXAMPLES_DIR, 'terraform', name);
      cpSync(from, e.dir, { recursive: true, filter: (src) => src === from || /\.(tf|md)$/.test(src) });
      await makeDemoCerts(e.dir);
      writeFileSync(join(e.dir, 'terraform.tfvars.json'), JSON.stringify(vars));
      return e;
    }

    /** terraform runs `terraform <command> -no-color [-input=false] <rest>` in the example's folder (validate takes no -input). */
    terraform(...args: string[]): Promise<TerraformRun> {
      const [command, ...rest] = args as [string, ...string[]];
      return runTerraform({
        cwd: this.dir,
        cliConfig,
        args: [command, '-no-color', ...(command === 'validate' ? [] : ['-input=false']), ...rest],
        env: { GATEHOUSE_ENDPOINT: this.serve.url, GATEHOUSE_TOKEN: this.serve.token, NODE_COMPILE_CACHE: join(home, 'node-compile-cache') },
      });
    }

    /** file reads a file of the example's folder, e.g. `certs/ca.pem`. */
    file(path: string): string {
      return readFileSync(join(this.dir, path), 'utf8');
    }

    /** outputs are the root module's outputs, read from the local state. */
    outputs(): Record<string, unknown> {
      const state = JSON.parse(this.file('terraform.tfstate')) as { outputs: Record<string, { value: unknown }> };
      return Object.fromEntries(Object.entries(state.outputs).map(([k, o]) => [k, o.value]));
    }

    /** validateAndApply: `terraform validate` passes, then `apply` creates `count` resources. */
    async validateAndApply(count: number): Promise<void> {
      const validate = await this.terraform('validate');
      expect(validate.code, shown(validate)).toBe(0);
      expect(validate.stdout).toMatch(/Success! The configuration is valid/);
      const apply = await this.terraform('apply', '-auto-approve');
      expect(apply.code, shown(apply)).toBe(0);
      expect(apply.stdout).toMatch(new RegExp(`Apply complete! Resources: ${count} added, 0 changed, 0 destroyed`));
    }

    /** planAndDestroy: a second plan finds no changes, and destroy leaves the server empty. */
    async planAndDestroy(count: number, ...vars: string[]): Promise<void> {
      const plan = await this.terraform('plan', '-detailed-exitcode', ...vars);
      expect(plan.code, shown(plan)).toBe(0);
      expect(plan.stdout).toMatch(/No changes/);
      // The plan just read every resource back: destroy need not refresh them again.
      const destroy = await this.terraform('destroy', '-auto-approve', '-refresh=false', ...vars);
      expect(destroy.code, shown(destroy)).toBe(0);
      expect(destroy.stdout).toMatch(new RegExp(`Destroy complete! Resources: ${count} destroyed`));
      expect(await this.serve.counts()).toEqual(EMPTY);
    }
  }

  /** backendOf is the name of the echo backend that answered. */
  const backendOf = (body: string): string => (JSON.parse(body) as { backend: string }).backend;

  it.concurrent(
    'quickstart: validate, apply, HTTPS through the listener to both backends with the forwarded headers, no changes at plan, destroy',
    () =>
      pool.use(async (serve) => {
        const port = await freePort();
        const ex = await Example.copy('quickstart', serve, { port, backends: [first.hostPort, second.hostPort] });
        await ex.validateAndApply(4);
        const out = ex.outputs();
        expect(out).toMatchObject({ url: `https://localhost:${port}/`, listener_status: 'Running', certificate_domains: ['localhost'] });
        expect(out.listener_id).toMatch(/^lsn-[a-z2-7]{20}$/);
        expect(Date.parse(out.certificate_expires as string)).toBeGreaterThan(Date.now());

        const client: HttpsRequestOptions = { port, ca: ex.file('certs/ca.pem'), timeoutMs: 5000 };
        const answer = await waitForAnswer(client);
        const headers = (JSON.parse(answer.body) as { headers: Record<string, string> }).headers;
        expect(headers).toMatchObject({ 'x-forwarded-proto': 'https', 'x-forwarded-port': String(port), 'x-forwarded-host': 'localhost' });
        // Round robin over the two servers: both answer within a few requests.
        const seen = new Set([backendOf(answer.body)]);
        await eventually(async () => {
          seen.add(backendOf((await httpsRequest(client)).body));
          expect([...seen].sort()).toEqual(['first', 'second']);
        });

        await ex.planAndDestroy(4);
      }),
    EXAMPLE_TIMEOUT_MS,
  );

  it.concurrent(
    'mutual-tls: a client certificate from the client CA gets through with its headers; none, or one from another CA, is refused',
    () =>
      pool.use(async (serve) => {
        const port = await freePort();
        const ex = await Example.copy('mutual-tls', serve, { port, backend: first.hostPort });
        await ex.validateAndApply(5);
        expect(ex.outputs()).toMatchObject({ url: `https://localhost:${port}/`, trusted_client_ca: 'CN=Gatehouse Demo Client CA' });
        const listener = (await serve.api('GET', `/v1/listeners/${ex.outputs().listener_id as string}`)).body;
        expect(listener).toMatchObject({ status: 'Running', mutualAuthentication: { enabled: true } });

        const client: HttpsRequestOptions = { port, ca: ex.file('certs/ca.pem'), timeoutMs: 5000 };
        const clientPem = ex.file('certs/client.pem');
        const answer = await waitForAnswer({ ...client, cert: clientPem, key: ex.file('certs/client.key') });
        const headers = (JSON.parse(answer.body) as { headers: Record<string, string> }).headers;
        expect(backendOf(answer.body)).toBe('first');
        expect(headers['x-forwarded-clientcert-clientverify']).toBe('SUCCESS');
        expect(headers['x-forwarded-clientcert-subjectdn']).toContain('CN=demo-client');
        expect(headers['x-client-issuer']).toContain('CN=Gatehouse Demo Client CA');
        expect(headers['x-client-cert-sha1']).toBe(new X509Certificate(clientPem).fingerprint.replaceAll(':', '').toLowerCase());
        expect(headers['x-forwarded-proto']).toBe('https');
        await expect(httpsRequest(client)).rejects.toThrow();
        // The server certificate is no client certificate of the client CA.
        await expect(httpsRequest({ ...client, cert: ex.file('certs/server.pem'), key: ex.file('certs/server.key') })).rejects.toThrow();

        await ex.planAndDestroy(5);
      }),
    EXAMPLE_TIMEOUT_MS,
  );

  it.concurrent(
    'multi-domain: one listener serves the default, the wildcard and the extension certificate by SNI name',
    () =>
      pool.use(async (serve) => {
        const port = await freePort();
        const ex = await Example.copy('multi-domain', serve, { port, backend: first.hostPort });
        await ex.validateAndApply(6);
        expect(ex.outputs().domains).toEqual({
          'example-test': ['example.test', 'www.example.test'],
          'wildcard-example-test': ['*.example.test'],
          'shop-example-org': ['shop.example.org'],
        });

        const ca = ex.file('certs/ca.pem');
        /** served connects with an SNI name and answers the CN of the certificate served (chain checked, name not). */
        const served = async (servername: string): Promise<string> => (await waitForAnswer({ port, ca, servername, checkName: false, timeoutMs: 5000 })).peer.subject.CN as string;
        expect(await served('example.test')).toBe('example.test');
        expect(await served('www.example.test')).toBe('example.test');
        expect(await served('api.example.test')).toBe('*.example.test');
        expect(await served('shop.example.org')).toBe('shop.example.org');
        expect(await served('a.b.example.test')).toBe('example.test');
        expect(await served('unknown.example.org')).toBe('example.test');

        await ex.planAndDestroy(6);
      }),
    EXAMPLE_TIMEOUT_MS,
  );

  it.concurrent(
    'blue-green: blue answers; active_color=green is an update in place of the listener, and green answers',
    () =>
      pool.use(async (serve) => {
        const port = await freePort();
        const ex = await Example.copy('blue-green', serve, { port, blue_servers: [first.hostPort], green_servers: [second.hostPort] });
        await ex.validateAndApply(5);
        const blue = ex.outputs();
        expect(blue).toMatchObject({ active: 'blue', url: `https://localhost:${port}/` });
        const client: HttpsRequestOptions = { port, ca: ex.file('certs/ca.pem'), timeoutMs: 5000 };
        expect(backendOf((await waitForAnswer(client)).body)).toBe('first');
        const listenerId = (await serve.list('listeners'))[0].id as string;

        const switched = await ex.terraform('apply', '-auto-approve', '-var', 'active_color=green');
        expect(switched.code, shown(switched)).toBe(0);
        expect(switched.stdout).toMatch(/gatehouse_listener\.https will be updated in-place/);
        expect(switched.stdout).toMatch(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed/);
        const green = ex.outputs();
        expect(green).toMatchObject({ active: 'green' });
        expect((await serve.list('listeners')).map((l) => l.id as string)).toEqual([listenerId]);
        expect(green.active_server_group_id).not.toBe(blue.active_server_group_id);
        await eventually(async () => expect(backendOf((await httpsRequest(client)).body)).toBe('second'));

        await ex.planAndDestroy(5, '-var', 'active_color=green');
      }),
    EXAMPLE_TIMEOUT_MS,
  );

  it.concurrent(
    'custom-tls-policy: the listener uses the custom policy — TLS 1.3 and TLS 1.2 AES-GCM served, TLS 1.2 CBC and TLS 1.1 refused',
    () =>
      pool.use(async (serve) => {
        const port = await freePort();
        const ex = await Example.copy('custom-tls-policy', serve, { port, backend: first.hostPort });
        await ex.validateAndApply(5);
        const out = ex.outputs();
        expect(out.policy_id).toMatch(/^tlsp-[a-z2-7]{20}$/);
        expect((await serve.api('GET', `/v1/tls-policies/${out.policy_id as string}`)).body).toMatchObject({ name: 'modern-gcm', tlsVersions: ['TLSv1.2', 'TLSv1.3'] });
        expect((await serve.api('GET', `/v1/listeners/${out.listener_id as string}`)).body).toMatchObject({ status: 'Running', port, tlsPolicyId: out.policy_id });

        const client: HttpsRequestOptions = { port, ca: ex.file('certs/ca.pem'), timeoutMs: 5000 };
        expect((await waitForAnswer({ ...client, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).protocol).toBe('TLSv1.3');
        const gcm = await httpsRequest({ ...client, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
        expect(gcm).toMatchObject({ status: 200, protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
        // A CBC suite the default policy would serve, and TLS 1.1 (offered at all only with @SECLEVEL=0).
        await expect(httpsRequest({ ...client, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' })).rejects.toThrow(/alert handshake failure/);
        await expect(httpsRequest({ ...client, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' })).rejects.toThrow(/alert protocol version/);

        await ex.planAndDestroy(5);
      }),
    EXAMPLE_TIMEOUT_MS,
  );
});
