/**
 * Field-level readers for the response parser: each reads one thing from a response head
 * (Content-Length, chunk sizes, codings, Connection, Keep-Alive, control characters) without
 * allocating more than its answer.
 */

/** sameLower compares a field name with a lower-case name, ignoring ASCII case, without allocating. */
export function sameLower(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = name.charCodeAt(i);
    const e = lower.charCodeAt(i);
    if (c !== e && (c | 0x20) !== e) return false;
    if (c !== e && (e < 97 || e > 122)) return false;
  }
  return true;
}

/** cleanHead tells whether a head has no control characters but HTAB and CRLF pairs (and no DEL). */
export function cleanHead(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 32 && c !== 127) continue;
    if (c === 9) continue;
    if (c === 13 && text.charCodeAt(i + 1) === 10) {
      i++;
      continue;
    }
    return false;
  }
  return true;
}

/** MAX_LENGTH_DIGITS bounds a Content-Length value: 15 decimal digits stay an exact number (under 2^53). */
export const MAX_LENGTH_DIGITS = 15;

/** MAX_CHUNK_SIZE_DIGITS bounds a chunk size: 12 hexadecimal digits (256 TiB) stay an exact number. */
const MAX_CHUNK_SIZE_DIGITS = 12;

/** parseLength reads a Content-Length value: digits only, else -1. */
export function parseLength(value: string): number {
  if (value.length === 0 || value.length > MAX_LENGTH_DIGITS) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** parseChunkSize reads `1*HEXDIG [; ext] CRLF`; -1 when malformed. */
export function parseChunkSize(line: string): number {
  const end = line.length - 2;
  if (end < 1 || line.charCodeAt(end) !== 13) return -1;
  let n = 0;
  let digits = 0;
  let i = 0;
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 97 && c <= 102) v = c - 87;
    else if (c >= 65 && c <= 70) v = c - 55;
    else break;
    if (++digits > MAX_CHUNK_SIZE_DIGITS) return -1;
    n = n * 16 + v;
  }
  if (digits === 0) return -1;
  if (i < end) {
    // Only whitespace before an extension, which is ignored.
    while (i < end && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i < end && line.charCodeAt(i) !== 59) return -1;
    for (let j = i; j < end; j++) if (line.charCodeAt(j) === 10 || line.charCodeAt(j) === 13) return -1;
  }
  return n;
}

/** lastCodingIsChunked tells whether `chunked` is the final transfer coding. */
export function lastCodingIsChunked(value: string): boolean {
  const comma = value.lastIndexOf(',');
  const last = (comma === -1 ? value : value.slice(comma + 1)).trim().toLowerCase();
  return last === 'chunked';
}

/** keepAliveTimeoutMs reads `timeout=N` from a Keep-Alive value, in ms; -1 when absent. */
export function keepAliveTimeoutMs(value: string): number {
  const lower = value.toLowerCase();
  const at = lower.indexOf('timeout=');
  if (at === -1) return -1;
  let n = 0;
  let digits = 0;
  for (let i = at + 8; i < lower.length; i++) {
    const c = lower.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
    digits++;
  }
  return digits === 0 ? -1 : n * 1000;
}
