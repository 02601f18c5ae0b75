/**
 * `gatehouse drift --stack-export FILE` (SPEC §4): compares a `pulumi stack export` with the
 * live state, naming each resource that is missing or has fields that differ; exit 0 = no
 * drift, 2 = drift, 1 = error. Secret inputs cannot be compared (encrypted in the export,
 * write-only in the API) and the report says so.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_KINDS } from '../../schema/index.ts';
import { compareDrift, runDrift } from '../../provider/drift/index.ts';
import { freePort, listenerInputs, ProviderFixture, T, type Deployed } from './support/fixture.ts';
import { isSecret, secret, urn } from './support/plugin.ts';

const SIG = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** encrypted replaces secret values by the ciphertext form a stack export holds. */
function encrypted(v: unknown): unknown {
  if (isSecret(v)) return { [SIG]: SECRET_SIG, ciphertext: 'v1:ZW5jcnlwdGVk' };
  if (Array.isArray(v)) return v.map(encrypted);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encrypted(x)]));
  return v;
}

/** stackExport renders deployed resources as `pulumi stack export` would. */
function stackExport(resources: Deployed[]): Record<string, unknown> {
  const provider = urn('pulumi:providers:gatehouse', 'default');
  return {
    version: 3,
    deployment: {
      manifest: { time: '2026-01-01T00:00:00Z', magic: 'x', version: 'v3.200.0' },
      resources: [
        { urn: urn('pulumi:pulumi:Stack', 'proj-dev'), custom: false, type: 'pulumi:pulumi:Stack' },
        { urn: provider, custom: true, id: '0a1b2c3d', type: 'pulumi:providers:gatehouse', inputs: encrypted({ token: secret('t') }), outputs: {} },
        ...resources.map((r) => ({
          urn: urn(r.type, r.name),
          custom: true,
          id: r.id,
          type: r.type,
          inputs: encrypted(r.inputs),
          outputs: encrypted(r.outputs),
          provider: `${provider}::0a1b2c3d`,
        })),
      ],
    },
  };
}

class Buffer {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('compareDrift (pure)', () => {
  const listenerInputs = { loadBalancerId: 'alb-1', protocol: 'HTTP', port: 80, defaultServerGroupId: 'sgp-1', idleTimeout: 15, tags: {} };
  const exportJson = {
    deployment: {
      resources: [
        { urn: urn('pulumi:pulumi:Stack', 's'), type: 'pulumi:pulumi:Stack' },
        { urn: urn(T.Listener, 'same'), type: T.Listener, id: 'lsn-same', custom: true, inputs: listenerInputs },
        { urn: urn(T.Listener, 'tuned'), type: T.Listener, id: 'lsn-tuned', custom: true, inputs: listenerInputs },
        { urn: urn(T.Listener, 'gone'), type: T.Listener, id: 'lsn-gone', custom: true, inputs: listenerInputs },
        { urn: urn(T.Listener, 'old'), type: T.Listener, id: 'lsn-old', custom: true, inputs: listenerInputs, delete: true },
        { urn: urn(T.Certificate, 'c'), type: T.Certificate, id: 'cert-c', custom: true, inputs: { name: 'c', type: 'Server', certificatePem: 'PEM', tags: {}, privateKeyPem: { [SIG]: SECRET_SIG, ciphertext: 'x' } } },
      ],
    },
  };
  const live: Record<string, Record<string, unknown>> = {
    'lsn-same': { id: 'lsn-same', version: 4, status: 'Running', ...listenerInputs },
    'lsn-tuned': { id: 'lsn-tuned', status: 'Running', ...listenerInputs, idleTimeout: 30, description: 'by hand' },
    'cert-c': { id: 'cert-c', name: 'c', type: 'Server', certificatePem: 'PEM', tags: {}, commonName: 'x' },
  };

  it('judges each resource: in sync, changed field by field, missing; pending deletes and other types ignored', () => {
    const report = compareDrift(exportJson, (kind, id) => {
      expect(kind).toBe(id.startsWith('cert-') ? RESOURCE_KINDS.Certificate : RESOURCE_KINDS.Listener);
      return live[id];
    });
    const byName = Object.fromEntries(report.resources.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['c', 'gone', 'same', 'tuned']);
    expect(byName.same?.state).toBe('in-sync');
    expect(byName.gone?.state).toBe('missing');
    expect(byName.tuned?.state).toBe('changed');
    expect(byName.tuned?.fields).toEqual([
      { path: 'idleTimeout', kind: 'update', stack: 15, live: 30 },
      { path: 'description', kind: 'add', stack: undefined, live: 'by hand' },
    ]);
    expect(byName.c?.state).toBe('in-sync');
    expect(byName.c?.notCompared).toEqual([{ path: 'privateKeyPem', reason: expect.stringContaining('write-only') }]);
    expect(report.drifted).toBe(2);
  });
});

describe('runDrift against a live server', () => {
  let fx: ProviderFixture;
  let dir: string;
  let file: string;
  let deployed: Deployed[];
  let web: Deployed;

  beforeAll(async () => {
    fx = await ProviderFixture.start();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-drift-'));
    file = join(dir, 'stack.json');
    const { lb, group, cert } = await fx.basicsWithCertificate('drift');
    web = await fx.deploy(T.Listener, 'web', listenerInputs({ lb, group }, 'HTTP', await freePort()));
    deployed = [lb, group, cert, web];
    await writeFile(file, JSON.stringify(stackExport(deployed)));
  });

  afterAll(async () => {
    await fx?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = async (overrides: Partial<Parameters<typeof runDrift>[0]> = {}) => {
    const out = new Buffer();
    const code = await runDrift({ stackExportPath: file, endpoint: fx.server.url, token: fx.server.token, out, ...overrides });
    return { code, text: out.text };
  };

  it('exit 0 when the live state matches, saying the private key was not compared', async () => {
    const { code, text } = await run();
    expect(code).toBe(0);
    expect(text).toContain('no drift: 4 resources match');
    expect(text).toMatch(/skipped\s+Certificate "site" \(cert-[a-z2-7]+\): privateKeyPem not compared \(secret and write-only/);
  });

  it('exit 2 naming the resource and the field after an out-of-band change', async () => {
    const live = (await fx.server.api('GET', `/v1/listeners/${web.id}`)).body;
    expect((await fx.server.api('PUT', `/v1/listeners/${web.id}`, { ...live, idleTimeout: 45 })).status).toBe(200);
    const { code, text } = await run();
    expect(code).toBe(2);
    expect(text).toContain(`DRIFT    Listener "web" (${web.id}): idleTimeout changed outside Pulumi: stack 15, live 45`);
    expect(text).toContain('drift: 1 of 4 resources differ');
  });

  it('exit 2 naming a resource deleted outside Pulumi', async () => {
    const group = deployed.find((d) => d.type === T.ServerGroup)!;
    const orphan = await fx.deploy(T.ServerGroup, 'orphan', { name: 'orphan' });
    await writeFile(file, JSON.stringify(stackExport([...deployed, orphan])));
    expect((await fx.server.api('DELETE', `/v1/server-groups/${orphan.id}`)).status).toBe(204);
    const { code, text } = await run();
    expect(code).toBe(2);
    expect(text).toContain(`DRIFT    ServerGroup "orphan" (${orphan.id}): missing`);
    expect(text).not.toContain(`ServerGroup "drift-group" (${group.id}): missing`);
  });

  it('exit 1 for a file that is missing, not JSON, or not a stack export', async () => {
    const missing = await run({ stackExportPath: join(dir, 'nope.json') });
    expect(missing.code).toBe(1);
    expect(missing.text).toContain('cannot read the stack export');
    await writeFile(join(dir, 'bad.json'), '{ nope');
    expect((await run({ stackExportPath: join(dir, 'bad.json') })).code).toBe(1);
    await writeFile(join(dir, 'other.json'), JSON.stringify({ resources: [] }));
    const other = await run({ stackExportPath: join(dir, 'other.json') });
    expect(other.code).toBe(1);
    expect(other.text).toContain('not a stack export');
  });

  it('exit 1 when the API refuses the token or cannot be reached, without printing the token', async () => {
    const refused = await run({ token: 'not-the-token-123' });
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('UNAUTHENTICATED');
    expect(refused.text).not.toContain('not-the-token-123');
    const unreachable = await run({ endpoint: `http://127.0.0.1:${await freePort()}` });
    expect(unreachable.code).toBe(1);
    expect(unreachable.text).toContain('cannot read the live state');
    expect((await run({ token: undefined })).code).toBe(1);
  });
});
