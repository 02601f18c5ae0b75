/**
 * The one retry policy of the management API client: which calls may be repeated, which
 * failures are worth repeating them for, and how long to wait in between. A call is repeated
 * only when its caller says (or its method says) that doing it twice does what doing it once
 * does, and only when it failed before the API could answer it.
 */

/** RetryPolicy bounds the repetition of one call. */
export interface RetryPolicy {
  /** How many times a call is sent at most, the first time included. */
  readonly attempts: number;
  /** The wait before the first repetition. */
  readonly baseDelayMs: number;
  /** Each later wait is the previous one times this factor… */
  readonly backoffFactor: number;
  /** …up to this bound. */
  readonly maxDelayMs: number;
  /** The failure causes (system or undici error codes) worth a repetition. */
  readonly retryableCauses: ReadonlySet<string>;
}

/** RETRY_ATTEMPTS is one call and three repetitions: enough to ride out a server restart. */
export const RETRY_ATTEMPTS = 4;
/** RETRY_BASE_DELAY_MS is the first wait: a refused connection usually means a restart under way. */
export const RETRY_BASE_DELAY_MS = 200;
/** RETRY_BACKOFF_FACTOR grows the waits 200 → 500 → 1000 ms, giving a restart time to finish. */
export const RETRY_BACKOFF_FACTOR = 2.5;
/** RETRY_MAX_DELAY_MS bounds each wait, so a whole call gives up within seconds, not minutes. */
export const RETRY_MAX_DELAY_MS = 1000;

/**
 * RETRYABLE_CAUSES are the failures that happen before the API has taken the request in hand
 * (refused, reset, a socket closed under the request): repeating an idempotent call is safe
 * and likely to succeed. A timeout is not among them (the server may be busy with the request),
 * nor is any answer the API gave.
 */
export const RETRYABLE_CAUSES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * IDEMPOTENT_METHODS are the methods repeated by default, the safe and idempotent methods as
 * undici's RetryHandler names them. A POST is idempotent only with an Idempotency-Key (SPEC §3),
 * or when its caller says so (a dry run writes nothing).
 */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** DEFAULT_RETRY_POLICY is the policy of every client unless one is given. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: RETRY_ATTEMPTS,
  baseDelayMs: RETRY_BASE_DELAY_MS,
  backoffFactor: RETRY_BACKOFF_FACTOR,
  maxDelayMs: RETRY_MAX_DELAY_MS,
  retryableCauses: RETRYABLE_CAUSES,
});

/** NO_RETRY_POLICY sends every call once. */
export const NO_RETRY_POLICY: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY_POLICY, attempts: 1 });

/**
 * retryDelay is the wait before repetition `retry` (1 for the first): the base delay grown by the
 * factor, never more than the maximum.
 */
export function retryDelay(policy: RetryPolicy, retry: number): number {
  const grown = policy.baseDelayMs * policy.backoffFactor ** Math.max(0, retry - 1);
  return Math.min(policy.maxDelayMs, Math.round(grown));
}

/**
 * isIdempotent decides whether a call may be repeated: the caller's explicit word wins, else the
 * method decides, a POST counting as idempotent when it carries an Idempotency-Key.
 */
export function isIdempotent(method: string, explicit: boolean | undefined, hasIdempotencyKey: boolean): boolean {
  if (explicit !== undefined) return explicit;
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || (method.toUpperCase() === 'POST' && hasIdempotencyKey);
}

/** shouldRetry tells whether a failed attempt is repeated: idempotent, attempts left, a retryable cause. */
export function shouldRetry(policy: RetryPolicy, attempt: number, idempotent: boolean, cause: string | undefined): boolean {
  return idempotent && attempt < policy.attempts && cause !== undefined && policy.retryableCauses.has(cause);
}
