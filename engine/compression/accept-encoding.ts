/**
 * Accept-Encoding parsing (RFC 9110 12.5.3) reduced to the two codings the engine produces:
 * the answer is a bit set, so the per-request decision allocates nothing but the lower-cased
 * header value.
 */

/** ACCEPTS_BR is set when the client accepts Brotli (q > 0). */
export const ACCEPTS_BR = 1;
/** ACCEPTS_GZIP is set when the client accepts gzip (q > 0). */
export const ACCEPTS_GZIP = 2;

/**
 * acceptedEncodings returns ACCEPTS_BR | ACCEPTS_GZIP for an Accept-Encoding value. A coding
 * counts when listed with q > 0 (`gzip;q=0` refuses it); `x-gzip` is gzip; `*` stands for
 * every coding not listed by name. An absent header means "no preference", which RFC 9110
 * allows to be answered with anything, but a proxy that compresses for it breaks clients that
 * never said they decode: absent = nothing accepted.
 */
export function acceptedEncodings(value: string | undefined): number {
  if (value === undefined || value.length === 0) return 0;
  const lower = value.toLowerCase();
  let br = -1;
  let gzip = -1;
  let star = -1;
  let start = 0;
  while (start < lower.length) {
    let comma = lower.indexOf(',', start);
    if (comma === -1) comma = lower.length;
    let semi = lower.indexOf(';', start);
    if (semi === -1 || semi > comma) semi = comma;
    const name = lower.slice(start, semi).trim();
    const q = semi < comma ? qValue(lower, semi + 1, comma) : 1;
    if (name === 'br') br = q;
    else if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip, q);
    else if (name === '*') star = q;
    start = comma + 1;
  }
  if (br === -1) br = star;
  if (gzip === -1) gzip = star;
  return (br > 0 ? ACCEPTS_BR : 0) | (gzip > 0 ? ACCEPTS_GZIP : 0);
}

/** qValue reads `q=<number>` among the parameters in `s[start, end)`; 1 when absent, 0 when malformed. */
function qValue(s: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    let semi = s.indexOf(';', i);
    if (semi === -1 || semi > end) semi = end;
    const eq = s.indexOf('=', i);
    if (eq !== -1 && eq < semi && s.slice(i, eq).trim() === 'q') {
      const text = s.slice(eq + 1, semi).trim();
      const q = Number(text);
      return text.length > 0 && q >= 0 && q <= 1 ? q : 0;
    }
    i = semi + 1;
  }
  return 1;
}
