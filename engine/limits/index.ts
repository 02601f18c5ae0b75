/** The limits module: SPEC E17's bounds on request heads and malformed input. */
export { HEAD_OK, MAX_HEADER_FIELDS, MAX_HEAD_BYTES, PARSER_MAX_HEADER_SIZE, checkRequestHead, refuseRequest } from './request-limits.ts';
export type { RefusableResponse } from './request-limits.ts';
export {
  CONNECTIONS_CHECKING_INTERVAL_MS,
  HEADERS_TIMEOUT_MS,
  HTTP2_LIMIT_SETTINGS,
  REQUEST_BODY_TIMEOUT_MS,
  answerClientError,
  applyHttpLimits,
  clientErrorStatus,
  errorResponseBytes,
  httpLimitOptions,
} from './server-limits.ts';
export type { ClientErrorLike, HttpLimitSettings, LimitedServer } from './server-limits.ts';
