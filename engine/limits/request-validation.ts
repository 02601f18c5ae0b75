/**
 * Request validation of SPEC 2.1 on a parsed head: the version, the method, the request
 * target, Host and the transfer coding. It runs before a backend is chosen, so a refused
 * request never opens a backend connection.
 *
 * The HTTP/1.x front's parser (http1/request-head-parser.ts) has already refused what the
 * message grammar forbids — tokens that are not tokens, control characters in values,
 * Content-Length forms, Content-Length with Transfer-Encoding, a coding after `chunked`, bare CR
 * or LF, obs-fold, HTTP/0.9 — and node's HTTP/2 layer what HPACK and RFC 9113 forbid. What a
 * well-formed message can still carry and a load balancer must not forward is checked here, for
 * both: versions other than 1.0 and 1.1, targets with a fragment or characters backends may
 * read differently, misplaced `*`, absolute-form targets naming another host or scheme, Host
 * values that are not `host[:port]`, transfer codings other than one `chunked`, expectations
 * other than `100-continue`, and CONNECT.
 *
 * One pass over short strings, no allocation on the common path (an origin-form target).
 */
import { TRANSFER_CODING_MALFORMED, TRANSFER_CODING_NONE, TRANSFER_CODING_UNKNOWN } from '../headers/field-lists.ts';

/** REQUEST_OK is validateRequest's answer for a request that may be forwarded. */
export const REQUEST_OK = 0;

/** RequestLine is what validation reads of a request besides its header facts. */
export interface RequestLine {
  readonly method: string;
  /** The request target as received (HTTP/2: `:path`). */
  readonly url: string;
  readonly http2: boolean;
  /** True on an HTTPS listener: an absolute-form target must say `https`, else `http`. */
  readonly secure: boolean;
  /** HTTP/1.x version numbers as parsed (ignored for HTTP/2). */
  readonly versionMajor: number;
  readonly versionMinor: number;
}

/**
 * validateRequest returns REQUEST_OK or the status to refuse the request with (SPEC 2.1): 400,
 * 405 (CONNECT), 417 (an expectation other than `100-continue`), 501 (a transfer coding other
 * than `chunked`) or 505 (a version above 1 in an HTTP/1 request line). `host` is the
 * first Host field (HTTP/2: or `:authority`), `transferCoding` what the header pass read of
 * Transfer-Encoding, `expect` the Expect field.
 */
export function validateRequest(line: RequestLine, host: string | undefined, transferCoding: number, expect: string | undefined): number {
  if (line.method === 'CONNECT') return 405;
  const http2 = line.http2;
  if (!http2) {
    if (line.versionMajor >= 2) return 505;
    if (line.versionMajor !== 1 || line.versionMinor > 1) return 400;
  }
  if (host === undefined) {
    // HTTP/1.0 may omit Host (RFC 9112 §3.2 requires it from 1.1 on); HTTP/2 needs :authority or Host.
    if (http2 || line.versionMinor !== 0) return 400;
  } else if (!isValidHost(host)) {
    return 400;
  }
  const target = checkTarget(line.method, line.url, host, line.secure);
  if (target !== REQUEST_OK) return target;
  if (transferCoding !== TRANSFER_CODING_NONE) {
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing cannot be trusted.
    if (!http2 && line.versionMinor === 0) return 400;
    if (transferCoding === TRANSFER_CODING_UNKNOWN) return 501;
    if (transferCoding === TRANSFER_CODING_MALFORMED) return 400;
  }
  // Node's HTTP/1 server sends the 100 for any value containing the token (`100-continue, foo`);
  // anything but the bare expectation is refused, as node refuses other expectations.
  if (expect !== undefined && expect.trim().toLowerCase() !== '100-continue') return 417;
  return REQUEST_OK;
}

/**
 * checkTarget accepts origin-form (`/…`), `*` for OPTIONS, and absolute-form with the
 * listener's scheme and an authority equal to Host. The target holds only printable ASCII
 * without `#` (a fragment is never sent), `"`, `<`, `>`, `\` and `` ` `` (characters RFC 3986
 * excludes and browsers always escape; a backslash is a second path separator to some
 * backends), and every `%` starts an escape of two hex digits, so that no backend decodes
 * the target differently from what the engine saw. `{`, `}`, `|` and `^`, also outside RFC 3986,
 * are common unescaped in real query strings and pass.
 */
function checkTarget(method: string, url: string, host: string | undefined, secure: boolean): number {
  if (url.length === 0) return 400;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 35 /* # */ || c === 34 /* " */ || c === 60 /* < */ || c === 62 /* > */ || c === 92 /* \ */ || c === 96 /* ` */) return 400;
    if (c === 37 /* % */ && (i + 2 >= url.length || !isHexDigit(url.charCodeAt(i + 1)) || !isHexDigit(url.charCodeAt(i + 2)))) return 400;
  }
  const first = url.charCodeAt(0);
  if (first === 47 /* / */) return REQUEST_OK;
  if (url === '*') return method === 'OPTIONS' ? REQUEST_OK : 400;
  const authorityStart = schemeLength(url, secure);
  if (authorityStart === 0) return 400;
  let end = authorityStart;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 || c === 63 /* ? */) break;
    end++;
  }
  const authority = url.slice(authorityStart, end);
  if (!isValidHost(authority)) return 400;
  // RFC 9112 §3.2.2 would make the target's authority win over Host; a request whose two
  // names disagree is refused instead, so the backend and the engine never see different hosts.
  if (host !== undefined && host.toLowerCase() !== authority.toLowerCase()) return 400;
  return REQUEST_OK;
}

/** schemeLength is the length of a leading `https://` (secure) or `http://` (not), any case, else 0. */
function schemeLength(url: string, secure: boolean): number {
  const lower = url.slice(0, 8).toLowerCase();
  if (secure) return lower === 'https://' ? 8 : 0;
  return lower.startsWith('http://') ? 7 : 0;
}

/**
 * isValidHost tells whether a Host value (or `:authority`, or an absolute-form authority) is
 * `host[:port]`: a reg-name of unreserved, sub-delims and `%XX` (RFC 3986 §3.2.2, which covers
 * IPv4 addresses and DNS names), or an IPv6 literal in brackets; the port is 1–5 digits. No
 * userinfo (`@`), no empty name.
 */
export function isValidHost(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  let i = 0;
  if (value.charCodeAt(0) === 91 /* [ */) {
    const close = value.indexOf(']');
    if (close < 3) return false;
    for (i = 1; i < close; i++) {
      const c = value.charCodeAt(i);
      if (!(isHexDigit(c) || c === 58 /* : */ || c === 46 /* . */)) return false;
    }
    i = close + 1;
  } else {
    while (i < n) {
      const c = value.charCodeAt(i);
      if (c === 58) break;
      if (c === 37 /* % */) {
        if (i + 2 >= n || !isHexDigit(value.charCodeAt(i + 1)) || !isHexDigit(value.charCodeAt(i + 2))) return false;
        i += 3;
        continue;
      }
      if (!isRegNameChar(c)) return false;
      i++;
    }
    if (i === 0) return false;
  }
  if (i === n) return true;
  if (value.charCodeAt(i) !== 58) return false;
  const digits = n - i - 1;
  if (digits < 1 || digits > 5) return false;
  for (let j = i + 1; j < n; j++) {
    const c = value.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** isRegNameChar: ALPHA DIGIT `-._~` and the sub-delims `!$&'()*+,;=` (RFC 3986). */
function isRegNameChar(c: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) return true;
  switch (c) {
    case 45: // -
    case 46: // .
    case 95: // _
    case 126: // ~
    case 33: // !
    case 36: // $
    case 38: // &
    case 39: // '
    case 40: // (
    case 41: // )
    case 42: // *
    case 43: // +
    case 44: // ,
    case 59: // ;
    case 61: // =
      return true;
    default:
      return false;
  }
}
