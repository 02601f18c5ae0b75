/**
 * What a decoded HTTP/3 field line must be (RFC 9114 §4.2, §10.3), judged with the same byte
 * classes as the HTTP/1.x front (http1/field-chars.ts), so that a field refused there is refused
 * here too and a backend never gets from HTTP/3 what HTTP/1 would not let through:
 *
 * - names are tokens in lower case (HTTP/3 has no upper case), or a `:` and such a token
 *   (pseudo-fields, judged later by the message's own rules);
 * - values hold no NUL, CR or LF (RFC 9114), nor — as on HTTP/1 — any other control but HTAB,
 *   nor DEL, and neither start nor end with SP or HTAB (RFC 9110 §5.5).
 */
import { FIELD_VALUE, TOKEN } from '../http1/field-chars.ts';

/** isValidFieldName tells whether a (latin1) name is a lower-case token, optionally after one leading `:`. */
export function isValidFieldName(name: string): boolean {
  const n = name.length;
  let i = name.charCodeAt(0) === 58 /* : */ ? 1 : 0;
  if (i === n) return false;
  for (; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return false;
    if (c > 255 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** isValidFieldValue tells whether a (latin1) value may be forwarded. */
export function isValidFieldValue(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  if (first === 32 || first === 9 || last === 32 || last === 9) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 255 || FIELD_VALUE[c] !== 1) return false;
  }
  return true;
}
