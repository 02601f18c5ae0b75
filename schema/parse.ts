/**
 * parseResource: the one entry point that validates a create or PUT body against a resource
 * model and returns structured failures, so that the server, the provider's Check and the SDK
 * report exactly the same paths and codes.
 */
import { fieldErrorMap, issuesToFieldErrors, type RuleFieldError } from './field-path.ts';
import { kindByName } from './kinds.ts';
import type { ResourceKind, ResourceKindName } from './resource-kind.ts';
import { COMMON_OUTPUT_FIELDS } from './resources/common.ts';

/**
 * ParseResult is either the parsed value (defaults applied) or every failure found; a failure
 * raised by a declared cross-field rule names the rule and the fields it read.
 */
export type ParseResult<T = Record<string, unknown>> = { ok: true; value: T } | { ok: false; errors: RuleFieldError[] };

/** ParseOptions carry what a PUT needs to know about the stored resource. */
export interface ParseOptions {
  /**
   * The stored resource, on update: replace fields the body omits are taken from it before
   * validation, so that rules depending on them (HTTPS-only fields, the health-check protocol
   * default, a certificate's type) see the real value. Replace fields the body does carry are
   * kept as sent, for the caller's IMMUTABLE_FIELD comparison.
   */
  previous?: Readonly<Record<string, unknown>>;
}

/**
 * parseResource validates `body` as the create or update input of a kind (by name or kind
 * object). On update the read-only outputs a client sent back are dropped from the value.
 */
export function parseResource(kind: ResourceKindName | ResourceKind, op: 'create' | 'update', body: unknown, options: ParseOptions = {}): ParseResult {
  const k = typeof kind === 'string' ? kindByName(kind) : kind;
  if (!k) return { ok: false, errors: [{ path: '', code: 'VALIDATION_FAILED', message: `unknown resource kind ${typeof kind === 'string' ? kind : kind.name}` }] };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ path: '', code: 'VALIDATION_FAILED', message: 'the body must be a JSON object' }] };
  }
  let input = body as Record<string, unknown>;
  if (op === 'update' && options.previous) {
    input = { ...input };
    for (const field of k.replaceFields) {
      if (input[field] === undefined && options.previous[field] !== undefined) input[field] = options.previous[field];
    }
  }
  const schema = op === 'create' ? k.create : k.update;
  const result = schema.safeParse(input, { error: fieldErrorMap });
  if (!result.success) return { ok: false, errors: issuesToFieldErrors(result.error.issues) };
  const value = { ...(result.data as Record<string, unknown>) };
  if (op === 'update') {
    for (const field of [...COMMON_OUTPUT_FIELDS, ...k.outputFields]) delete value[field];
  }
  return { ok: true, value };
}

/**
 * changedReplaceFields lists the replace fields whose value in a parsed PUT body differs from
 * the stored resource: the server answers 409 IMMUTABLE_FIELD, the provider plans a replacement.
 */
export function changedReplaceFields(kind: ResourceKind, previous: Readonly<Record<string, unknown>>, next: Readonly<Record<string, unknown>>): string[] {
  return kind.replaceFields.filter((f) => next[f] !== undefined && !sameValue(previous[f], next[f]));
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
