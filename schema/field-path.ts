/**
 * Field paths and the translation of zod issues into FieldErrors, so that every layer reports
 * a failure the same way: `forwardedHeaders.clientIp.trustedProxies[1]`, with a registry code.
 */
import type { z } from 'zod';
import { isErrorCode, type ErrorCode, type FieldError } from './errors.ts';
import { ruleIssueParams, splitRulePath } from './field-rules.ts';

/**
 * RuleFieldError is a FieldError that may say which cross-field rule raised it and which
 * fields that rule read, as absolute paths in formatPath's form. These facts serve callers
 * inside the product (plan-time validation); the API's problem+json never carries them.
 */
export interface RuleFieldError extends FieldError {
  /** The id of the rule that raised the failure. */
  rule?: string;
  /** Every field the rule read. */
  reads?: string[];
  /** Those of `reads` the rule only tested for being set. */
  presenceReads?: string[];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * formatPath renders path segments as `a.b[1].c`; a map key that is not an identifier is
 * quoted (`tags["gatehouse:owner"]`) so that the path stays unambiguous.
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** joinPath appends one segment to a rendered path. */
export function joinPath(base: string, seg: PropertyKey): string {
  const tail = formatPath([seg]);
  if (base === '') return tail;
  return tail.startsWith('[') ? base + tail : `${base}.${tail}`;
}

/**
 * issuesToFieldErrors maps zod issues to FieldErrors: an unknown key becomes one failure at
 * that key's path, a custom issue keeps the registry code it carries in `params.code`, and a
 * failure raised by a declared rule carries the rule's id and the absolute paths it read.
 */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[]): RuleFieldError[] {
  const out: RuleFieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...issue.path, key]), code: 'VALIDATION_FAILED', message: 'unknown field' });
      }
      continue;
    }
    const params = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined) : undefined;
    const code: ErrorCode = params && isErrorCode(params.code) ? params.code : 'VALIDATION_FAILED';
    const error: RuleFieldError = { path: formatPath(issue.path), code, message: issue.message };
    const rule = issue.code === 'custom' ? ruleIssueParams(issue.params) : undefined;
    if (rule && rule.relativeLength <= issue.path.length) {
      // The issue's path is where the rule's object sits plus the failure's own relative path.
      const base = issue.path.slice(0, issue.path.length - rule.relativeLength);
      const absolute = (read: string): string => formatPath([...base, ...splitRulePath(read)]);
      error.rule = rule.rule;
      error.reads = rule.reads.map(absolute);
      error.presenceReads = rule.presenceReads.map(absolute);
    }
    out.push(error);
  }
  return out;
}

/**
 * fieldErrorMap is the zod error customisation every parse uses: a missing value reads
 * "is required" rather than "expected string, received undefined".
 */
export function fieldErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return undefined;
}

/**
 * isAtOrUnder tells whether a rendered path is `base` or lies inside it (`a.b` and `a[0]` are
 * under `a`; `ab` is not); every path lies under the root `''`.
 */
export function isAtOrUnder(path: string, base: string): boolean {
  if (base === '' || path === base) return true;
  return path.startsWith(base) && (path[base.length] === '.' || path[base.length] === '[');
}

/**
 * dependsOnUnknown tells whether a failure could change with the values not known yet (the
 * rendered paths `unknowns`): it sits at or under one; or a rule raised it and one of the rule's
 * reads is at, under or above one (a read only for presence is untouched by an unknown inside
 * it); or, raised by a check of one field, it sits above one (a list or map check covering an
 * unknown element). The SDK's plan-time validation and the provider's Check both drop exactly
 * these failures.
 */
export function dependsOnUnknown(error: RuleFieldError, unknowns: readonly string[]): boolean {
  return unknowns.some((u) => {
    if (isAtOrUnder(error.path, u)) return true;
    if (error.reads === undefined) return error.path !== '' && isAtOrUnder(u, error.path);
    const presence = new Set(error.presenceReads ?? []);
    return error.reads.some((read) => isAtOrUnder(read, u) || (!presence.has(read) && isAtOrUnder(u, read)));
  });
}
