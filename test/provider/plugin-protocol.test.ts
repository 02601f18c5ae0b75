/**
 * The plugin as the engine launches and configures it (SPEC §5): the executable prints its
 * port first and nothing before it, also when `node` on PATH is the machine's Node 20 and when
 * it is reached through a symlink; Handshake / GetPluginInfo / GetSchema / CheckConfig answers;
 * Configure takes `gatehouse:endpoint` / `gatehouse:token` from the arguments, then the
 * variables, then PULUMI_CONFIG, then GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN; the token is
 * secret in state and never logged.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { isSecret, PLUGIN, PluginError, PluginProcess, protoModules, secret } from './support/plugin.ts';

const LB = 'gatehouse:index:LoadBalancer';

/** firstLine spawns the plugin with an environment and returns its first stdout line. */
async function firstLine(command: string, env: NodeJS.ProcessEnv): Promise<{ line: string; stderr: string }> {
  const child = spawn(command, ['127.0.0.1:1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output in 20 s: ${stderr}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve({ line: out.slice(0, nl), stderr });
        }
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code} without a line; stderr: ${stderr}`));
      });
    });
  } finally {
    child.kill('SIGKILL');
  }
}

describe('pulumi-resource-gatehouse executable', () => {
  it('prints only its port on the first stdout line, on Node 24 even when PATH has Node 20 first', async () => {
    const { line } = await firstLine(PLUGIN, { PATH: '/usr/bin:/bin', HOME: process.env.HOME });
    expect(line).toMatch(/^\d+$/);
    expect(Number(line)).toBeGreaterThan(0);
  });

  it('finds the package root through a symlink (npm links bins into node_modules/.bin)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bin-'));
    try {
      const link = join(dir, 'pulumi-resource-gatehouse');
      await symlink(PLUGIN, link);
      const { line } = await firstLine('pulumi-resource-gatehouse', { PATH: `${dir}:/usr/bin:/bin`, HOME: process.env.HOME });
      expect(line).toMatch(/^\d+$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('handshake, plugin info, schema, check config', () => {
  let plugin: PluginProcess;
  beforeAll(async () => {
    plugin = await PluginProcess.start();
  });
  afterAll(async () => {
    await plugin?.close();
  });

  it('handshake accepts secrets and resources, not output values; nothing precedes the port', async () => {
    expect(plugin.beforePort).toBe('');
    expect(await plugin.handshake()).toEqual({ acceptSecrets: true, acceptResources: true, acceptOutputs: false });
  });

  it('GetPluginInfo reports the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await plugin.getPluginInfo()).toBe(pkg.version);
  });

  it('GetSchema returns the generated package schema with the six resources and secret config', async () => {
    const schema = JSON.parse(await plugin.getSchema()) as { name: string; resources: Record<string, unknown>; config: { variables: Record<string, { secret?: boolean }> } };
    expect(schema.name).toBe('gatehouse');
    expect(Object.keys(schema.resources).sort()).toEqual(
      ['Certificate', 'Listener', 'LoadBalancer', 'QuicListener', 'ServerGroup', 'TlsSecurityPolicy'].map((n) => `gatehouse:index:${n}`),
    );
    expect(schema.config.variables.token?.secret).toBe(true);
  });

  it('CheckConfig returns the token as a secret and refuses a malformed endpoint', async () => {
    const ok = await plugin.checkConfig({ endpoint: 'http://127.0.0.1:9080', token: 'plain-token', version: '0.1.0' });
    expect(ok.failures).toEqual([]);
    expect(isSecret(ok.inputs.token)).toBe(true);
    expect((ok.inputs.token as { value: unknown }).value).toBe('plain-token');
    const bad = await plugin.checkConfig({ endpoint: 'not a url', token: '' });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(['endpoint', 'token']);
  });

  it('DiffConfig: a new endpoint or token updates the provider in place and never replaces its resources', async () => {
    const olds = { endpoint: 'http://127.0.0.1:9080', token: secret('a') };
    expect((await plugin.diffConfig(olds, olds)).changes).toBe('DIFF_NONE');
    const d = await plugin.diffConfig(olds, { endpoint: 'http://127.0.0.1:9081', token: secret('b') });
    expect(d.changes).toBe('DIFF_SOME');
    expect(d.replaces).toEqual([]);
    expect(d.detailedDiff).toEqual({ endpoint: { kind: 'UPDATE', inputDiff: true }, token: { kind: 'UPDATE', inputDiff: true } });
  });

  it('Configure advertises preview support and secrets', async () => {
    expect(await plugin.configure({})).toEqual({ supportsPreview: true, acceptSecrets: true });
  });

  it('methods the provider does not offer answer UNIMPLEMENTED', async () => {
    const { providerPb } = protoModules;
    await expect(plugin.rawCall('invoke', new providerPb.InvokeRequest())).rejects.toMatchObject({ code: 12 });
  });
});

describe('Configure precedence: arguments, variables, PULUMI_CONFIG, environment', () => {
  let server: GatehouseServe;
  const DEAD = 'http://127.0.0.1:9';
  beforeAll(async () => {
    server = await GatehouseServe.startFresh();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function createLb(env: NodeJS.ProcessEnv, args: Record<string, unknown>, variables: Record<string, string> = {}): Promise<{ plugin: PluginProcess; result: Promise<{ id: string }> }> {
    const plugin = await PluginProcess.start(env);
    await plugin.handshake();
    await plugin.configure(args, variables);
    return { plugin, result: plugin.create(LB, 'lb', { name: 'precedence', edition: 'Standard', address: '127.0.0.1', deletionProtection: false, tags: {} }) };
  }

  const cases: { name: string; env: () => NodeJS.ProcessEnv; args: () => Record<string, unknown>; variables?: () => Record<string, string> }[] = [
    {
      name: 'arguments win over PULUMI_CONFIG and the environment',
      env: () => ({ GATEHOUSE_ENDPOINT: DEAD, GATEHOUSE_TOKEN: 'wrong', PULUMI_CONFIG: JSON.stringify({ 'gatehouse:endpoint': DEAD, 'gatehouse:token': 'wrong' }) }),
      args: () => ({ endpoint: server.url, token: secret(server.token) }),
    },
    {
      name: 'variables (old engines, gatehouse:config:key) win over PULUMI_CONFIG',
      env: () => ({ GATEHOUSE_ENDPOINT: DEAD, PULUMI_CONFIG: JSON.stringify({ 'gatehouse:endpoint': DEAD }) }),
      args: () => ({}),
      variables: () => ({ 'gatehouse:config:endpoint': server.url, 'gatehouse:config:token': server.token }),
    },
    {
      name: 'PULUMI_CONFIG wins over the environment',
      env: () => ({ GATEHOUSE_ENDPOINT: DEAD, GATEHOUSE_TOKEN: 'wrong', PULUMI_CONFIG: JSON.stringify({ 'gatehouse:endpoint': server.url, 'gatehouse:token': server.token }) }),
      args: () => ({}),
    },
    {
      name: 'GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN are the fallback',
      env: () => ({ GATEHOUSE_ENDPOINT: server.url, GATEHOUSE_TOKEN: server.token }),
      args: () => ({}),
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { plugin, result } = await createLb(c.env(), c.args(), c.variables?.() ?? {});
      try {
        const { id } = await result;
        expect(id).toMatch(/^alb-[a-z2-7]{20}$/);
        expect((await server.api('GET', `/v1/load-balancers/${id}`)).status).toBe(200);
      } finally {
        await plugin.close();
      }
    });
  }

  it('a refused token fails naming the resource and the fix, and the token appears in no output', async () => {
    const { plugin, result } = await createLb({ GATEHOUSE_TOKEN: server.token }, { endpoint: server.url, token: secret('a-wrong-token-value') });
    try {
      const err = (await result.then(
        () => undefined,
        (e: unknown) => e,
      )) as PluginError;
      expect(err).toBeInstanceOf(PluginError);
      expect(err.message).toContain('LoadBalancer "lb"');
      expect(err.message).toContain('UNAUTHENTICATED');
      expect(err.message).toContain('gatehouse:token');
      expect(err.message).not.toContain('a-wrong-token-value');
      expect(plugin.output).not.toContain('a-wrong-token-value');
      expect(plugin.output).not.toContain(server.token);
      expect(JSON.stringify(plugin.logs)).not.toContain('a-wrong-token-value');
    } finally {
      await plugin.close();
    }
  });
});
