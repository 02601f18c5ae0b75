/** The limits module: SPEC E17's bounds on request heads and malformed input. */
export { HEAD_OK, MAX_HEADER_FIELDS, MAX_HEAD_BYTES, PARSER_MAX_HEADER_SIZE, checkRequestHead } from './request-limits.ts';
export { CONNECTIONS_CHECKING_INTERVAL_MS, HEADERS_TIMEOUT_MS, HTTP2_LIMIT_SETTINGS, REQUEST_BODY_TIMEOUT_MS, errorResponseBytes } from './server-limits.ts';
