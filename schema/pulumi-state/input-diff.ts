/**
 * The comparison of two input maps per property path (`forwardedHeaders.proto`,
 * `servers[1].weight`): ADD / UPDATE / DELETE, a change under a replace field marked as a
 * replacement. The provider's Diff and the drift comparison both use it.
 */
import { isAtOrUnder, joinPath } from '../field-path.ts';
import type { ResourceKind } from '../resource-kind.ts';
import { isUnknown, sameValue, topLevelKey, type PropertyMap, type Value } from './values.ts';

/** ChangeKind is the PropertyDiff kind without the replace flag. */
export type ChangeKind = 'add' | 'update' | 'delete';

/** PropertyChange is one entry of a detailed diff. */
export interface PropertyChange {
  path: string;
  kind: ChangeKind;
  replace: boolean;
}

/** InputDiff is the comparison of two input maps. */
export interface InputDiff {
  changes: PropertyChange[];
  /** Top-level properties that changed. */
  diffs: string[];
  /** Top-level properties whose change requires a replacement. */
  replaces: string[];
}

function isPlainObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(olds: Value | undefined, news: Value | undefined, path: string, out: { path: string; kind: ChangeKind }[]): void {
  if (olds === undefined && news === undefined) return;
  if (olds === undefined || olds === null) {
    if (news !== undefined && news !== null) out.push({ path, kind: 'add' });
    return;
  }
  if (news === undefined || news === null) {
    out.push({ path, kind: 'delete' });
    return;
  }
  // A value that is not known yet may differ: the engine shows it as an update to a computed value.
  if (isUnknown(news) || isUnknown(olds)) {
    out.push({ path, kind: 'update' });
    return;
  }
  if (isPlainObject(olds) && isPlainObject(news)) {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    for (const k of keys) walk(olds[k], news[k], joinPath(path, k), out);
    return;
  }
  if (Array.isArray(olds) && Array.isArray(news)) {
    const n = Math.max(olds.length, news.length);
    for (let i = 0; i < n; i++) walk(olds[i], news[i], joinPath(path, i), out);
    return;
  }
  if (!sameValue(olds, news)) out.push({ path, kind: 'update' });
}

/**
 * diffInputs compares old and new inputs per property path; a change under a replace field is
 * a replacement. Paths in `ignoreChanges` (and everything under them) are left out.
 */
export function diffInputs(kind: ResourceKind, olds: PropertyMap, news: PropertyMap, ignoreChanges: readonly string[] = []): InputDiff {
  const raw: { path: string; kind: ChangeKind }[] = [];
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  for (const k of keys) walk(olds[k], news[k], joinPath('', k), raw);
  const changes = raw
    .filter((c) => !ignoreChanges.some((ig) => isAtOrUnder(c.path, ig)))
    .map((c) => ({ ...c, replace: kind.replaceFields.includes(topLevelKey(c.path)) }));
  const diffs = [...new Set(changes.map((c) => topLevelKey(c.path)))];
  const replaces = [...new Set(changes.filter((c) => c.replace).map((c) => topLevelKey(c.path)))];
  return { changes, diffs, replaces };
}

