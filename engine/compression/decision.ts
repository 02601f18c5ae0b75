/**
 * The per-response compression decision of SPEC E10 and the response-header rewrite that goes
 * with it. Pure functions over plain values and flat header lists (name, value, …), so the
 * forwarding pipeline can call them whatever shape its upstream headers have.
 */
import { ACCEPTS_BR, ACCEPTS_GZIP, acceptedEncodings } from './accept-encoding.ts';
import { listHasToken } from '../headers/field-lists.ts';
import { MAX_LENGTH_DIGITS } from '../upstream/response-fields.ts';

/** COMPRESSION_MIN_LENGTH: only a Content-Length strictly above it is compressed (E10). */
export const COMPRESSION_MIN_LENGTH = 1024;

/** GZIP_TYPES are the media types E10 allows gzip for (Brotli takes any type). */
export const GZIP_TYPES: ReadonlySet<string> = new Set([
  'text/xml',
  'text/plain',
  'text/css',
  'application/javascript',
  'application/x-javascript',
  'application/rss+xml',
  'application/atom+xml',
  'application/xml',
  'application/json',
]);

/** CompressionDecision says which coding to apply (if any) and whether the answer varies by Accept-Encoding. */
export interface CompressionDecision {
  readonly encoding: 'br' | 'gzip' | undefined;
  /** True whenever some client would get a different body: the response needs `Vary: Accept-Encoding`. */
  readonly vary: boolean;
}

/** NO_COMPRESSION is the decision for responses compression never applies to. */
export const NO_COMPRESSION: CompressionDecision = Object.freeze({ encoding: undefined, vary: false });
const VARY_ONLY: CompressionDecision = Object.freeze({ encoding: undefined, vary: true });
const BROTLI: CompressionDecision = Object.freeze({ encoding: 'br', vary: true });
const GZIP: CompressionDecision = Object.freeze({ encoding: 'gzip', vary: true });

/** ResponseFacts are the response fields the decision reads. */
export interface ResponseFacts {
  contentType: string | undefined;
  /** -1 when the response has no (valid, single) Content-Length. */
  contentLength: number;
  contentEncoding: string | undefined;
  cacheControl: string | undefined;
  contentRange: string | undefined;
}

/**
 * decideCompression applies E10: compress only when compression is on for the listener, the
 * request is not HEAD, the status carries a full body (not 1xx/204/206/304), Content-Length >
 * 1024, there is no Content-Encoding, and `Cache-Control: no-transform` (RFC 9110 7.7) does not
 * forbid it. Brotli for any type when accepted (preferred over gzip); gzip only for GZIP_TYPES.
 */
export function decideCompression(
  enabled: boolean,
  method: string,
  status: number,
  acceptEncoding: string | undefined,
  facts: ResponseFacts,
): CompressionDecision {
  if (!enabled || method === 'HEAD' || status < 200 || status === 204 || status === 206 || status === 304) return NO_COMPRESSION;
  if (facts.contentLength <= COMPRESSION_MIN_LENGTH) return NO_COMPRESSION;
  if (facts.contentEncoding !== undefined && facts.contentEncoding.length > 0 && facts.contentEncoding.trim().toLowerCase() !== 'identity') {
    return NO_COMPRESSION;
  }
  if (facts.contentRange !== undefined) return NO_COMPRESSION;
  if (facts.cacheControl !== undefined && facts.cacheControl.toLowerCase().includes('no-transform')) return NO_COMPRESSION;
  const accepted = acceptedEncodings(acceptEncoding);
  if ((accepted & ACCEPTS_BR) !== 0) return BROTLI;
  if ((accepted & ACCEPTS_GZIP) !== 0 && isGzipType(facts.contentType)) return GZIP;
  return VARY_ONLY;
}

/** isGzipType tells whether a Content-Type's media type (parameters ignored) is one gzip applies to. */
export function isGzipType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return GZIP_TYPES.has(media);
}

/**
 * responseFacts reads the decision's inputs from a flat response header list. A repeated
 * Content-Length (even with equal values) or one that is not a plain number counts as absent,
 * which keeps such a response uncompressed.
 */
export function responseFacts(flat: readonly string[]): ResponseFacts {
  const facts: ResponseFacts = { contentType: undefined, contentLength: -1, contentEncoding: undefined, cacheControl: undefined, contentRange: undefined };
  let lengths = 0;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!;
    if (name.length < 12 || name.length > 16) continue;
    switch (name.toLowerCase()) {
      case 'content-type':
        facts.contentType = flat[i + 1];
        break;
      case 'content-length': {
        lengths++;
        const text = flat[i + 1]!.trim();
        facts.contentLength = lengths === 1 && isDigits(text) ? Number(text) : -1;
        break;
      }
      case 'content-encoding':
        facts.contentEncoding = facts.contentEncoding === undefined ? flat[i + 1] : facts.contentEncoding + ',' + flat[i + 1];
        break;
      case 'cache-control':
        facts.cacheControl = facts.cacheControl === undefined ? flat[i + 1] : facts.cacheControl + ',' + flat[i + 1];
        break;
      case 'content-range':
        facts.contentRange = flat[i + 1];
        break;
    }
  }
  return facts;
}

/**
 * rewriteHeaders returns the response header list for a decision: for a compressed answer,
 * Content-Length and Accept-Ranges are removed (the body becomes chunked, ranges no longer
 * address it), `Content-Encoding` is set (an `identity` one replaced) and a strong ETag becomes weak (the bytes differ);
 * `Vary: Accept-Encoding` is added or merged whenever `decision.vary`. Other fields keep their
 * order and case. The input is not modified; with nothing to change it is returned as is.
 */
export function rewriteHeaders(flat: readonly string[], decision: CompressionDecision): readonly string[] {
  if (!decision.vary) return flat;
  const out: string[] = [];
  const compress = decision.encoding !== undefined;
  let varyAt = -1;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!;
    let value = flat[i + 1]!;
    const n = name.length;
    const lower = n === 4 || n === 13 || n === 14 || n === 16 ? name.toLowerCase() : '';
    if (compress && (lower === 'content-length' || lower === 'accept-ranges' || lower === 'content-encoding')) continue;
    if (compress && lower === 'etag' && !value.startsWith('W/')) value = 'W/' + value;
    if (lower === 'vary') {
      if (varyAt === -1) varyAt = out.length;
      else {
        out[varyAt + 1] += ', ' + value;
        continue;
      }
    }
    out.push(name, value);
  }
  if (varyAt === -1) out.push('Vary', 'Accept-Encoding');
  else if (!(listHasToken(out[varyAt + 1]!, 'accept-encoding') || listHasToken(out[varyAt + 1]!, '*'))) out[varyAt + 1] += ', Accept-Encoding';
  if (compress) out.push('Content-Encoding', decision.encoding);
  return out;
}


function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > MAX_LENGTH_DIGITS) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
