/**
 * Cross-field rules as data: a rule names what it reads, says what it requires in a sentence,
 * and checks a parsed object. The models hand their rules to `.superRefine(applyRules(…))`, so
 * the server, the provider and the SDK run the very same checks; emitters print the
 * descriptions; and every failure a rule raises carries the rule's id and the paths it read, so
 * that plan-time validation can tell a failure that depends on a value not known yet from one
 * that holds whatever that value turns out to be.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors.ts';

/** RuleIssue is one failure a rule finds: a path relative to the object the rule is attached to. */
export interface RuleIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** The registry code of the failure; VALIDATION_FAILED when absent. */
  readonly code?: ErrorCode;
}

/** ConditionValue is what a condition compares a field with. */
export type ConditionValue = string | number | boolean;

/**
 * FieldCondition is a test of one field, as data so that an emitter can print it: equal to a
 * value, different from a value, or true.
 */
export type FieldCondition =
  | { readonly path: string; readonly equals: ConditionValue }
  | { readonly path: string; readonly notEquals: ConditionValue }
  | { readonly path: string; readonly truthy: true };

/** RuleForm is what a rule built by requiredWhen or forbiddenWhen requires, printable without running it. */
export interface RuleForm {
  readonly type: 'required' | 'forbidden';
  /** The field that must be set (required) or absent (forbidden). */
  readonly path: string;
  /** Every condition must hold for the rule to apply. */
  readonly when: readonly FieldCondition[];
}

/**
 * FieldRule is a rule across the fields of one object (a resource body or a nested object):
 * its `reads` are dot paths relative to that object; `presenceReads` are those among them the
 * rule only tests for being set, so a value not known yet below such a path cannot change its
 * verdict.
 */
export interface FieldRule<T = unknown> {
  /** Unique among the rules of one object, e.g. `https-requires-certificates`. */
  readonly id: string;
  /** One sentence saying what the rule requires, for documentation. */
  readonly description: string;
  readonly reads: readonly string[];
  readonly presenceReads: readonly string[];
  /** The data form of the rule, for rules built by requiredWhen and forbiddenWhen. */
  readonly form?: RuleForm;
  /** check returns the failures of a parsed object, [] when the rule holds. */
  check(value: T): RuleIssue[];
}

/**
 * RuleIssueParams are the `params` of every zod issue a rule adds: the registry code (as
 * `issueAt` gives it), the rule's id and reads, and how many trailing segments of the issue's
 * path are relative to the object the rule is attached to (the rest is where that object is).
 */
export interface RuleIssueParams {
  readonly code: ErrorCode;
  readonly rule: string;
  readonly reads: readonly string[];
  readonly presenceReads: readonly string[];
  readonly relativeLength: number;
}

/** splitRulePath turns a rule's dot path into segments; `''` is the object itself. */
export function splitRulePath(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

/** valueAt reads a dot path of a value, undefined when any step is missing. */
export function valueAt(value: unknown, path: string): unknown {
  let node: unknown = value;
  for (const seg of splitRulePath(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

/** isSet tells whether a field counts as given: defined and, for a list, not empty. */
export function isSet(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** conditionHolds evaluates one condition on an object. */
export function conditionHolds(condition: FieldCondition, value: unknown): boolean {
  const field = valueAt(value, condition.path);
  if ('equals' in condition) return field === condition.equals;
  if ('notEquals' in condition) return field !== condition.notEquals;
  return Boolean(field);
}

/** describeCondition renders a condition as words: `mutualAuthentication.enabled is true`. */
export function describeCondition(condition: FieldCondition): string {
  if ('equals' in condition) return `${condition.path} is ${String(condition.equals)}`;
  if ('notEquals' in condition) return `${condition.path} is not ${String(condition.notEquals)}`;
  return `${condition.path} is true`;
}

/** describeConditions joins conditions that must all hold: `protocol is not HTTP and quic.upgradeEnabled is true`. */
export function describeConditions(when: FieldCondition | readonly FieldCondition[]): string {
  return asList(when).map(describeCondition).join(' and ');
}

function asList(when: FieldCondition | readonly FieldCondition[]): readonly FieldCondition[] {
  return Array.isArray(when) ? (when as readonly FieldCondition[]) : [when as FieldCondition];
}

/** RuleOptions name a rule and give its failure message and code when the defaults do not fit. */
export interface RuleOptions {
  /** Defaults to `<path>-required` / `<path>-forbidden`. */
  readonly id?: string;
  /** The failure message; defaults to `is required when …` / `may not be set when …`. */
  readonly message?: string;
  readonly code?: ErrorCode;
}

function conditionalRule(
  type: RuleForm['type'],
  path: string,
  when: FieldCondition | readonly FieldCondition[],
  description: string | undefined,
  options: RuleOptions,
): FieldRule {
  const conditions = asList(when);
  const words = describeConditions(conditions);
  const message = options.message ?? (type === 'required' ? `is required when ${words}` : `may not be set when ${words}`);
  const segments = splitRulePath(path);
  const reads = [...new Set([...conditions.map((c) => c.path), path])];
  return {
    id: options.id ?? `${path}-${type}`,
    description: description ?? `${path} ${type === 'required' ? 'is required' : 'may not be set'} when ${words}.`,
    reads,
    presenceReads: [path],
    form: { type, path, when: conditions },
    check(value: unknown): RuleIssue[] {
      if (!conditions.every((c) => conditionHolds(c, value))) return [];
      const field = valueAt(value, path);
      if (type === 'required' ? isSet(field) : field === undefined) return [];
      return [options.code === undefined ? { path: segments, message } : { path: segments, message, code: options.code }];
    },
  };
}

/**
 * requiredWhen is the rule "`path` must be set when `when` holds" (a list must not be empty);
 * `when` is one condition or several that must all hold.
 */
export function requiredWhen(path: string, when: FieldCondition | readonly FieldCondition[], description?: string, options: RuleOptions = {}): FieldRule {
  return conditionalRule('required', path, when, description, options);
}

/** forbiddenWhen is the rule "`path` may not be set (must be absent) when `when` holds". */
export function forbiddenWhen(path: string, when: FieldCondition | readonly FieldCondition[], description?: string, options: RuleOptions = {}): FieldRule {
  return conditionalRule('forbidden', path, when, description, options);
}

/** CrossFieldRuleSpec is a rule with its own check, for what no conditional form says (duplicates, compatibility). */
export interface CrossFieldRuleSpec<T> {
  readonly id: string;
  readonly description: string;
  readonly reads: readonly string[];
  readonly presenceReads?: readonly string[];
  check(value: T): RuleIssue[];
}

/** crossFieldRule declares a rule with its own check; its reads must name every field the check looks at. */
export function crossFieldRule<T>(spec: CrossFieldRuleSpec<T>): FieldRule<T> {
  return {
    id: spec.id,
    description: spec.description,
    reads: [...spec.reads],
    presenceReads: [...(spec.presenceReads ?? [])],
    check: (value: T) => spec.check(value),
  };
}

/**
 * applyRules returns the function an object schema gives to `.superRefine`: it runs each rule
 * in order and adds each failure as a custom issue whose params carry the registry code, the
 * rule's id and reads, and the length of the failure's path relative to the object.
 */
export function applyRules<T>(rules: readonly FieldRule<T>[]): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => {
    for (const rule of rules) {
      for (const issue of rule.check(value)) {
        const params: RuleIssueParams = {
          code: issue.code ?? 'VALIDATION_FAILED',
          rule: rule.id,
          reads: rule.reads,
          presenceReads: rule.presenceReads,
          relativeLength: issue.path.length,
        };
        ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message, params: { ...params } });
      }
    }
  };
}

/** ruleIssueParams returns the rule facts of a zod issue's params, or undefined when no rule raised it. */
export function ruleIssueParams(params: unknown): RuleIssueParams | undefined {
  if (params === null || typeof params !== 'object') return undefined;
  const p = params as Partial<Record<keyof RuleIssueParams, unknown>>;
  if (typeof p.rule !== 'string' || typeof p.relativeLength !== 'number') return undefined;
  if (!isStringList(p.reads) || !isStringList(p.presenceReads)) return undefined;
  return p as RuleIssueParams;
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
