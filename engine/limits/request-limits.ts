/**
 * Request-head limits of SPEC E17, checked on the parsed head before anything is forwarded:
 * request line + headers at most 16 KiB (414 when the request line alone is over, else 431),
 * at most 100 header fields (431), one Host (400, RFC 9112 3.2).
 *
 * Why here and not only in node's parser: llhttp reports an over-long URI and an over-long
 * header block with the same error (HPE_HEADER_OVERFLOW), so node's limit is set higher
 * (PARSER_MAX_HEADER_SIZE) and the 16 KiB rule is applied to the parsed head, where the request
 * line and the headers can be told apart exactly. Node drops fields beyond `maxHeadersCount`
 * instead of refusing them, so that is set to one more than allowed and counted here.
 */

/** MAX_HEAD_BYTES is E17's bound on request line + header block. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** MAX_HEADER_FIELDS is E17's bound on the number of header fields. */
export const MAX_HEADER_FIELDS = 100;
/**
 * PARSER_MAX_HEADER_SIZE is node's own (hard) bound: heads between 16 and 64 KiB are parsed
 * and then refused with the exact status; beyond it node's overflow error is classified by
 * `clientErrorStatus`. It also caps the memory one connection's head can take.
 */
export const PARSER_MAX_HEADER_SIZE = 64 * 1024;

/** HEAD_OK is checkRequestHead's answer for an acceptable head. */
export const HEAD_OK = 0;

/** HTTP_VERSION_BYTES is ` HTTP/1.1\r\n` after the target, counted as on the wire. */
const REQUEST_LINE_TAIL = 11;

/**
 * checkRequestHead returns HEAD_OK, or the status to refuse the request with (400, 414, 431).
 * `rawHeaders` is the flat list node parsed (HTTP/2 pseudo-headers are not counted as fields
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

/** RefusableResponse is the part of an HTTP/1 or HTTP/2 compatibility response refuseRequest uses. */
export interface RefusableResponse {
  headersSent: boolean;
  writeHead(status: number, headers: string[]): unknown;
  end(body: Buffer): unknown;
}

const REFUSAL_BODIES: ReadonlyMap<number, Buffer> = new Map([
  [400, Buffer.from('400 Bad Request\n')],
  [414, Buffer.from('414 URI Too Long\n')],
  [431, Buffer.from('431 Request Header Fields Too Large\n')],
]);

/**
 * refuseRequest answers a request that checkRequestHead refused, and closes an HTTP/1.x
 * connection after it (the rest of what the client sends cannot be trusted to be framed as
 * it thinks). HTTP/2 forbids the Connection field; only the stream ends there.
 */
export function refuseRequest(res: RefusableResponse, status: number, httpVersionMajor: number): void {
  if (res.headersSent) return;
  const body = REFUSAL_BODIES.get(status) ?? REFUSAL_BODIES.get(400)!;
  const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)];
  if (httpVersionMajor < 2) headers.push('Connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}
