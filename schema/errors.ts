/**
 * The one registry of Gatehouse error codes (SPEC §3). The server renders these as
 * problem+json, the provider and the CLI branch on `code`; nobody branches on message text.
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
} as const satisfies Record<string, { status: number; title: string }>;

/** ErrorCode is one of the stable codes of the registry. */
export type ErrorCode = keyof typeof ERROR_CODES;

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
 * GatehouseError is the single error class of the product: routes throw it, the server's one
 * error handler renders it, the provider maps it to Pulumi check failures or messages.
 */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[];

  constructor(code: ErrorCode, detail: string, errors: readonly FieldError[] = []) {
    super(`${code}: ${detail}`);
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.title = ERROR_CODES[code].title;
    this.detail = detail;
    this.errors = errors;
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
