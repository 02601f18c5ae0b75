/**
 * The records a harness run produces (steps, diagnostics) and the request shape the engine
 * works from, plus the pure rules that turn a provider's Diff into an operation.
 */
import type { DiffResult, PropertyDiffResult } from './plugin-host.ts';
import { changedKeys, type PropertyMap } from './property-value.ts';

/** StepOp is what happened (or, in preview, would happen) to one resource. */
export type StepOp = 'create' | 'update' | 'replace' | 'delete' | 'same' | 'read' | 'import';

/** Step is one resource operation, in the order it completed. */
export interface Step {
  urn: string;
  type: string;
  op: StepOp;
  /** Changed top-level properties (for refresh: properties that drifted). */
  diffs: string[];
  /** Per-property diff as the provider reported it (or as the harness computed it). */
  detailedDiff: Record<string, PropertyDiffResult>;
  /** Properties that forced a replacement. */
  replaces?: string[];
  /** For replace: whether the old resource was deleted before the new one was created. */
  deleteBeforeReplace?: boolean;
  /** Resource id after the step (absent for deletes and for unknown ids in preview). */
  id?: string;
}

/** Severity of a diagnostic, as in pulumirpc.LogSeverity. */
export type Severity = 'debug' | 'info' | 'warning' | 'error';

/** Diagnostic is a message from the program, a plugin (through Engine.log) or the harness. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  urn?: string;
}

/** CheckFailureRecord is a Check/CheckConfig failure tied to its resource. */
export interface CheckFailureRecord {
  urn: string;
  property: string;
  reason: string;
}

/** Registration is a RegisterResource request in plain JS. */
export interface Registration {
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  remote: boolean;
  inputs: PropertyMap;
  provider: string;
  version: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  deleteBeforeReplace: boolean;
  deleteBeforeReplaceDefined: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  protect: boolean;
  retainOnDelete: boolean;
  importId: string;
  timeouts: { create: number; update: number; delete: number };
}

/** Decision is the operation chosen for a registered resource that already exists. */
export interface Decision {
  op: 'same' | 'update' | 'replace';
  diffs: string[];
  replaces: string[];
  detailedDiff: Record<string, PropertyDiffResult>;
  deleteBeforeReplace: boolean;
}

/**
 * decide turns a Diff answer into an operation, the way the engine does: DIFF_UNKNOWN means
 * "compare the inputs yourself", `replaces` or a *-replace kind forces a replacement, the
 * `replaceOnChanges` option adds its own, and deleteBeforeReplace comes from the provider
 * unless the program set the option explicitly.
 */
export function decide(diff: DiffResult, oldInputs: PropertyMap, news: PropertyMap, reg: Pick<Registration, 'replaceOnChanges' | 'deleteBeforeReplace' | 'deleteBeforeReplaceDefined'>): Decision {
  let diffs: string[];
  let detailedDiff = diff.detailedDiff;
  const replaces = new Set(diff.replaces);
  if (diff.changes === 'unknown') {
    diffs = changedKeys(oldInputs, news);
    detailedDiff = Object.fromEntries(diffs.map((k) => [k, { kind: kindOf(oldInputs[k], news[k]), inputDiff: true }]));
  } else if (diff.changes === 'none') {
    diffs = [];
  } else {
    diffs = diff.diffs.length > 0 ? [...diff.diffs] : [...new Set(Object.keys(detailedDiff).map(topLevel))];
    for (const [path, d] of Object.entries(detailedDiff)) {
      if (d.kind.endsWith('-replace')) replaces.add(topLevel(path));
    }
  }
  for (const k of diffs) {
    if (reg.replaceOnChanges.includes('*') || reg.replaceOnChanges.includes(topLevel(k))) replaces.add(topLevel(k));
  }
  const changed = diffs.length > 0 || diff.changes === 'some';
  const op = replaces.size > 0 ? 'replace' : changed ? 'update' : 'same';
  const deleteBeforeReplace = reg.deleteBeforeReplaceDefined ? reg.deleteBeforeReplace : reg.deleteBeforeReplace || diff.deleteBeforeReplace;
  return { op, diffs, replaces: [...replaces], detailedDiff, deleteBeforeReplace: op === 'replace' && deleteBeforeReplace };
}

/** topLevel returns the first segment of a property path (`a.b[0]` → `a`, `["x.y"]` → `x.y`). */
export function topLevel(path: string): string {
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path);
  if (quoted) return quoted[1] ?? path;
  const m = /^[^.[]+/.exec(path);
  return m ? m[0] : path;
}

function kindOf(a: unknown, b: unknown): PropertyDiffResult['kind'] {
  if (a === undefined) return 'add';
  if (b === undefined) return 'delete';
  return 'update';
}

/**
 * applyIgnoreChanges keeps the old value of every ignored top-level property, as the engine
 * does before Check (a property absent before stays absent).
 */
export function applyIgnoreChanges(news: PropertyMap, olds: PropertyMap, ignore: readonly string[]): PropertyMap {
  if (ignore.length === 0) return news;
  const out: PropertyMap = { ...news };
  for (const path of ignore) {
    const k = topLevel(path);
    const old = olds[k];
    if (old === undefined) delete out[k];
    else out[k] = old;
  }
  return out;
}

/** parseTimeout converts a custom timeout (`"5m"`, `"30s"`, `"1h"`) into seconds; empty → 0. */
export function parseTimeout(s: string): number {
  if (!s) return 0;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
  }
  return Math.round(total);
}

/** refreshDiff describes drift between stored and live outputs. */
export function refreshDiff(olds: PropertyMap, news: PropertyMap): Pick<Step, 'diffs' | 'detailedDiff'> {
  const diffs = changedKeys(olds, news);
  const detailedDiff: Record<string, PropertyDiffResult> = {};
  for (const k of diffs) {
    detailedDiff[k] = { kind: olds[k] === undefined ? 'add' : news[k] === undefined ? 'delete' : 'update', inputDiff: false };
  }
  return { diffs, detailedDiff };
}
