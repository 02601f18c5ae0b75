/**
 * Error messages of the provider: every API failure is reported naming the resource (its
 * Pulumi name and type, and id when there is one) and each field the API blamed, so that
 * `pulumi up` output points straight at the line of the program to fix.
 */
import { ApiClientError } from '../../client/client-error.ts';
import { GatehouseError, PROVIDER_HINTS, type ClientErrorCode, type ErrorCode, type FieldError } from '../../schema/errors.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import type { PropertyMap } from '../marshal.ts';

/** ResourceLabel identifies the resource an error is about. */
export interface ResourceLabel {
  kind: ResourceKind;
  /** The Pulumi resource name (from the URN). */
  name: string;
  id?: string | undefined;
}

/** describeResource renders `Listener "web" (lsn-…)`. */
export function describeResource(label: ResourceLabel): string {
  return `${label.kind.name} "${label.name}"${label.id ? ` (${label.id})` : ''}`;
}

/** describeFieldError renders one failure as `path: message [CODE]`. */
export function describeFieldError(e: FieldError, fallback: string): string {
  const code = e.code ?? fallback;
  return e.path ? `${e.path}: ${e.message} [${code}]` : `${e.message} [${code}]`;
}

/**
 * withHint adds, in parentheses, what the user can do about a code whose fix is not in a field
 * of the program (the registry's PROVIDER_HINTS).
 */
export function withHint(text: string, code: ErrorCode | ClientErrorCode): string {
  const hint = PROVIDER_HINTS[code];
  return hint ? `${text} (${hint})` : text;
}

/**
 * MISSING_TOKEN is why a call cannot be made when no token is configured, and how to give one.
 */
export const MISSING_TOKEN = 'no Gatehouse API token: set the provider config gatehouse:token (secret) or the GATEHOUSE_TOKEN environment variable';

/**
 * ProviderError is an error whose message is ready for the user (names the resource and the
 * fields); `cause` keeps the API error for code-based decisions.
 */
export class ProviderError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
    this.code = code;
  }
}

/** explainError turns an API or transport failure into a ProviderError naming the resource and fields. */
export function explainError(label: ResourceLabel, action: string, err: unknown): ProviderError {
  const who = describeResource(label);
  if (err instanceof ProviderError) return err;
  if (err instanceof GatehouseError) {
    const fields = err.errors.length > 0 ? err.errors.map((e) => describeFieldError(e, err.code)).join('; ') : `${err.detail} [${err.code}]`;
    return new ProviderError(withHint(`${who}: ${action} failed: ${fields}`, err.code), err.code, { cause: err });
  }
  if (err instanceof ApiClientError) return new ProviderError(withHint(`${who}: ${action} failed: ${err.message}`, err.code), err.code, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(`${who}: ${action} failed: ${message}`, undefined, { cause: err });
}

/**
 * ResourceInitError means the resource exists (it has an id) but did not become ready: the
 * engine records it in state with its outputs and reports the reasons, instead of losing it.
 */
export class ResourceInitError extends ProviderError {
  readonly id: string;
  readonly outputs: PropertyMap;
  readonly secretPaths: readonly string[];
  readonly reasons: string[];
  constructor(message: string, id: string, outputs: PropertyMap, secretPaths: readonly string[], reasons: string[]) {
    super(message);
    this.name = 'ResourceInitError';
    this.id = id;
    this.outputs = outputs;
    this.secretPaths = secretPaths;
    this.reasons = reasons;
  }
}
