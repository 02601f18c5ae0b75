/**
 * Request-head limits of SPEC E17, checked on the parsed head before anything is forwarded:
 * request line + headers at most 16 KiB (414 when the request line alone is over, else 431),
 * at most 100 header fields (431), one Host (400, RFC 9112 3.2).
 *
 * Why on the parsed head and not in the parsers: the same rule holds for HTTP/1.x heads and
 * HTTP/2 header lists, counted the same way (as on the HTTP/1.1 wire). The HTTP/1.x parser's own
 * bound (PARSER_MAX_HEADER_SIZE) is higher and only caps the memory one head can take; it keeps
 * one field more than allowed, so that "too many" is visible here.
 */

/** MAX_HEAD_BYTES is E17's bound on request line + header block. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** MAX_HEADER_FIELDS is E17's bound on the number of header fields. */
export const MAX_HEADER_FIELDS = 100;
/**
 * PARSER_MAX_HEADER_SIZE is the parsers' hard bound (the HTTP/1.x head, the HTTP/2 header list):
 * heads between 16 and 64 KiB are parsed and then refused here with the exact status; beyond it
 * the HTTP/1.x parser refuses by itself (414 within the request line, else 431).
 */
export const PARSER_MAX_HEADER_SIZE = 64 * 1024;

/** HEAD_OK is checkRequestHead's answer for an acceptable head. */
export const HEAD_OK = 0;

/** HTTP_VERSION_BYTES is ` HTTP/1.1\r\n` after the target, counted as on the wire. */
const REQUEST_LINE_TAIL = 11;

/**
 * checkRequestHead returns HEAD_OK, or the status to refuse the request with (400, 414, 431).
 * `rawHeaders` is the flat list parsed (HTTP/2 pseudo-headers are not counted as fields
 * but their bytes are). Sizes are counted as on the HTTP/1.1 wire: `name: value\r\n` per field.
 * No allocation: one pass over the list.
 */
export function checkRequestHead(method: string, url: string, rawHeaders: readonly string[]): number {
  const requestLine = method.length + 1 + url.length + REQUEST_LINE_TAIL;
  if (requestLine > MAX_HEAD_BYTES) return 414;
  let bytes = requestLine + 2;
  let fields = 0;
  let hosts = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    bytes += name.length + rawHeaders[i + 1]!.length + 4;
    if (name.charCodeAt(0) === 58) continue;
    fields++;
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) hosts++;
  }
  if (fields > MAX_HEADER_FIELDS || bytes > MAX_HEAD_BYTES) return 431;
  if (hosts > 1) return 400;
  return HEAD_OK;
}
