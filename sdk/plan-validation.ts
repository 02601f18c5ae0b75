/**
 * Plan-time validation (SPEC §5): a resource class checks the argument values a program already
 * knows against the same schema the provider and the server use, and throws at construction,
 * naming the property, before anything reaches the engine. Values not known yet (Outputs,
 * Promises) are never reported: a failure counts only when it holds for every stand-in tried
 * for them, and never when it sits at or under an unknown path.
 */
import type { FieldError } from '../schema/errors.ts';
import { fromFieldErrors, type GatehouseError } from '../schema/errors.ts';
import { formatPath } from '../schema/field-path.ts';
import { parseResource } from '../schema/parse.ts';
import type { ResourceKind } from '../schema/resource-kind.ts';
import { collectKnownInputs, fillUnknowns } from './known-inputs.ts';
import { placeholderCandidates, schemaAt } from './placeholders.ts';

/** MAX_FULL_COMBINATIONS bounds trying every combination of stand-ins; beyond it each stand-in is tried once. */
export const MAX_FULL_COMBINATIONS = 64;

/**
 * ExtraPlanCheck is a rule beyond the schema that a kind runs on a parsed body (a certificate's
 * PEM inspection); `isUnknown` tells whether a field path was filled with a stand-in.
 */
export type ExtraPlanCheck = (value: Readonly<Record<string, unknown>>, isUnknown: (path: string) => boolean) => FieldError[];

function isAtOrUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
}

/** Every combination of candidates when few, else a diagonal that tries each candidate once. */
function combinations(candidates: readonly (readonly unknown[])[]): unknown[][] {
  const counts = candidates.map((c) => Math.max(c.length, 1));
  const total = counts.reduce((a, b) => a * b, 1);
  const pick = (list: readonly unknown[], i: number): unknown => (list.length === 0 ? undefined : list[i % list.length]);
  if (total <= MAX_FULL_COMBINATIONS) {
    const out: unknown[][] = [];
    for (let n = 0; n < total; n++) {
      let rest = n;
      out.push(
        candidates.map((list, j) => {
          const i = rest % counts[j]!;
          rest = Math.floor(rest / counts[j]!);
          return pick(list, i);
        }),
      );
    }
    return out;
  }
  const length = Math.max(...counts);
  return Array.from({ length }, (_, i) => candidates.map((list) => pick(list, i)));
}

const errorKey = (e: FieldError): string => `${e.path}\u0000${e.code ?? ''}\u0000${e.message}`;

/**
 * knownInputErrors returns the failures of a resource's arguments that are certain from the
 * values known now, in the order the schema reports them; [] when nothing known is wrong.
 */
export function knownInputErrors(kind: ResourceKind, args: Readonly<Record<string, unknown>>, extra?: ExtraPlanCheck): FieldError[] {
  const { body, unknownPaths } = collectKnownInputs(args);
  const unknownKeys = unknownPaths.map((p) => formatPath(p));
  const isUnknown = (path: string): boolean => unknownKeys.some((u) => isAtOrUnder(path, u));
  const candidates = unknownPaths.map((p, i) => {
    const schema = schemaAt(kind.create, p);
    return schema ? placeholderCandidates(schema, i + 1) : [];
  });

  const runs: { clean: boolean; errors: FieldError[] }[] = [];
  for (const combo of combinations(candidates)) {
    const choices = new Map(unknownKeys.map((k, i) => [k, combo[i]] as const));
    const result = parseResource(kind, 'create', fillUnknowns(body, choices));
    const all = result.ok ? (extra?.(result.value, isUnknown) ?? []) : result.errors;
    // A run whose stand-ins were refused by their own fields never reached the cross-field
    // rules, so it says less than a run whose stand-ins were accepted.
    const clean = result.ok || result.errors.every((e) => !isUnknown(e.path));
    runs.push({ clean, errors: all.filter((e) => !isUnknown(e.path)) });
  }
  const cleanRuns = runs.filter((r) => r.clean);
  const pool = cleanRuns.length > 0 ? cleanRuns : runs;
  const [first, ...others] = pool;
  if (!first) return [];
  const everywhere = others.map((r) => new Set(r.errors.map(errorKey)));
  return first.errors.filter((e) => everywhere.every((keys) => keys.has(errorKey(e))));
}

/**
 * planTimeError builds the error a resource class throws: its message names the resource type,
 * the resource name and each property path, e.g.
 * `VALIDATION_FAILED: gatehouse:index:Listener "web": port: Too big: expected number to be <=65535`.
 */
export function planTimeError(kind: ResourceKind, name: string, errors: readonly FieldError[]): GatehouseError {
  const detail = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  return fromFieldErrors(errors, `${kind.token} ${JSON.stringify(name)}: ${detail}`);
}

/** assertKnownInputsValid throws planTimeError when a known argument value breaks the schema. */
export function assertKnownInputsValid(kind: ResourceKind, name: string, args: Readonly<Record<string, unknown>>, extra?: ExtraPlanCheck): void {
  const errors = knownInputErrors(kind, args, extra);
  if (errors.length > 0) throw planTimeError(kind, name, errors);
}
