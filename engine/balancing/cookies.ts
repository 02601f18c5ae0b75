/**
 * Cookie reading for sticky sessions: the value of one cookie in a request's Cookie field
 * (RFC 6265 §5.4 form `a=1; b=2`), and the name, value and deletion of a Set-Cookie field.
 * One scan, no splitting into arrays: only the wanted value is sliced out.
 */

/** cookieValue returns the value of cookie `name` in a Cookie field value, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const n = name.length;
  let start = 0;
  while (start < header.length) {
    while (start < header.length && (header.charCodeAt(start) === 32 || header.charCodeAt(start) === 9)) start++;
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    if (header.charCodeAt(start + n) === 61 /* = */ && header.startsWith(name, start) && start + n < end) {
      let vs = start + n + 1;
      let ve = end;
      while (ve > vs && (header.charCodeAt(ve - 1) === 32 || header.charCodeAt(ve - 1) === 9)) ve--;
      if (ve - vs >= 2 && header.charCodeAt(vs) === 34 && header.charCodeAt(ve - 1) === 34) {
        vs++;
        ve--;
      }
      return header.slice(vs, ve);
    }
    start = end + 1;
  }
  return undefined;
}

/** SetCookie is what sticky sessions need from one Set-Cookie field. */
export interface SetCookie {
  readonly value: string;
  /** True when the field deletes the cookie (Max-Age ≤ 0 or an empty value). */
  readonly deletes: boolean;
}

/** readSetCookie returns the value a Set-Cookie field sets for cookie `name`, or undefined when it is about another cookie. */
export function readSetCookie(field: string, name: string): SetCookie | undefined {
  let start = 0;
  while (start < field.length && (field.charCodeAt(start) === 32 || field.charCodeAt(start) === 9)) start++;
  if (!field.startsWith(name, start) || field.charCodeAt(start + name.length) !== 61) return undefined;
  let end = field.indexOf(';', start);
  if (end === -1) end = field.length;
  let vs = start + name.length + 1;
  let ve = end;
  while (vs < ve && field.charCodeAt(vs) === 32) vs++;
  while (ve > vs && field.charCodeAt(ve - 1) === 32) ve--;
  if (ve - vs >= 2 && field.charCodeAt(vs) === 34 && field.charCodeAt(ve - 1) === 34) {
    vs++;
    ve--;
  }
  const value = field.slice(vs, ve);
  let deletes = value.length === 0;
  if (!deletes && end < field.length) {
    const attrs = field.slice(end).toLowerCase();
    const at = attrs.indexOf('max-age=');
    if (at !== -1) {
      const c = attrs.charCodeAt(at + 8);
      deletes = c === 45 /* - */ || (c === 48 /* 0 */ && !(attrs.charCodeAt(at + 9) >= 48 && attrs.charCodeAt(at + 9) <= 57));
    }
  }
  return { value, deletes };
}
