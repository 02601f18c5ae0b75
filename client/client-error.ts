/**
 * ApiClientError: a call of the management API that got no verdict from the API. Its `code` is
 * one of the client codes of schema/errors.ts (API_UNREACHABLE, API_TIMEOUT, API_CANCELLED,
 * API_OFF_CONTRACT), so that callers branch on the code; the message says what happened in the
 * words users have always seen, and the facts behind it (the call, the endpoint, the cause, the
 * answer) are fields, so that a command can word it its own way.
 */
import { CLIENT_ERROR_CODES, type ApiCall, type ClientErrorCode } from '../schema/errors.ts';

/**
 * API_CLIENT_ERROR_BRAND marks every ApiClientError, the same symbol in every copy of this
 * module, so that an error made by one copy is recognised by all of them.
 */
export const API_CLIENT_ERROR_BRAND: unique symbol = Symbol.for('gatehouse.api-client-error');

/** OffContractAnswer is what came back when the answer was not the API's. */
export interface OffContractAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The body as text, cut to ANSWER_TEXT_MAX_CHARS. */
  readonly text: string;
  /** The `code` of a problem+json body that is not a registry code, if any. */
  readonly problemCode?: string | undefined;
  /** The `detail` of a problem+json body, if any. */
  readonly problemDetail?: string | undefined;
  /** What is wrong with the answer when its status is a success (not JSON, wrong content type). */
  readonly defect?: string | undefined;
}

/** ApiClientErrorFacts are what an ApiClientError is made of. */
export interface ApiClientErrorFacts {
  readonly code: ClientErrorCode;
  readonly endpoint: string;
  readonly call: ApiCall;
  /**
   * What failed underneath: the system or undici error code (`ECONNREFUSED`,
   * `UND_ERR_HEADERS_TIMEOUT`), else the underlying message.
   */
  readonly reason?: string | undefined;
  /** The answer, for API_OFF_CONTRACT. */
  readonly answer?: OffContractAnswer | undefined;
  /** The deadline of the call, for API_TIMEOUT. */
  readonly timeoutMs?: number | undefined;
  readonly cause?: unknown;
}

/** ApiClientError is a call that got no verdict from the management API. */
export class ApiClientError extends Error {
  readonly code: ClientErrorCode;
  /** The code's one-line meaning from the registry. */
  readonly title: string;
  readonly endpoint: string;
  readonly call: ApiCall;
  readonly reason: string | undefined;
  readonly answer: OffContractAnswer | undefined;
  readonly timeoutMs: number | undefined;

  constructor(facts: ApiClientErrorFacts) {
    super(messageOf(facts), facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = 'ApiClientError';
    this.code = facts.code;
    this.title = CLIENT_ERROR_CODES[facts.code].title;
    this.endpoint = facts.endpoint;
    this.call = facts.call;
    this.reason = facts.reason;
    this.answer = facts.answer;
    this.timeoutMs = facts.timeoutMs;
    Object.defineProperty(this, API_CLIENT_ERROR_BRAND, { value: true });
  }

  /** `x instanceof ApiClientError` holds for an error of any copy of this module (it carries the brand). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ApiClientError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [API_CLIENT_ERROR_BRAND]?: unknown })[API_CLIENT_ERROR_BRAND] === true;
  }
}

/** messageOf words each code as the provider and `gatehouse drift` have always said it. */
function messageOf(f: ApiClientErrorFacts): string {
  const call = `${f.call.method} ${f.call.path}`;
  switch (f.code) {
    case 'API_UNREACHABLE':
      return `cannot reach the Gatehouse API at ${f.endpoint} (${call}): ${causeMessage(f)}`;
    case 'API_TIMEOUT':
      return `the Gatehouse API at ${f.endpoint} did not answer ${call}${f.timeoutMs === undefined ? ' in time' : ` within ${seconds(f.timeoutMs)}`}`;
    case 'API_CANCELLED':
      return `${call} was cancelled`;
    case 'API_OFF_CONTRACT': {
      const a = f.answer;
      if (!a) return `the Gatehouse API answered ${call} outside its contract`;
      const why = a.problemDetail ?? a.defect;
      return `the Gatehouse API answered ${a.status} to ${call}${why === undefined ? '' : `: ${why}`}`;
    }
  }
}

function causeMessage(f: ApiClientErrorFacts): string {
  return f.cause instanceof Error && f.cause.message !== '' ? f.cause.message : (f.reason ?? 'unknown failure');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
