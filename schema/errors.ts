/**
 * The one registry of Gatehouse error codes (SPEC §3). The server renders these as
 * problem+json, the provider and the CLI branch on `code`; nobody branches on message text.
 * Beside them: the client errors, failures on the caller's side of the API that the server
 * never answers with (unreachable, timed out, cancelled, an answer that is not the API's), and
 * the hints the provider adds to a code to tell the user what to do.
 */

/** ERROR_CODES maps every stable error code to its HTTP status and a one-line meaning. */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request does not satisfy the resource schema' },
  CERT_INVALID_PEM: { status: 400, title: 'The certificate or key PEM does not parse' },
  CERT_KEY_MISMATCH: { status: 400, title: 'The private key does not match the certificate' },
  CERT_NOT_CA: { status: 400, title: 'A CA certificate lacks basicConstraints CA:TRUE' },
  CERT_UNSUPPORTED_WILDCARD: { status: 400, title: 'The certificate names a wildcard domain that is not recognised' },
  RESERVED_HEADER_NAME: { status: 400, title: 'A header name is reserved for the engine' },
  EDITION_UNSUPPORTED: { status: 400, title: 'The load balancer edition does not allow this feature' },
  REFERENCE_NOT_FOUND: { status: 400, title: 'A referenced resource does not exist' },
  UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  IMMUTABLE_FIELD: { status: 409, title: 'A field that cannot change in place was changed' },
  PORT_CONFLICT: { status: 409, title: 'The port is already used by another listener' },
  IN_USE: { status: 409, title: 'The resource is referenced by other resources' },
  DELETION_PROTECTED: { status: 409, title: 'The resource has deletion protection enabled' },
  VERSION_MISMATCH: { status: 412, title: 'The If-Match version is not the current version' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body exceeds 1 MiB' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be JSON in UTF-8 (Content-Type: application/json)' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  ENGINE_REJECTED: { status: 422, title: 'The engine cannot apply the configuration the write would make (a dry run’s verdict)' },
  STORE_UNAVAILABLE: { status: 503, title: 'The configuration store (PostgreSQL) cannot be reached; writes resume when it returns' },
} as const satisfies Record<string, { status: number; title: string }>;

/** ErrorCode is one of the stable codes of the registry. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * CLIENT_ERROR_CODES are the codes of calls that got no verdict from the management API: the
 * client (client/) raises them, never the server, so they have no HTTP status and stay out of
 * ERROR_CODES, the OpenAPI document and SPEC §3's list of the API's codes.
 */
export const CLIENT_ERROR_CODES = {
  API_UNREACHABLE: { title: 'The management API could not be reached (connection refused, reset or failed)' },
  API_TIMEOUT: { title: 'The management API did not answer in time' },
  API_CANCELLED: { title: 'The call was cancelled before the management API answered' },
  API_OFF_CONTRACT: { title: 'The answer is not the management API’s: an unexpected status, content type or body' },
} as const satisfies Record<string, { title: string }>;

/** ClientErrorCode is one of the client-side codes. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** isClientErrorCode tells whether a string is a client-side code. */
export function isClientErrorCode(value: unknown): value is ClientErrorCode {
  return typeof value === 'string' && Object.hasOwn(CLIENT_ERROR_CODES, value);
}

/**
 * PROVIDER_HINTS are what the Pulumi provider adds to a failure with one of these codes: what
 * the user can do about it when the fix is not in a field of the program.
 */
export const PROVIDER_HINTS: Readonly<Partial<Record<ErrorCode | ClientErrorCode, string>>> = {
  UNAUTHENTICATED: 'check the provider config gatehouse:token or GATEHOUSE_TOKEN',
  IN_USE: 'remove or repoint the resources that reference it first',
  DELETION_PROTECTED: 'set deletionProtection to false and run pulumi up before deleting',
  VERSION_MISMATCH: 'the resource changed concurrently; run pulumi refresh and retry',
  NOT_FOUND: 'it no longer exists; run pulumi refresh to recreate it on the next update',
  IMMUTABLE_FIELD: 'this field can only change by replacing the resource',
  API_UNREACHABLE: 'check the provider config gatehouse:endpoint or GATEHOUSE_ENDPOINT, and that the Gatehouse server runs there',
  API_TIMEOUT: 'the Gatehouse server at gatehouse:endpoint is overloaded or stuck; check it and retry',
  API_OFF_CONTRACT: 'check that gatehouse:endpoint points at the Gatehouse management API itself, not a proxy or another service',
};

/** ApiCall names one call of the management API, as messages show it: `GET /v1/listeners?limit=100`. */
export interface ApiCall {
  readonly method: string;
  /** The path with its query. */
  readonly path: string;
}

/** FieldError is one failure at one input path, e.g. `forwardedHeaders.clientIp.trustedProxies[1]`. */
export interface FieldError {
  path: string;
  /** The error code most specific to this failure (defaults to the error's own code). */
  code?: ErrorCode;
  message: string;
}

/** isErrorCode tells whether a string is a registered code (clients receive codes as text). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * GATEHOUSE_ERROR_BRAND marks every GatehouseError. It is a registered symbol, the same in every
 * copy of this module (the SDK's bundle and the plugin's, a second install), so that a
 * GatehouseError made by one copy is a GatehouseError to all of them.
 */
export const GATEHOUSE_ERROR_BRAND: unique symbol = Symbol.for('gatehouse.error');

/** GatehouseErrorOptions are the facts an error may carry beyond its code. */
export interface GatehouseErrorOptions {
  /** The call that drew this verdict, when a client received it from the API. */
  call?: ApiCall | undefined;
  cause?: unknown;
}

/**
 * GatehouseError is the single error class of the product: routes throw it, the server's one
 * error handler renders it, the provider maps it to Pulumi check failures or messages.
 */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[];
  /** The call that drew this verdict, when a client received it from the API. */
  readonly call: ApiCall | undefined;

  constructor(code: ErrorCode, detail: string, errors: readonly FieldError[] = [], options: GatehouseErrorOptions = {}) {
    super(`${code}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.title = ERROR_CODES[code].title;
    this.detail = detail;
    this.errors = errors;
    this.call = options.call;
    Object.defineProperty(this, GATEHOUSE_ERROR_BRAND, { value: true });
  }

  /**
   * `x instanceof GatehouseError` holds for an error of any copy of this module (it carries the
   * brand), as undici recognises its errors; a subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== GatehouseError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isGatehouseError(value);
  }

  /** toProblem renders the RFC 9457 problem+json body of SPEC §3. */
  toProblem(): ProblemBody {
    return {
      type: `https://gatehouse.dev/errors/${this.code}`,
      status: this.status,
      code: this.code,
      title: this.title,
      detail: this.detail,
      errors: this.errors.map((e) => ({ path: e.path, message: e.message, ...(e.code ? { code: e.code } : {}) })),
    };
  }
}

/** isGatehouseError tells whether a value is a GatehouseError of any copy of this module. */
export function isGatehouseError(value: unknown): value is GatehouseError {
  return typeof value === 'object' && value !== null && (value as { [GATEHOUSE_ERROR_BRAND]?: unknown })[GATEHOUSE_ERROR_BRAND] === true;
}

/** ProblemBody is the JSON body of an error answer (`application/problem+json`). */
export interface ProblemBody {
  type: string;
  status: number;
  code: ErrorCode;
  title: string;
  detail: string;
  errors: { path: string; message: string; code?: ErrorCode }[];
}

/**
 * fromFieldErrors builds one GatehouseError from rule failures: the code is the most specific
 * one shared by the failures (e.g. all RESERVED_HEADER_NAME), else VALIDATION_FAILED.
 */
export function fromFieldErrors(errors: readonly FieldError[], detail?: string): GatehouseError {
  const codes = new Set(errors.map((e) => e.code ?? 'VALIDATION_FAILED'));
  const code: ErrorCode = codes.size === 1 ? [...codes][0]! : pickPriorityCode(codes);
  const text = detail ?? errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  return new GatehouseError(code, text, errors);
}

/** A mix of failures reports the first non-generic code, so that clients can still branch. */
function pickPriorityCode(codes: Set<ErrorCode>): ErrorCode {
  for (const c of codes) if (c !== 'VALIDATION_FAILED') return c;
  return 'VALIDATION_FAILED';
}
