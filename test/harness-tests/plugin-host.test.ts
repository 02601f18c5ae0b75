/**
 * PluginHost against the fake plugin: launch like the engine, Handshake or its fallback,
 * typed resource calls, timing, and the process stopped on close.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginHost, Secret } from '../harness/index.ts';
import { nodeBinary } from '../harness/program-process.ts';
import { processAlive } from '../helpers/process-alive.ts';
import { FAKE_PLUGIN } from './fake-stack.ts';

const T = 60_000;
const call = { urn: 'urn:pulumi:dev::p::fake:index:Thing::a', name: 'a', type: 'fake:index:Thing' };

function pathWithNode(): string {
  return `${join(nodeBinary(), '..')}:${process.env['PATH'] ?? ''}`;
}

describe('PluginHost', () => {
  let dir = '';
  let host: PluginHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  function start(env: Record<string, string> = {}): Promise<PluginHost> {
    dir = mkdtempSync(join(tmpdir(), 'harness-plugin-'));
    return PluginHost.start({
      pluginPath: FAKE_PLUGIN,
      engineAddress: '127.0.0.1:9',
      env: { ...process.env, PATH: pathWithNode(), FAKE_STORE: dir, ...env },
    });
  }

  function logged(): { method: string; pid: number; args?: string[] }[] {
    return readFileSync(join(dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { method: string; pid: number });
  }

  it('passes the engine address as the argument, reads the port, handshakes and configures', async () => {
    host = await start();
    expect(host.port).toBeGreaterThan(0);
    expect(host.handshakeImplemented).toBe(true);
    expect(host.version).toBe('1.0.0');
    const caps = await host.configure({ packageName: 'fake', inputs: { endpoint: 'http://e.invalid', token: new Secret('t') } });
    expect(caps).toMatchObject({ acceptSecrets: true, acceptResources: true, supportsPreview: false });
    const log = logged();
    expect(log[0]).toMatchObject({ method: 'Start', args: ['127.0.0.1:9'] });
    expect(log.map((l) => l.method)).toEqual(['Start', 'Handshake', 'GetPluginInfo', 'Configure']);
    expect(log[3]).toMatchObject({
      variables: { 'fake:config:endpoint': 'http://e.invalid', 'fake:config:token': 't' },
      args: { endpoint: 'http://e.invalid', token: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: 't' } },
    });
  }, T);

  it('falls back to Configure when Handshake is UNIMPLEMENTED', async () => {
    host = await start({ FAKE_NO_HANDSHAKE: '1' });
    expect(host.handshakeImplemented).toBe(false);
    expect(host.caps.acceptSecrets).toBe(false);
    await host.configure({ packageName: 'fake', inputs: {} });
    expect(host.caps.acceptSecrets).toBe(true);
  }, T);

  it('wraps Check, Diff, Create, Read, Update and Delete, and times every call', async () => {
    host = await start();
    await host.configure({ packageName: 'fake', inputs: {} });
    const bad = await host.check(call, {}, { size: -1 });
    expect(bad.failures).toEqual([{ property: 'size', reason: 'size must be at least 0' }]);
    const checked = await host.check(call, {}, { size: 1 });
    expect(checked).toEqual({ inputs: { size: 1, color: 'blue' }, failures: [] });
    const made = await host.create(call, checked.inputs, false);
    expect(made.id).toMatch(/^thing-/);
    const diff = await host.diff(call, made.id, made.properties, { size: 1, color: 'red', zone: 'z' }, checked.inputs);
    expect(diff).toMatchObject({ changes: 'some', replaces: ['zone'], deleteBeforeReplace: true, diffs: ['color', 'zone'] });
    expect(diff.detailedDiff).toEqual({ color: { kind: 'update', inputDiff: true }, zone: { kind: 'add-replace', inputDiff: true } });
    const updated = await host.update(call, made.id, made.properties, { size: 2, color: 'blue' }, checked.inputs, false);
    expect(updated.properties['size']).toBe(2);
    expect(await host.read(call, made.id, updated.properties, undefined)).toMatchObject({ id: made.id, inputs: { size: 2, color: 'blue' } });
    await host.delete(call, made.id, updated.properties, { size: 2 });
    expect((await host.read(call, made.id, {}, undefined)).id).toBe('');
    expect(host.calls.map((c) => c.method)).toEqual(['handshake', 'getPluginInfo', 'configure', 'check', 'check', 'create', 'diff', 'update', 'read', 'delete', 'read']);
    expect(host.providerMs).toBeGreaterThan(0);
    expect(host.calls.every((c) => c.ok && c.ms >= 0)).toBe(true);
  }, T);

  it('stops the plugin process on close (idempotently)', async () => {
    host = await start();
    const pid = logged()[0]?.pid ?? 0;
    expect(processAlive(pid)).toBe(true);
    await host.close();
    await host.close();
    expect(processAlive(pid)).toBe(false);
  }, T);

  it('fails clearly when the first stdout line is not a port, and leaves no process behind', async () => {
    await expect(PluginHost.start({ pluginPath: '/bin/echo', engineAddress: 'not-a-port', startTimeoutMs: 5_000 })).rejects.toThrow(/instead of a port/);
  }, T);
});
