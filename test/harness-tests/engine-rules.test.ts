/**
 * The engine's pure rules: Diff answer → operation, ignoreChanges, timeouts, URNs and the
 * dependency order of deletions.
 */
import { describe, expect, it } from 'vitest';
import { deletionWaves } from '../harness/delete-order.ts';
import type { DiffResult } from '../harness/plugin-host.ts';
import { UNKNOWN } from '../harness/property-value.ts';
import type { StateResource } from '../harness/state-file.ts';
import { applyIgnoreChanges, decide, parseTimeout, topLevel } from '../harness/steps.ts';
import { makeUrn, parseProviderRef, parseUrn } from '../harness/urn.ts';

const none: DiffResult = { changes: 'none', replaces: [], stables: [], deleteBeforeReplace: false, diffs: [], detailedDiff: {}, hasDetailedDiff: false };
const opts = { replaceOnChanges: [] as string[], deleteBeforeReplace: false, deleteBeforeReplaceDefined: false };

describe('decide', () => {
  it.each([
    ['DIFF_NONE is same', none, {}, {}, opts, 'same', [], false],
    ['DIFF_SOME without replaces is update', { ...none, changes: 'some', diffs: ['a'] }, { a: 1 }, { a: 2 }, opts, 'update', [], false],
    ['DIFF_SOME with replaces is replace', { ...none, changes: 'some', diffs: ['a'], replaces: ['a'] }, { a: 1 }, { a: 2 }, opts, 'replace', ['a'], false],
    ['a *-replace kind in the detailed diff is replace', { ...none, changes: 'some', detailedDiff: { 'a.b': { kind: 'update-replace', inputDiff: true } } }, {}, {}, opts, 'replace', ['a'], false],
    ['the provider asks delete-before-replace', { ...none, changes: 'some', diffs: ['a'], replaces: ['a'], deleteBeforeReplace: true }, {}, {}, opts, 'replace', ['a'], true],
    ['an explicit deleteBeforeReplace: false overrides the provider', { ...none, changes: 'some', diffs: ['a'], replaces: ['a'], deleteBeforeReplace: true }, {}, {}, { ...opts, deleteBeforeReplaceDefined: true }, 'replace', ['a'], false],
    ['the option deleteBeforeReplace applies to any replacement', { ...none, changes: 'some', diffs: ['a'], replaces: ['a'] }, {}, {}, { ...opts, deleteBeforeReplace: true, deleteBeforeReplaceDefined: true }, 'replace', ['a'], true],
    ['replaceOnChanges turns an update into a replacement', { ...none, changes: 'some', diffs: ['a'] }, {}, {}, { ...opts, replaceOnChanges: ['a'] }, 'replace', ['a'], false],
    ['DIFF_UNKNOWN compares inputs: equal is same', { ...none, changes: 'unknown' }, { a: 1 }, { a: 1 }, opts, 'same', [], false],
    ['DIFF_UNKNOWN compares inputs: an unknown is a change', { ...none, changes: 'unknown' }, { a: 1 }, { a: UNKNOWN }, opts, 'update', [], false],
  ] as const)('%s', (_n, diff, olds, news, o, op, replaces, dbr) => {
    const d = decide(diff as DiffResult, olds, news, { ...o, replaceOnChanges: [...o.replaceOnChanges] });
    expect(d.op).toBe(op);
    expect(d.replaces).toEqual(replaces);
    expect(d.deleteBeforeReplace).toBe(dbr);
  });

  it('reports a computed detailed diff for DIFF_UNKNOWN', () => {
    const d = decide({ ...none, changes: 'unknown' }, { a: 1, gone: 1 }, { a: 2, fresh: 1 }, opts);
    expect(d.diffs).toEqual(['a', 'fresh', 'gone']);
    expect(d.detailedDiff).toEqual({ a: { kind: 'update', inputDiff: true }, fresh: { kind: 'add', inputDiff: true }, gone: { kind: 'delete', inputDiff: true } });
  });
});

describe('engine helpers', () => {
  it('applyIgnoreChanges keeps old values and old absences', () => {
    expect(applyIgnoreChanges({ a: 2, b: 2, c: 1 }, { a: 1, b: 1 }, ['a', 'c'])).toEqual({ a: 1, b: 2 });
  });

  it.each([['30s', 30], ['5m', 300], ['1h30m', 5400], ['', 0]])('parseTimeout(%j) = %i', (s, n) => {
    expect(parseTimeout(s)).toBe(n);
  });

  it.each([['a.b[0]', 'a'], ['["x.y"].z', 'x.y'], ['plain', 'plain']])('topLevel(%j) = %j', (p, k) => {
    expect(topLevel(p)).toBe(k);
  });

  it('makes URNs like the engine: the stack parent adds no prefix, a component parent does', () => {
    const stackUrn = makeUrn('dev', 'p', 'pulumi:pulumi:Stack', 'p-dev', '');
    expect(stackUrn).toBe('urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev');
    expect(makeUrn('dev', 'p', 'fake:index:Thing', 'a', stackUrn)).toBe('urn:pulumi:dev::p::fake:index:Thing::a');
    const comp = makeUrn('dev', 'p', 'my:index:Comp', 'c', stackUrn);
    const child = makeUrn('dev', 'p', 'fake:index:Thing', 'a', comp);
    expect(child).toBe('urn:pulumi:dev::p::my:index:Comp$fake:index:Thing::a');
    expect(parseUrn(child)).toMatchObject({ type: 'fake:index:Thing', name: 'a', stack: 'dev', project: 'p' });
    expect(parseProviderRef('urn:pulumi:dev::p::pulumi:providers:fake::default::abc')).toEqual({ urn: 'urn:pulumi:dev::p::pulumi:providers:fake::default', id: 'abc' });
  });

  it('deletes in waves: dependents (by dependency, parent or provider) before what they need', () => {
    const r = (urn: string, extra: Partial<StateResource> = {}): StateResource => ({ urn, custom: true, type: 't', inputs: {}, outputs: {}, ...extra });
    const stack = r('S', { custom: false });
    const prov = r('P', { parent: 'S' });
    const a = r('A', { parent: 'S', provider: 'P::1' });
    const b = r('B', { parent: 'S', provider: 'P::1', dependencies: ['A'] });
    const c = r('C', { parent: 'S', provider: 'P::1', propertyDependencies: { x: ['B'] } });
    expect(deletionWaves([stack, prov, a, b, c]).map((w) => w.map((x) => x.urn))).toEqual([['C'], ['B'], ['A'], ['P'], ['S']]);
  });
});
