/**
 * End to end: the harness runs the fixture program through @pulumi/pulumi's runner and drives
 * the fake provider plugin for preview, up (create / same / update / replace / delete) and
 * destroy, keeping a `pulumi stack export`-shaped state file.
 */
import { describe, expect, it } from 'vitest';
import { UNKNOWN_SENTINEL, Secret, readState } from '../harness/index.ts';
import { opsOf, stackPerTest, thingUrn, type Spec } from './fake-stack.ts';

const T = 120_000;
const RESOURCE_CALLS = ['Create', 'Update', 'Delete', 'Read'];

const twoThings: Spec = {
  things: [
    { name: 'a', props: { size: 1, zone: 'z1', kind: 'k1' }, secretProps: { password: 'hunter2-secret' } },
    { name: 'b', props: { size: 2 }, dependsOn: ['a'] },
  ],
};

function withSize(spec: Spec, name: string, props: Record<string, unknown>): Spec {
  return { ...spec, things: spec.things.map((t) => (t.name === name ? { ...t, props: { ...t.props, ...props } } : t)) };
}

describe('harness lifecycle against the fake provider', () => {
  const newStack = stackPerTest();

  it('preview of a new stack calls Check only, returns unknown ids and writes nothing', async () => {
    const stack = newStack();
    const r = await stack.run('preview', twoThings);
    expect(r.error).toBeUndefined();
    expect(opsOf(r)).toEqual({ a: 'create', b: 'create' });
    const methods = stack.methods();
    expect(methods.filter((m) => m === 'Check')).toHaveLength(2);
    expect(methods.some((m) => RESOURCE_CALLS.includes(m))).toBe(false);
    expect(r.outputs['ids']).toEqual({ a: UNKNOWN_SENTINEL, b: UNKNOWN_SENTINEL });
    expect(r.outputs['fingerprints']).toEqual({ a: UNKNOWN_SENTINEL, b: UNKNOWN_SENTINEL });
    expect(r.outputs['sizes']).toEqual({ a: 1, b: 2 });
    expect(stack.stateText()).toBe('');
    expect(stack.things()).toEqual([]);
  }, T);

  it('up creates through the default provider, seals secrets, and a second up is all same (Check + Diff only)', async () => {
    const stack = newStack();
    const first = await stack.run('up', twoThings);
    expect(first.error).toBeUndefined();
    expect(opsOf(first)).toEqual({ a: 'create', b: 'create' });
    expect(stack.methods()).toEqual(expect.arrayContaining(['Handshake', 'GetPluginInfo', 'CheckConfig', 'Configure', 'Check', 'Create']));
    const start = stack.calls().find((c) => c.method === 'Start');
    expect(start?.['args']).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    const configure = stack.calls().find((c) => c.method === 'Configure');
    expect(configure?.['variables']).toEqual({ 'fake:config:endpoint': 'http://default.invalid' });
    expect(first.outputs['endpoints']).toEqual({ a: 'http://default.invalid', b: 'http://default.invalid' });
    expect(stack.things()).toHaveLength(2);

    const text = stack.stateText();
    const doc = JSON.parse(text) as { version: number; deployment: { resources: { urn: string; provider?: string; dependencies?: string[] }[] } };
    expect(doc.version).toBe(3);
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('stack-secret-value');
    expect(text).toContain('"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"');
    const b = doc.deployment.resources.find((x) => x.urn === thingUrn('b'));
    expect(b?.dependencies).toEqual([thingUrn('a')]);
    expect(b?.provider).toMatch(/^urn:pulumi:test::fakeproj::pulumi:providers:fake::default::[0-9a-f-]{36}$/);
    const state = await readState(stack.statePath);
    const a = state.find((x) => x.urn === thingUrn('a'));
    expect(a?.inputs['password']).toBeInstanceOf(Secret);
    expect(a?.outputs['password']).toEqual(new Secret('hunter2-secret'));
    expect(first.secretOutputs).toEqual(['secretEcho']);

    const second = await stack.run('up', twoThings);
    expect(second.error).toBeUndefined();
    expect(opsOf(second)).toEqual({ a: 'same', b: 'same' });
    expect(stack.methods().filter((m) => m === 'Check' || m === 'Diff' || RESOURCE_CALLS.includes(m))).toEqual(['Check', 'Diff', 'Check', 'Diff']);
    expect(second.outputs['ids']).toEqual(first.outputs['ids']);
  }, T);

  it('a changed property updates in place with the detailed diff and keeps the id', async () => {
    const stack = newStack();
    const first = await stack.run('up', twoThings);
    const r = await stack.run('up', withSize(twoThings, 'a', { size: 5 }));
    expect(r.error).toBeUndefined();
    expect(opsOf(r)).toEqual({ a: 'update', b: 'same' });
    const step = r.steps.find((s) => s.urn === thingUrn('a'));
    expect(step?.diffs).toEqual(['size']);
    expect(step?.detailedDiff).toEqual({ size: { kind: 'update', inputDiff: true } });
    const update = stack.calls().find((c) => c.method === 'Update');
    expect(update?.['news']).toMatchObject({ size: 5 });
    expect(update?.['oldInputs']).toMatchObject({ size: 1 });
    expect((r.outputs['ids'] as Record<string, string>)['a']).toBe((first.outputs['ids'] as Record<string, string>)['a']);
    expect(r.outputs['sizes']).toEqual({ a: 5, b: 2 });
  }, T);

  it('a delete-before-replace replacement deletes the old resource before creating the new one', async () => {
    const stack = newStack();
    const first = await stack.run('up', twoThings);
    const oldId = (first.outputs['ids'] as Record<string, string>)['a'];
    const r = await stack.run('up', withSize(twoThings, 'a', { zone: 'z2' }));
    expect(r.error).toBeUndefined();
    const step = r.steps.find((s) => s.urn === thingUrn('a'));
    expect(step).toMatchObject({ op: 'replace', deleteBeforeReplace: true, replaces: ['zone'] });
    const ops = stack.calls().filter((c) => c.urn === thingUrn('a') && (c.method === 'Create' || c.method === 'Delete'));
    expect(ops.map((c) => [c.method, c.method === 'Delete' ? c.id : 'new'])).toEqual([['Delete', oldId], ['Create', 'new']]);
    const newId = (r.outputs['ids'] as Record<string, string>)['a'];
    expect(newId).not.toBe(oldId);
    expect(stack.things().map((t) => t.id).sort()).toEqual([newId, (first.outputs['ids'] as Record<string, string>)['b']].sort());
    const state = await readState(stack.statePath);
    expect(state.filter((x) => x.urn === thingUrn('a')).map((x) => x.id)).toEqual([newId]);
  }, T);

  it('a create-before-delete replacement creates first and deletes the old resource after the program', async () => {
    const stack = newStack();
    const first = await stack.run('up', twoThings);
    const oldId = (first.outputs['ids'] as Record<string, string>)['a'];
    const r = await stack.run('up', withSize(twoThings, 'a', { kind: 'k2' }));
    expect(r.error).toBeUndefined();
    expect(r.steps.filter((s) => s.urn === thingUrn('a')).map((s) => [s.op, s.deleteBeforeReplace])).toEqual([['replace', false]]);
    const ops = stack.calls().filter((c) => c.urn === thingUrn('a') && (c.method === 'Create' || c.method === 'Delete'));
    expect(ops.map((c) => c.method)).toEqual(['Create', 'Delete']);
    expect(ops[1]?.id).toBe(oldId);
    const state = await readState(stack.statePath);
    expect(state.filter((x) => x.urn === thingUrn('a'))).toHaveLength(1);
    expect(state.some((x) => x.delete)).toBe(false);
  }, T);

  it('preview of a change on an existing stack calls Check and Diff only and leaves state and provider untouched', async () => {
    const stack = newStack();
    await stack.run('up', twoThings);
    const before = stack.stateText();
    const thingsBefore = stack.things();
    const spec: Spec = { things: [{ ...twoThings.things[0]!, props: { size: 9, zone: 'z9', kind: 'k1' } }] };
    const r = await stack.run('preview', spec);
    expect(r.error).toBeUndefined();
    expect(opsOf(r)).toEqual({ a: 'replace', b: 'delete' });
    expect(stack.methods().filter((m) => ['Check', 'Diff', ...RESOURCE_CALLS].includes(m))).toEqual(['Check', 'Diff']);
    expect(stack.stateText()).toBe(before);
    expect(stack.things()).toEqual(thingsBefore);
  }, T);

  it('a resource the program no longer declares is deleted after the program finishes', async () => {
    const stack = newStack();
    const first = await stack.run('up', twoThings);
    const r = await stack.run('up', { things: [twoThings.things[0]!] });
    expect(r.error).toBeUndefined();
    expect(opsOf(r)).toEqual({ a: 'same', b: 'delete' });
    const del = stack.calls().find((c) => c.method === 'Delete');
    expect(del?.id).toBe((first.outputs['ids'] as Record<string, string>)['b']);
    expect((await readState(stack.statePath)).map((x) => x.urn)).not.toContain(thingUrn('b'));
    expect(stack.things()).toHaveLength(1);
  }, T);

  it('destroy deletes dependents before their dependencies and empties the state', async () => {
    const stack = newStack();
    await stack.run('up', twoThings);
    const r = await stack.run('destroy', twoThings);
    expect(r.error).toBeUndefined();
    const deletes = stack.calls().filter((c) => c.method === 'Delete').map((c) => c.urn);
    expect(deletes).toEqual([thingUrn('b'), thingUrn('a')]);
    expect(r.steps.map((s) => s.op).every((op) => op === 'delete')).toBe(true);
    expect(r.steps.map((s) => s.type)).toEqual(expect.arrayContaining(['pulumi:pulumi:Stack', 'pulumi:providers:fake']));
    expect(await readState(stack.statePath)).toEqual([]);
    expect(stack.things()).toEqual([]);
  }, T);
});
