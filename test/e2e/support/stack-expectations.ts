/**
 * Expectations every example's end-to-end story shares: a run that succeeds, a preview that
 * writes nothing, a refresh that finds the stack in sync, and a refresh that adopts a change
 * made behind Pulumi's back. Each example adds what is its own on top.
 */
import { expect } from 'vitest';
import type { ConfigInput, RunMode, RunResult } from '../../harness/index.ts';
import { EMPTY, failureText, gatehouseSteps, resourceMethods, stepOf, type DriftRun, type ExampleStack } from './example-stack.ts';

type Config = Readonly<Record<string, ConfigInput>>;

/** runOk performs one Pulumi operation and fails the test, with the run's diagnostics, unless it succeeded. */
export async function runOk(stack: ExampleStack, mode: RunMode, config: Config): Promise<RunResult> {
  const r = await stack.run(mode, config);
  expect(r.ok, failureText(r)).toBe(true);
  return r;
}

/**
 * previewWritesNothing runs a first preview: the plugin is asked only to check and to predict
 * creates (create with preview: true), and the server holds nothing and logged no event.
 */
export async function previewWritesNothing(stack: ExampleStack, config: Config): Promise<RunResult> {
  const r = await runOk(stack, 'preview', config);
  expect(resourceMethods(r)).toEqual(['check', 'create']);
  expect(await stack.server.counts()).toEqual(EMPTY);
  expect(await stack.server.events()).toEqual([]);
  return r;
}

/** refreshInSync runs refresh, expects every resource read back without a diff, and `gatehouse drift` to exit 0. */
export async function refreshInSync(stack: ExampleStack, config: Config): Promise<DriftRun> {
  const r = await runOk(stack, 'refresh', config);
  for (const s of gatehouseSteps(r)) expect(s, s.urn).toMatchObject({ op: 'read', diffs: [] });
  const d = await stack.drift();
  expect(d.code, d.stdout + d.stderr).toBe(0);
  return d;
}

/** refreshAdopts runs refresh after a change through the API: the resource's step names the field, and drift then exits 0. */
export async function refreshAdopts(stack: ExampleStack, config: Config, type: string, name: string, field: string): Promise<void> {
  const refresh = await runOk(stack, 'refresh', config);
  expect(stepOf(refresh, type, name)?.diffs).toContain(field);
  expect((await stack.drift()).code).toBe(0);
}
