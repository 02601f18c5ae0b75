/**
 * The plugin under a stand-in Pulumi engine (test/harness) running a real program with the SDK:
 * preview writes nothing, up creates and waits for Running, a config change is an in-place
 * update with a detailed diff, `gatehouse drift` reads the engine's own state file (exit 0,
 * then 2 after an out-of-band change), refresh adopts the change, destroy removes everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDrift } from '../../provider/drift/index.ts';
import { runProgram, secret, type RunMode, type RunResult } from '../harness/index.ts';
import { GatehouseServe } from '../helpers/gatehouse-serve.ts';
import { freePort } from './support/fixture.ts';
import { PLUGIN } from './support/plugin.ts';

const PROGRAM = fileURLToPath(new URL('./fixtures/web/index.ts', import.meta.url));
const T = 120_000;

let server: GatehouseServe;
let dir: string;
let port: number;

beforeAll(async () => {
  server = await GatehouseServe.startFresh();
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-'));
  port = await freePort();
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(mode: RunMode, config: Record<string, string> = {}): Promise<RunResult> {
  return runProgram({
    mode,
    programFile: PROGRAM,
    project: 'web',
    pluginPath: PLUGIN,
    statePath: join(dir, 'state.json'),
    config: { 'gatehouse:endpoint': server.url, 'gatehouse:token': secret(server.token), 'web:port': String(port), ...config },
    timeoutMs: 90_000,
  });
}

async function drift(): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await runDrift({ stackExportPath: join(dir, 'state.json'), endpoint: server.url, token: server.token, out: { write: (s: string) => (text += s) } });
  return { code, text };
}

const opOf = (r: RunResult, type: string) => r.steps.find((s) => s.type === `gatehouse:index:${type}`);

it('preview, up, update, drift, refresh and destroy through the engine', async () => {
  const preview = await run('preview');
  expect(preview.error).toBeUndefined();
  expect(opOf(preview, 'Listener')?.op).toBe('create');
  expect((await server.api('GET', '/v1/load-balancers')).body.items).toEqual([]);

  const up = await run('up');
  expect(up.error).toBeUndefined();
  expect(up.outputs.status).toBe('Running');
  const id = up.outputs.listenerId as string;
  expect((await server.api('GET', `/v1/listeners/${id}`)).body).toMatchObject({ port, status: 'Running' });
  expect(await drift()).toMatchObject({ code: 0 });

  const again = await run('up');
  expect(again.steps.filter((s) => s.type.startsWith('gatehouse:index:')).map((s) => s.op)).toEqual(['same', 'same', 'same']);

  const update = await run('up', { 'web:idleTimeout': '30' });
  expect(update.error).toBeUndefined();
  expect(opOf(update, 'Listener')).toMatchObject({ op: 'update', id });
  expect(opOf(update, 'Listener')?.detailedDiff).toEqual({ idleTimeout: { kind: 'update', inputDiff: true } });
  expect((await server.api('GET', `/v1/listeners/${id}`)).body.idleTimeout).toBe(30);

  const live = (await server.api('GET', `/v1/listeners/${id}`)).body;
  await server.api('PUT', `/v1/listeners/${id}`, { ...live, description: 'changed by hand' });
  const drifted = await drift();
  expect(drifted.code).toBe(2);
  expect(drifted.text).toContain(`Listener "http" (${id}): description set outside Pulumi`);

  const refresh = await run('refresh', { 'web:idleTimeout': '30' });
  expect(refresh.error).toBeUndefined();
  expect(opOf(refresh, 'Listener')?.diffs).toContain('description');
  expect(await drift()).toMatchObject({ code: 0 });

  const destroy = await run('destroy', { 'web:idleTimeout': '30' });
  expect(destroy.error).toBeUndefined();
  expect((await server.api('GET', '/v1/listeners')).body.items).toEqual([]);
  expect((await server.api('GET', '/v1/load-balancers')).body.items).toEqual([]);
}, T * 3);
