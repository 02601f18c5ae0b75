/**
 * Two scans over request JSON that never recurse, so that no body, however it is nested, can
 * exhaust the stack: the nesting depth of the text before it is parsed, and the fields of a
 * parsed body that hold text which was not valid UTF-8 on the wire.
 */
import { formatPath } from '../../schema/field-path.ts';

/**
 * MAX_JSON_DEPTH is the deepest nesting of arrays and objects a request body may have. The
 * deepest real body (a listener's forwardedHeaders.clientIp.trustedProxies) is four levels;
 * 64 leaves room for any future model while keeping every recursive consumer (zod, the
 * canonical JSON of idempotency fingerprints, JSON.stringify) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** MAX_REPORTED_FIELDS bounds how many fields one answer names, so an error stays small. */
export const MAX_REPORTED_FIELDS = 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * exceedsDepth tells whether JSON text nests arrays and objects deeper than `max`. It reads
 * the text once, skipping strings, and stops at the first bracket too deep; it does not check
 * the syntax (JSON.parse does that afterwards, on text now known to be shallow).
 */
export function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * fieldsHolding lists the paths (`tags.env`, `servers[0].description`) of the strings in a
 * parsed value that contain `needle`, object keys included (a key's own path names it), at
 * most MAX_REPORTED_FIELDS of them, in document order.
 */
export function fieldsHolding(value: unknown, needle: string): string[] {
  const found: string[] = [];
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  while (stack.length > 0 && found.length < MAX_REPORTED_FIELDS) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(needle)) found.push(formatPath(path));
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const child = (v as Record<string, unknown>)[key];
        // A key that holds the needle is reported once, at its own path, instead of its value.
        if (key.includes(needle)) stack.push({ value: needle, path: [...path, key] });
        else stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return found;
}
