/**
 * Plan-time validation (SPEC §5): a resource class checks the argument values a program already
 * knows against the same schema the provider and the server use, and throws at construction,
 * naming the property, before anything reaches the engine. Values not known yet (Outputs,
 * Promises) are never reported: each is filled with one stand-in its own field accepts, the
 * body is parsed once, and a failure is dropped when it sits at or under an unknown path or
 * when the cross-field rule that raised it read an unknown value.
 */
import type { FieldError } from '../schema/errors.ts';
import { fromFieldErrors, type GatehouseError } from '../schema/errors.ts';
import { dependsOnUnknown, formatPath, isAtOrUnder, type RuleFieldError } from '../schema/field-path.ts';
import { parseResource, type ParseResult } from '../schema/parse.ts';
import type { ResourceKind } from '../schema/resource-kind.ts';
import { collectKnownInputs, fillUnknowns } from './known-inputs.ts';
import { schemaAt, standInCandidates } from './placeholders.ts';

/**
 * MAX_STAND_IN_PARSES bounds the parses of one validation: the first with each unknown's first
 * accepted stand-in, then one more each time a stand-in was refused where it stands and its
 * field has another to offer (a refused field can keep its object's rules from running).
 */
export const MAX_STAND_IN_PARSES = 3;

/**
 * ExtraPlanCheck is a rule beyond the schema that a kind runs on a parsed body (a certificate's
 * PEM inspection); `isUnknown` tells whether a field path was filled with a stand-in.
 */
export type ExtraPlanCheck = (value: Readonly<Record<string, unknown>>, isUnknown: (path: string) => boolean) => FieldError[];

/** Plan-time failures keep the public FieldError shape; the rule facts served only the filtering above. */
function withoutRuleFacts(error: RuleFieldError): FieldError {
  return error.code === undefined ? { path: error.path, message: error.message } : { path: error.path, code: error.code, message: error.message };
}

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
    return schema ? standInCandidates(schema, i + 1) : [];
  });
  const picks = candidates.map(() => 0);

  let result: ParseResult;
  for (let parses = 1; ; parses++) {
    const choices = new Map(unknownKeys.map((k, i) => [k, candidates[i]![picks[i]!]] as const));
    result = parseResource(kind, 'create', fillUnknowns(body, choices));
    if (result.ok || parses >= MAX_STAND_IN_PARSES) break;
    // Refused by its own field (not by a rule across fields): try the unknown's next stand-in.
    const refusals = result.errors.filter((e) => e.rule === undefined);
    let retry = false;
    unknownKeys.forEach((u, i) => {
      if (picks[i]! + 1 < candidates[i]!.length && refusals.some((e) => isAtOrUnder(e.path, u))) {
        picks[i]! += 1;
        retry = true;
      }
    });
    if (!retry) break;
  }
  const all: RuleFieldError[] = result.ok ? (extra?.(result.value, isUnknown) ?? []) : result.errors;
  return all.filter((e) => !dependsOnUnknown(e, unknownKeys)).map(withoutRuleFacts);
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
