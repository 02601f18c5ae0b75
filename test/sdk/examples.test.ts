/**
 * The example programs run as a user would run them (Node 24 strips their types, `gatehouse`
 * resolves to this checkout's SDK) and pass plan-time validation with real certificates. The
 * engine is Pulumi's unit-test mock here: what each program registers is checked, not served.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoCerts } from '../helpers/demo-certs.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNNER = fileURLToPath(new URL('./fixtures/run-example.ts', import.meta.url));

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
interface ExampleRun {
  project: string;
  registered: Registered[];
  exported: Record<string, unknown>;
}

let certs: string;

async function runExample(example: string, config: Record<string, unknown>): Promise<ExampleRun> {
  const { stdout } = await run(process.execPath, [RUNNER, join(ROOT, 'examples', example), JSON.stringify(config)], { cwd: ROOT, timeout: 25_000 });
  return JSON.parse(stdout) as ExampleRun;
}

const cert = (name: string): Record<string, string> => ({ certFile: join(certs, `${name}.pem`), keyFile: join(certs, `${name}.key`) });

function byType(run: ExampleRun, type: string): Registered[] {
  return run.registered.filter((r) => r.type === `gatehouse:index:${type}`);
}

function only(run: ExampleRun, type: string): Registered {
  const found = byType(run, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

beforeAll(async () => {
  certs = await mkdtemp(join(tmpdir(), 'gatehouse-example-certs-'));
  await writeDemoCerts(certs);
});

afterAll(async () => {
  await rm(certs, { recursive: true, force: true });
});

describe('examples run on Node 24 and pass plan-time validation', () => {
  it('quickstart: load balancer, server group, certificate from PEM files, HTTPS listener', async () => {
    const run = await runExample('quickstart', cert('server'));
    expect(run.project).toBe('gatehouse-quickstart');
    const listener = only(run, 'Listener');
    const certificate = only(run, 'Certificate');
    expect(listener.inputs).toMatchObject({
      protocol: 'HTTPS',
      port: 10443,
      loadBalancerId: `${only(run, 'LoadBalancer').name}-id`,
      defaultServerGroupId: `${only(run, 'ServerGroup').name}-id`,
      certificates: { defaultCertificateId: `${certificate.name}-id` },
    });
    expect(only(run, 'ServerGroup').inputs.servers).toEqual([
      { address: '127.0.0.1', port: 3001 },
      { address: '127.0.0.1', port: 3002 },
    ]);
    expect(run.exported.url).toBe('https://localhost:10443/');
  });

  it('quickstart takes its port and backends from config', async () => {
    const run = await runExample('quickstart', { ...cert('server'), port: 11443, backends: ['10.0.0.5:8080', 'app.internal:9000'] });
    expect(only(run, 'Listener').inputs.port).toBe(11443);
    expect(only(run, 'ServerGroup').inputs.servers).toEqual([
      { address: '10.0.0.5', port: 8080 },
      { address: 'app.internal', port: 9000 },
    ]);
  });

  it('mutual-tls: a CA certificate and client-certificate headers on a Standard load balancer', async () => {
    const run = await runExample('mutual-tls', { ...cert('server'), clientCaFile: join(certs, 'client-ca.pem') });
    expect(only(run, 'LoadBalancer').inputs.edition).toBe('Standard');
    const ca = byType(run, 'Certificate').find((c) => c.inputs.type === 'CA');
    expect(ca?.inputs.privateKeyPem).toBeUndefined();
    const listener = only(run, 'Listener');
    expect(listener.inputs.mutualAuthentication).toEqual({ enabled: true, caCertificateId: `${ca?.name}-id` });
    expect(listener.inputs.forwardedHeaders).toMatchObject({
      clientCertSubjectDn: { enabled: true },
      clientCertIssuerDn: { enabled: true, headerName: 'x-client-issuer' },
      clientCertFingerprint: { enabled: true, headerName: 'x-client-cert-sha1' },
      clientCertClientVerify: { enabled: true },
    });
  });

  it('multi-domain: the first certificate is the default, the others are chosen by SNI', async () => {
    const files = ['example-test', 'wildcard-example-test', 'shop-example-org'].map((name) => ({ name, ...cert(name) }));
    const run = await runExample('multi-domain', { certificates: files });
    expect(byType(run, 'Certificate').map((c) => c.name)).toEqual(['example-test', 'wildcard-example-test', 'shop-example-org']);
    expect(only(run, 'Listener').inputs.certificates).toEqual({
      defaultCertificateId: 'example-test-id',
      additionalCertificateIds: ['wildcard-example-test-id', 'shop-example-org-id'],
    });
    expect(Object.keys(run.exported.domains as object)).toEqual(['example-test', 'wildcard-example-test', 'shop-example-org']);
  });

  it.each(['blue', 'green'])('blue-green: activeColor=%s sends the listener to that group', async (color) => {
    const run = await runExample('blue-green', { ...cert('server'), activeColor: color });
    expect(byType(run, 'ServerGroup').map((g) => g.name).sort()).toEqual(['blue', 'green']);
    expect(only(run, 'Listener').inputs.defaultServerGroupId).toBe(`${color}-id`);
    expect(run.exported.active).toBe(color);
  });

  it('blue-green refuses an activeColor that is neither blue nor green', async () => {
    await expect(runExample('blue-green', { ...cert('server'), activeColor: 'red' })).rejects.toThrow(/activeColor/);
  });

  it('custom-tls-policy: the listener uses the custom policy of a Standard load balancer', async () => {
    const run = await runExample('custom-tls-policy', cert('server'));
    const policy = only(run, 'TlsSecurityPolicy');
    expect(policy.inputs.tlsVersions).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(only(run, 'LoadBalancer').inputs.edition).toBe('Standard');
    expect(only(run, 'Listener').inputs.tlsPolicyId).toBe(`${policy.name}-id`);
  });

  it('a certificate file that is not a certificate stops the program at plan time, naming the property', async () => {
    const notPem = join(certs, 'server.key');
    await expect(runExample('quickstart', { ...cert('server'), certFile: notPem })).rejects.toThrow(
      /CERT_INVALID_PEM: gatehouse:index:Certificate "site": certificatePem: /,
    );
  });
});
