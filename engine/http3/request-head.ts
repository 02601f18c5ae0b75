/**
 * The request a HEADERS frame carries, judged by RFC 9114 §4.2–4.3: everything here that fails
 * makes the request malformed (H3_MESSAGE_ERROR on its stream). Field bytes were already judged
 * by the QPACK decoder (field-rules.ts); this is about the message.
 *
 * - Pseudo-fields: only `:method`, `:scheme`, `:authority`, `:path` (no `:protocol` — we do not
 *   advertise extended CONNECT — and no response `:status`), each at most once, all before the
 *   first regular field; none in trailers.
 * - `:method` is a token. CONNECT carries `:authority` and neither `:scheme` nor `:path`; every
 *   other method carries `:scheme` and a non-empty `:path`.
 * - For `http` and `https`, `:authority` or Host is present, and when both are they agree
 *   (compared case-insensitively, as the HTTP/1 front compares an absolute target with Host);
 *   authorities and Host are `host[:port]` without userinfo (limits/request-validation.ts's
 *   isValidHost, the HTTP/1 rule).
 * - No connection-specific field: Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding,
 *   Upgrade; TE only as `trailers`.
 * - Content-Length at most once, of digits (upstream/response-fields.ts's parseLength).
 *
 * The target's form (origin-form, `*`, characters) is left to the pipeline's validateRequest,
 * which HTTP/1 and HTTP/2 requests pass through the same way. Several Cookie lines — HTTP/3 lets
 * a client split them — are joined with `; ` (RFC 9114 §4.2.1), since the request goes on over
 * HTTP/1.1.
 */
import { TOKEN } from '../http1/field-chars.ts';
import { isValidHost } from '../limits/request-validation.ts';
import { parseLength } from '../upstream/response-fields.ts';
import type { FieldSection } from './field-section.ts';

/** H3RequestHead is a request's head as the pipeline takes it. */
export interface H3RequestHead {
  readonly method: string;
  /** Absent only for CONNECT. */
  readonly scheme: string | undefined;
  /** `:authority`, else Host, else absent. */
  readonly authority: string | undefined;
  /** Absent only for CONNECT. */
  readonly path: string | undefined;
  /** The regular fields, flat (name, value, …), lower-case names, Cookie lines joined. */
  readonly headers: string[];
  /** Line numbers of `headers` that arrived never-index (to be forwarded never-index). */
  readonly neverIndexed: number[];
  /** The Content-Length, or -1 without one. */
  readonly contentLength: number;
}

/** CONNECTION_SPECIFIC are the fields HTTP/3 forbids (RFC 9114 §4.2). */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** readRequestHead builds the head from a decoded section, or returns why the request is malformed. */
export function readRequestHead(section: FieldSection): H3RequestHead | string {
  const fields = section.fields;
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let host: string | undefined;
  let contentLength = -1;
  let cookieAt = -1;
  let regularSeen = false;
  const headers: string[] = [];
  const neverIndexed: number[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (regularSeen) return `pseudo-field ${name} after a regular field`;
      switch (name) {
        case ':method':
          if (method !== undefined) return 'duplicate :method';
          method = value;
          break;
        case ':scheme':
          if (scheme !== undefined) return 'duplicate :scheme';
          scheme = value;
          break;
        case ':authority':
          if (authority !== undefined) return 'duplicate :authority';
          authority = value;
          break;
        case ':path':
          if (path !== undefined) return 'duplicate :path';
          path = value;
          break;
        default:
          return `pseudo-field ${name} is not a request pseudo-field`;
      }
      continue;
    }
    regularSeen = true;
    if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
    if (name === 'te' && value !== 'trailers') return 'TE other than trailers';
    if (name === 'content-length') {
      if (contentLength !== -1) return 'more than one content-length';
      contentLength = parseLength(value);
      if (contentLength < 0) return 'content-length is not a number';
    } else if (name === 'host') {
      if (host !== undefined) return 'more than one host';
      host = value;
    } else if (name === 'cookie') {
      if (cookieAt >= 0) {
        headers[cookieAt] = `${headers[cookieAt]}; ${value}`;
        continue;
      }
      cookieAt = headers.length + 1;
    }
    if (section.isNeverIndexed(i >>> 1)) neverIndexed.push(headers.length >>> 1);
    headers.push(name, value);
  }
  if (method === undefined) return 'no :method';
  if (!isToken(method)) return ':method is not a token';
  if (method === 'CONNECT') {
    if (scheme !== undefined || path !== undefined) return 'CONNECT with :scheme or :path';
    if (authority === undefined || !isValidHost(authority)) return 'CONNECT without a valid :authority';
  } else {
    if (scheme === undefined) return 'no :scheme';
    if (path === undefined) return 'no :path';
    if (path.length === 0) return 'empty :path';
    if (!isScheme(scheme)) return ':scheme is not a scheme';
    if (scheme === 'http' || scheme === 'https') {
      if (authority === undefined && host === undefined) return 'neither :authority nor host';
      if (authority !== undefined && !isValidHost(authority)) return ':authority is not host[:port]';
      if (host !== undefined && !isValidHost(host)) return 'host is not host[:port]';
      if (authority !== undefined && host !== undefined && authority.toLowerCase() !== host.toLowerCase()) return ':authority and host differ';
    }
  }
  return { method, scheme, authority: authority ?? host, path, headers, neverIndexed, contentLength };
}

/**
 * checkTrailers returns why a trailer section is malformed (a pseudo-field, a connection-specific
 * field), or undefined. Trailers are otherwise passed on as they are.
 */
export function checkTrailers(section: FieldSection): string | undefined {
  const fields = section.fields;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    if (name.charCodeAt(0) === 58) return `pseudo-field ${name} in trailers`;
    if (CONNECTION_SPECIFIC.has(name) || name === 'te') return `connection-specific field ${name} in trailers`;
  }
  return undefined;
}

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** isScheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1). */
function isScheme(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    const alpha = c >= 97 && c <= 122;
    if (i === 0 ? !alpha : !(alpha || (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) || text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45 || text.charCodeAt(i) === 46)) return false;
  }
  return true;
}
