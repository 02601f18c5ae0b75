/**
 * End to end: refresh (drift and out-of-band deletion), Check failures, a failed program
 * (nothing deleted, completed work kept) and protected resources.
 */
import { describe, expect, it } from 'vitest';
import { readState } from '../harness/index.ts';
import { opsOf, stackPerTest, thingUrn, type Spec } from './fake-stack.ts';

const T = 120_000;

const twoThings: Spec = {
  things: [
    { name: 'a', props: { size: 1 } },
    { name: 'b', props: { size: 2 } },
  ],
};

describe('harness refresh and failure handling', () => {
  const newStack = stackPerTest();

  it('refresh reads every resource with id, old outputs and old inputs, adopts drift, and drops what was deleted out of band', async () => {
    const stack = newStack();
    const up = await stack.run('up', twoThings);
    const ids = up.outputs['ids'] as Record<string, string>;
    stack.changeOutOfBand(ids['a'] ?? '', { size: 42 });

    const drift = await stack.run('refresh', twoThings);
    expect(drift.error).toBeUndefined();
    const reads = stack.calls().filter((c) => c.method === 'Read');
    expect(reads).toHaveLength(2);
    const readA = reads.find((c) => c.urn === thingUrn('a'));
    expect(readA).toMatchObject({ id: ids['a'], properties: { size: 1, thingId: ids['a'] }, inputs: { size: 1, color: 'blue' } });
    expect(stack.methods()).not.toContain('Check');
    const stepA = drift.steps.find((s) => s.urn === thingUrn('a'));
    expect(stepA).toMatchObject({ op: 'read', diffs: ['size'], detailedDiff: { size: { kind: 'update', inputDiff: false } } });
    expect(drift.steps.find((s) => s.urn === thingUrn('b'))).toMatchObject({ op: 'read', diffs: [] });
    const afterDrift = await readState(stack.statePath);
    expect(afterDrift.find((r) => r.urn === thingUrn('a'))?.outputs['size']).toBe(42);

    stack.deleteOutOfBand(ids['b'] ?? '');
    const gone = await stack.run('refresh', twoThings);
    expect(gone.error).toBeUndefined();
    expect(opsOf(gone)).toEqual({ a: 'read', b: 'delete' });
    expect(stack.methods()).not.toContain('Delete');
    const afterGone = await readState(stack.statePath);
    expect(afterGone.map((r) => r.urn)).not.toContain(thingUrn('b'));
    expect(afterGone.map((r) => r.urn)).toContain(thingUrn('a'));
  }, T);

  it('a Check failure fails the run with the property path and creates nothing', async () => {
    const stack = newStack();
    const r = await stack.run('up', { things: [{ name: 'bad', props: { size: -1 } }] });
    expect(r.ok).toBe(false);
    expect(r.checkFailures).toEqual([{ urn: thingUrn('bad'), property: 'size', reason: 'size must be at least 0' }]);
    expect(r.error).toContain('size');
    expect(r.diagnostics.some((d) => d.severity === 'error' && d.message.includes("property size has a problem"))).toBe(true);
    expect(stack.methods()).not.toContain('Create');
    expect(stack.things()).toEqual([]);
  }, T);

  it('when the program fails, completed operations stay in the state and nothing is deleted', async () => {
    const stack = newStack();
    const up = await stack.run('up', twoThings);
    const ids = up.outputs['ids'] as Record<string, string>;
    const r = await stack.run('up', { things: [{ name: 'a', props: { size: 3 } }, { name: 'c', props: { size: 1, failCreate: true } }] });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('failCreate was set');
    expect(stack.methods()).not.toContain('Delete');
    const state = await readState(stack.statePath);
    expect(state.find((x) => x.urn === thingUrn('a'))?.outputs['size']).toBe(3);
    expect(state.find((x) => x.urn === thingUrn('b'))?.id).toBe(ids['b']);
    expect(state.map((x) => x.urn)).not.toContain(thingUrn('c'));
    expect(stack.things()).toHaveLength(2);
  }, T);

  it('a protected resource is not deleted by destroy, and the failure is reported', async () => {
    const stack = newStack();
    const spec: Spec = { things: [{ name: 'keep', props: { size: 1 }, options: { protect: true } }] };
    await stack.run('up', spec);
    const r = await stack.run('destroy', spec);
    expect(r.ok).toBe(false);
    expect(r.error).toContain('protected');
    expect(stack.methods()).not.toContain('Delete');
    expect((await readState(stack.statePath)).map((x) => x.urn)).toContain(thingUrn('keep'));
    expect(stack.things()).toHaveLength(1);
  }, T);
});
