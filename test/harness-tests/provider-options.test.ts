/**
 * End to end: what the engine does depending on the provider's answers (supportsPreview,
 * no Handshake, DIFF_UNKNOWN), explicit provider resources, and the ignoreChanges and import
 * resource options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNKNOWN_SENTINEL, readState } from '../harness/index.ts';
import { opsOf, stackPerTest, thingUrn, type Spec } from './fake-stack.ts';

const T = 120_000;

describe('harness provider negotiation and resource options', () => {
  const newStack = stackPerTest();

  it('preview calls Create with preview=true only when Configure answered supportsPreview', async () => {
    const stack = newStack();
    const spec: Spec = { things: [{ name: 'a', props: { size: 1 } }] };
    const r = await stack.run('preview', spec, { FAKE_SUPPORTS_PREVIEW: '1' });
    expect(r.error).toBeUndefined();
    const creates = stack.calls().filter((c) => c.method === 'Create');
    expect(creates.map((c) => c.preview)).toEqual([true]);
    expect(r.outputs['endpoints']).toEqual({ a: 'http://default.invalid' });
    expect(r.outputs['fingerprints']).toEqual({ a: UNKNOWN_SENTINEL });
    expect(stack.things()).toEqual([]);
    expect(stack.stateText()).toBe('');
  }, T);

  it('an explicit provider resource is checked, configured with its own inputs and referenced as urn::id; Configure stands in for a missing Handshake', async () => {
    const stack = newStack();
    const spec: Spec = {
      explicitProvider: { endpoint: 'http://explicit.invalid' },
      things: [{ name: 'a', props: { size: 1 }, explicitProvider: true }],
    };
    const r = await stack.run('up', spec, { FAKE_NO_HANDSHAKE: '1' });
    expect(r.error).toBeUndefined();
    expect(stack.methods()).not.toContain('Handshake');
    expect(r.outputs['endpoints']).toEqual({ a: 'http://explicit.invalid' });
    const providerUrn = 'urn:pulumi:test::fakeproj::pulumi:providers:fake::explicit';
    expect(stack.calls().find((c) => c.method === 'CheckConfig')).toMatchObject({ urn: providerUrn, news: { endpoint: 'http://explicit.invalid' } });
    const state = await readState(stack.statePath);
    const provider = state.find((x) => x.urn === providerUrn);
    expect(provider?.outputs).toEqual({ endpoint: 'http://explicit.invalid' });
    expect(state.find((x) => x.urn === thingUrn('a'))?.provider).toBe(`${providerUrn}::${provider?.id}`);
    expect(r.steps.some((s) => s.urn.endsWith('pulumi:providers:fake::default'))).toBe(false);
  }, T);

  it('DIFF_UNKNOWN makes the engine compare old and new inputs itself', async () => {
    const stack = newStack();
    const env = { FAKE_DIFF_UNKNOWN: '1' };
    await stack.run('up', { things: [{ name: 'a', props: { size: 1 } }] }, env);
    const same = await stack.run('up', { things: [{ name: 'a', props: { size: 1 } }] }, env);
    expect(opsOf(same)).toEqual({ a: 'same' });
    const changed = await stack.run('up', { things: [{ name: 'a', props: { size: 2 } }] }, env);
    expect(changed.error).toBeUndefined();
    expect(changed.steps.find((s) => s.urn === thingUrn('a'))).toMatchObject({ op: 'update', diffs: ['size'], detailedDiff: { size: { kind: 'update' } } });
    expect(stack.methods()).toContain('Update');
  }, T);

  it('ignoreChanges keeps the old value before Check, so the change is not applied', async () => {
    const stack = newStack();
    await stack.run('up', { things: [{ name: 'a', props: { size: 1 } }] });
    const r = await stack.run('up', { things: [{ name: 'a', props: { size: 7 }, options: { ignoreChanges: ['size'] } }] });
    expect(r.error).toBeUndefined();
    expect(opsOf(r)).toEqual({ a: 'same' });
    expect(stack.calls().find((c) => c.method === 'Check')?.['news']).toMatchObject({ size: 1 });
    expect(r.outputs['sizes']).toEqual({ a: 1 });
  }, T);

  it('the import option reads the existing resource, checks the program matches it, and adopts it without Create', async () => {
    const stack = newStack();
    mkdirSync(join(stack.store, 'things'), { recursive: true });
    const inputs = { size: 4, color: 'blue' };
    writeFileSync(join(stack.store, 'things', 'thing-existing.json'), JSON.stringify({
      id: 'thing-existing', inputs, outputs: { ...inputs, thingId: 'thing-existing', fingerprint: 'f', endpoint: '' },
    }));
    const r = await stack.run('up', { things: [{ name: 'a', props: { size: 4 }, options: { import: 'thing-existing' } }] });
    expect(r.error).toBeUndefined();
    expect(opsOf(r)).toEqual({ a: 'import' });
    expect(stack.calls().find((c) => c.method === 'Read')).toMatchObject({ id: 'thing-existing', properties: {} });
    expect(stack.methods()).not.toContain('Create');
    const a = (await readState(stack.statePath)).find((x) => x.urn === thingUrn('a'));
    expect(a).toMatchObject({ id: 'thing-existing', importID: 'thing-existing', inputs });
  }, T);
});
