/**
 * FakeStack: a temporary stack (state file + fake provider store) for the harness's own
 * end-to-end tests, with helpers to run the fixture program and inspect what the fake
 * provider was asked.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { runProgram, type RunMode, type RunResult } from '../harness/index.ts';

const fixtures = fileURLToPath(new URL('../harness/fixtures/', import.meta.url));

/** FAKE_PLUGIN is the fake provider's executable. */
export const FAKE_PLUGIN = join(fixtures, 'pulumi-resource-fake');
/** THINGS_PROGRAM is the fixture program declaring `fake:index:Thing` resources. */
export const THINGS_PROGRAM = join(fixtures, 'programs', 'things.ts');

/** ThingSpec mirrors the fixture program's per-resource spec. */
export interface ThingSpec {
  name: string;
  props: Record<string, unknown>;
  secretProps?: Record<string, string>;
  dependsOn?: string[];
  explicitProvider?: boolean;
  options?: Record<string, unknown>;
}

/** Spec mirrors the fixture program's config. */
export interface Spec {
  things: ThingSpec[];
  explicitProvider?: { endpoint: string };
}

/** FakeCall is one line of the fake provider's call log. */
export interface FakeCall {
  method: string;
  urn?: string;
  id?: string;
  preview?: boolean;
  [k: string]: unknown;
}

/** StoredThing is a resource as the fake provider keeps it. */
export interface StoredThing {
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** FakeStack owns one temporary directory; close() removes it. */
export class FakeStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'harness-'));
  readonly statePath = join(this.dir, 'state.json');
  readonly store = join(this.dir, 'store');
  #callsSeen = 0;

  /** run performs an operation with the fixture program and the fake provider. */
  run(mode: RunMode, spec: Spec, env: Record<string, string> = {}): Promise<RunResult> {
    this.#callsSeen = this.allCalls().length;
    return runProgram({
      mode,
      programFile: THINGS_PROGRAM,
      project: 'fakeproj',
      stack: 'test',
      pluginPath: FAKE_PLUGIN,
      statePath: this.statePath,
      config: { spec: JSON.stringify(spec), 'fake:endpoint': 'http://default.invalid' },
      env: { FAKE_STORE: this.store, ...env },
      timeoutMs: 60_000,
    });
  }

  /** allCalls is the fake provider's whole call log. */
  allCalls(): FakeCall[] {
    const p = join(this.store, 'calls.jsonl');
    if (!existsSync(p)) return [];
    return readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall);
  }

  /** calls is the call log of the last run only. */
  calls(): FakeCall[] {
    return this.allCalls().slice(this.#callsSeen);
  }

  /** methods lists the methods of the last run's calls, in order. */
  methods(): string[] {
    return this.calls().map((c) => c.method);
  }

  /** things lists what the fake provider currently holds. */
  things(): StoredThing[] {
    const d = join(this.store, 'things');
    if (!existsSync(d)) return [];
    return readdirSync(d).map((f) => JSON.parse(readFileSync(join(d, f), 'utf8')) as StoredThing);
  }

  /** changeOutOfBand edits a stored resource behind the engine's back. */
  changeOutOfBand(id: string, outputs: Record<string, unknown>): void {
    const p = join(this.store, 'things', `${id}.json`);
    const t = JSON.parse(readFileSync(p, 'utf8')) as StoredThing;
    writeFileSync(p, JSON.stringify({ ...t, outputs: { ...t.outputs, ...outputs } }));
  }

  /** deleteOutOfBand removes a stored resource behind the engine's back. */
  deleteOutOfBand(id: string): void {
    rmSync(join(this.store, 'things', `${id}.json`));
  }

  /** stateText is the raw state file ('' when absent). */
  stateText(): string {
    return existsSync(this.statePath) ? readFileSync(this.statePath, 'utf8') : '';
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** stackPerTest returns a function that makes a test of the calling describe its FakeStack, closed after that test. */
export function stackPerTest(): () => FakeStack {
  let stack: FakeStack | undefined;
  afterEach(() => {
    stack?.close();
    stack = undefined;
  });
  return () => (stack = new FakeStack());
}

/** thingUrn is the URN the fixture program gives a Thing. */
export function thingUrn(name: string): string {
  return `urn:pulumi:test::fakeproj::fake:index:Thing::${name}`;
}

/** opsOf maps each Thing to its step op, ignoring the stack and providers. */
export function opsOf(r: RunResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of r.steps) if (s.type === 'fake:index:Thing') out[s.urn.split('::').pop() ?? ''] = s.op;
  return out;
}
