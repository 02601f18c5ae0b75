/**
 * The provider plugin archive `npm run pack` writes (packaging/plugin-archive.ts): a tar.gz with
 * the single executable `pulumi-resource-gatehouse` at its root, which — extracted into a folder
 * outside the checkout and started with no `node` anywhere on PATH — serves the same answers as
 * the checkout's plugin, reports the packed version and schema, and creates a resource on a real
 * `gatehouse serve`. A second build with another version and download URL shows the executable
 * answers with what was packed, not with files of the checkout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPluginArchive, NODE_LICENSE } from '../../packaging/plugin-archive.ts';
import { renderPulumiSchema } from '../../schema/emit/pulumi-schema.ts';
import { PluginHost, Secret, type PropertyMap, type ResourceCall } from '../harness/index.ts';
import { providerGrpc, providerPb } from '../harness/grpc-stubs.ts';
import { cleanEnv, GatehouseServe, PLUGIN, ROOT } from '../helpers/gatehouse-serve.ts';
import { packedArtifacts } from './packed-artifacts.ts';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const EXECUTABLE = 'pulumi-resource-gatehouse';
const PACK_TIMEOUT_MS = 300_000;
const T = 60_000;
/** ENGINE is an address where no engine listens: these tests log nothing to one. */
const ENGINE = '127.0.0.1:1';

const PROVIDER: ResourceCall = { urn: 'urn:pulumi:dev::archive::pulumi:providers:gatehouse::default', name: 'default', type: 'pulumi:providers:gatehouse' };
const LB = (name: string): ResourceCall => ({ urn: `urn:pulumi:dev::archive::gatehouse:index:LoadBalancer::${name}`, name, type: 'gatehouse:index:LoadBalancer' });

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** extract unpacks an archive into a fresh folder outside the checkout. */
function extract(archive: string): string {
  const dir = tempDir('gatehouse-plugin-archive-');
  const tar = spawnSync('tar', ['-xzf', archive, '-C', dir], { encoding: 'utf8', timeout: T });
  expect(tar.status, tar.stderr).toBe(0);
  return dir;
}

/** startExtracted starts an extracted plugin as the engine would, with a PATH holding no `node` at all. */
function startExtracted(dir: string): Promise<PluginHost> {
  const emptyBin = tempDir('gatehouse-empty-path-');
  return PluginHost.start({ pluginPath: join(dir, EXECUTABLE), engineAddress: ENGINE, cwd: dir, env: { PATH: emptyBin, HOME: emptyBin } });
}

/** schemaOf calls GetSchema on a running plugin. */
async function schemaOf(host: PluginHost): Promise<string> {
  const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${host.port}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      client.getSchema(new providerPb.GetSchemaRequest(), new grpc.Metadata(), { deadline: Date.now() + 20_000 }, (err, res) => (err ? reject(err) : resolve(res.getSchema())));
    });
  } finally {
    client.close();
  }
}

let archive = '';
let extracted = '';

beforeAll(async () => {
  archive = (await packedArtifacts()).pluginArchive;
  extracted = extract(archive);
}, PACK_TIMEOUT_MS);

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('the plugin archive', () => {
  it('is named for the version and the host platform', () => {
    const cpu = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(archive.split('/').at(-1)).toBe(`pulumi-resource-gatehouse-v${VERSION}-${process.platform}-${cpu}.tar.gz`);
  });

  it('holds the executable at its root, mode 0755 and owned by root, beside a README and the embedded Node.js license', () => {
    const list = spawnSync('tar', ['--numeric-owner', '-tvzf', archive], { encoding: 'utf8', timeout: T });
    expect(list.status, list.stderr).toBe(0);
    const members = list.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [mode, owner, , , , ...name] = line.split(/\s+/);
        return { mode, owner, name: name.join(' ') };
      });
    expect(members.map((m) => m.name)).toEqual([NODE_LICENSE, 'README.md', EXECUTABLE]);
    expect(members.find((m) => m.name === EXECUTABLE)).toEqual({ mode: '-rwxr-xr-x', owner: '0/0', name: EXECUTABLE });
    expect(members.every((m) => m.owner === '0/0' && !m.name.includes('/'))).toBe(true);
    expect(readdirSync(extracted).sort()).toEqual([NODE_LICENSE, 'README.md', EXECUTABLE]);
    expect(readFileSync(join(extracted, NODE_LICENSE), 'utf8')).toMatch(/^Node\.js is licensed for use as follows:/);
    expect(statSync(join(extracted, EXECUTABLE)).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(extracted, 'README.md'), 'utf8')).toContain(`pulumi plugin install resource gatehouse ${VERSION} -f ${archive.split('/').at(-1)}`);
  });
});

describe('the extracted executable, with no node on PATH', () => {
  let server: GatehouseServe;
  let sea: PluginHost;
  let checkout: PluginHost;
  let config: PropertyMap;

  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
    config = { endpoint: server.url, token: new Secret(server.token) };
    sea = await startExtracted(extracted);
    checkout = await PluginHost.start({ pluginPath: PLUGIN, engineAddress: ENGINE, env: cleanEnv() });
  }, T);

  afterAll(async () => {
    await Promise.all([sea?.close(), checkout?.close()]);
    await server?.close();
  }, T);

  it('handshakes and reports the package version', () => {
    expect(sea.handshakeImplemented).toBe(true);
    expect(sea.caps).toEqual(checkout.caps);
    expect(sea.version).toBe(VERSION);
  });

  it('GetSchema returns the packed schema', async () => {
    const text = await schemaOf(sea);
    expect((JSON.parse(text) as { name: string }).name).toBe('gatehouse');
    expect(text).toBe(renderPulumiSchema({ version: VERSION, pluginDownloadURL: null }));
  }, T);

  it('CheckConfig, Configure and Check answer as the checkout plugin does', async () => {
    const [seaConfig, checkoutConfig] = await Promise.all([sea, checkout].map((h) => h.checkConfig(PROVIDER, {}, config)));
    expect(seaConfig).toEqual(checkoutConfig);
    expect(seaConfig!.failures).toEqual([]);
    const [seaCaps, checkoutCaps] = await Promise.all([sea, checkout].map((h) => h.configure({ packageName: 'gatehouse', inputs: config, ...PROVIDER })));
    expect(seaCaps).toEqual(checkoutCaps);
    const seed = new Uint8Array(32);
    const cases: PropertyMap[] = [
      { name: 'web', address: '127.0.0.1' },
      { name: 'web', tags: { team: 'edge' } },
      { name: '', address: 'not an address' },
      { name: 'web', edition: 'Premium', colour: 'blue' },
    ];
    for (const news of cases) {
      const [fromSea, fromCheckout] = await Promise.all([sea.check(LB('web'), {}, news, seed), checkout.check(LB('web'), {}, news, seed)]);
      expect(fromSea, JSON.stringify(news)).toEqual(fromCheckout);
    }
    // The cases reach both outcomes: accepted inputs and failures.
    expect((await sea.check(LB('web'), {}, cases[0]!, seed)).failures).toEqual([]);
    expect((await sea.check(LB('web'), {}, cases[2]!, seed)).failures.length).toBeGreaterThan(0);
  }, T);

  it('creates a load balancer on a real gatehouse serve, and deletes it', async () => {
    const checked = await sea.check(LB('archive'), {}, { name: 'from the archive', address: '127.0.0.1' });
    expect(checked.failures).toEqual([]);
    const created = await sea.create(LB('archive'), checked.inputs, false);
    expect(created.id).not.toBe('');
    const live = await server.api('GET', `/v1/load-balancers/${created.id}`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ id: created.id, name: 'from the archive' });
    await sea.delete(LB('archive'), created.id, created.properties, checked.inputs);
    expect((await server.api('GET', `/v1/load-balancers/${created.id}`)).status).toBe(404);
  }, T);
});

describe('an archive packed with another version and download URL', () => {
  const version = '9.8.7-archive.1';
  const url = 'https://downloads.example.invalid/gatehouse/v${VERSION}';
  let host: PluginHost;

  beforeAll(async () => {
    // The build folder packedArtifacts compiled into (its artifacts sit in <run>/out).
    const buildDir = join(dirname(dirname(archive)), 'build');
    expect(existsSync(join(buildDir, 'provider', 'main.js')), buildDir).toBe(true);
    const outDir = tempDir('gatehouse-plugin-out-');
    const workDir = join(outDir, 'work');
    mkdirSync(workDir);
    const artifact = await buildPluginArchive({
      root: ROOT,
      buildDir,
      outDir,
      workDir,
      version,
      pulumiSchemaText: renderPulumiSchema({ version, pluginDownloadURL: url }),
      pluginDownloadUrl: url,
    });
    expect(artifact.file).toMatch(new RegExp(`pulumi-resource-gatehouse-v${version.replaceAll('.', '\\.')}-[a-z]+-[a-z0-9]+\\.tar\\.gz$`));
    host = await startExtracted(extract(artifact.file));
  }, PACK_TIMEOUT_MS);

  afterAll(async () => {
    await host?.close();
  }, T);

  it('reports that version and serves that schema', async () => {
    expect(host.version).toBe(version);
    const text = await schemaOf(host);
    expect(text).toBe(renderPulumiSchema({ version, pluginDownloadURL: url }));
    expect((JSON.parse(text) as { pluginDownloadURL?: string }).pluginDownloadURL).toBe(url);
  }, T);
});
