/**
 * Pulumi property values as plain data: the wire form of a property map (sentinel strings and
 * signature objects, as in a Struct or a `pulumi stack export`) decoded into the values the
 * provider, `gatehouse drift` and the API's drift route work on, and encoded back. Secrets are
 * unwrapped and their paths remembered, unknowns become the UNKNOWN symbol (a symbol cannot be
 * serialised, so an unknown can never slip into an API request body), resource references
 * become their ids. Pure and free of protobuf, so the server and the console can load it; the
 * provider's `marshal.ts` adds the Struct conversions at its gRPC boundary.
 */
import { formatPath } from '../field-path.ts';

/** UNKNOWN_SENTINEL is the string the engine sends for a value not known during preview. */
export const UNKNOWN_SENTINEL = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
/** SIG_KEY marks a signature object (secret, resource reference, output value, asset). */
export const SIG_KEY = '4dabf18193072939515e22adb298388d';
/** SECRET_SIG marks `{[SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
/** RESOURCE_SIG marks a resource reference `{urn, id?, packageVersion?}`. */
export const RESOURCE_SIG = '5cf8f73096256a8f31e491e813e4eb8e';
/** OUTPUT_SIG marks an output value `{value?, secret?, dependencies?}`. */
export const OUTPUT_SIG = 'd0e6a833031e9bbcd3f4e8bde6ca49a4';

/** UNKNOWN stands for a value that is only known after the update. */
export const UNKNOWN: unique symbol = Symbol('unknown');

/** Value is a decoded property value: JSON plus UNKNOWN. */
export type Value = null | boolean | number | string | typeof UNKNOWN | Value[] | { [key: string]: Value };

/** PropertyMap is a decoded property map (the inputs or outputs of one resource). */
export type PropertyMap = { [key: string]: Value };

/** Decoded is a property map with the paths (`a.b[1]`) whose values were secret. */
export interface Decoded {
  value: PropertyMap;
  secretPaths: string[];
}

type Segment = string | number;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** isUnknown tells whether a decoded value is UNKNOWN. */
export function isUnknown(v: unknown): v is typeof UNKNOWN {
  return v === UNKNOWN;
}

/** containsUnknown tells whether a decoded value is or holds an UNKNOWN anywhere. */
export function containsUnknown(v: Value | undefined): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isPlainObject(v)) return Object.values(v).some((x) => containsUnknown(x));
  return false;
}

/** decodeWire decodes a wire-form JavaScript map (as in a stack export or a Struct). */
export function decodeWire(wire: Record<string, unknown>): Decoded {
  const secretPaths: string[] = [];
  const value: PropertyMap = {};
  for (const [k, v] of Object.entries(wire)) value[k] = decodeValue(v, [k], secretPaths);
  return { value, secretPaths };
}

function decodeValue(v: unknown, path: Segment[], secrets: string[]): Value {
  if (v === UNKNOWN_SENTINEL) return UNKNOWN;
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, [...path, i], secrets));
  if (!isPlainObject(v)) return null;
  const sig = v[SIG_KEY];
  if (sig === SECRET_SIG) {
    secrets.push(formatPath(path));
    return decodeValue(v.value, path, secrets);
  }
  if (sig === RESOURCE_SIG) {
    // A resource passed where an id is expected stands for its id; without one it is not known yet.
    const id = v.id;
    return typeof id === 'string' && id !== '' && id !== UNKNOWN_SENTINEL ? id : UNKNOWN;
  }
  if (sig === OUTPUT_SIG) {
    if (v.secret === true) secrets.push(formatPath(path));
    return Object.hasOwn(v, 'value') ? decodeValue(v.value, path, secrets) : UNKNOWN;
  }
  const out: PropertyMap = {};
  for (const [k, x] of Object.entries(v)) out[k] = decodeValue(x, [...path, k], secrets);
  return out;
}

/**
 * encodeMap renders a decoded map in wire form, wrapping the values at `secretPaths` as
 * secrets. A secret path that does not exist in the map is ignored; a secret path inside an
 * UNKNOWN wraps the unknown (the engine then knows the eventual value is secret).
 */
export function encodeMap(value: PropertyMap, secretPaths: Iterable<string> = []): Record<string, unknown> {
  const secrets = new Set(secretPaths);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v, [k], secrets);
  return out;
}

function encodeValue(v: Value, path: Segment[], secrets: ReadonlySet<string>): unknown {
  let out: unknown;
  if (v === UNKNOWN) out = UNKNOWN_SENTINEL;
  else if (Array.isArray(v)) out = v.map((x, i) => encodeValue(x, [...path, i], secrets));
  else if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = encodeValue(x, [...path, k], secrets);
    out = o;
  } else out = v;
  return secrets.size > 0 && secrets.has(formatPath(path)) ? { [SIG_KEY]: SECRET_SIG, value: out } : out;
}

/** unknownPaths lists the paths of every UNKNOWN in a map; an array holding one counts as unknown as a whole. */
export function unknownPaths(value: PropertyMap): string[] {
  const out: string[] = [];
  const walk = (v: Value, path: Segment[]): void => {
    if (v === UNKNOWN || (Array.isArray(v) && v.some(containsUnknown))) {
      out.push(formatPath(path));
      return;
    }
    if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  for (const [k, v] of Object.entries(value)) walk(v, [k]);
  return out;
}

/** withoutUnknowns drops every UNKNOWN entry (and every array that holds one) from a map, deeply. */
export function withoutUnknowns(value: PropertyMap): PropertyMap {
  const strip = (obj: Record<string, Value>): PropertyMap => {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === UNKNOWN || (Array.isArray(v) && v.some(containsUnknown))) continue;
      out[k] = isPlainObject(v) ? strip(v) : v;
    }
    return out;
  };
  return strip(value);
}

/** topLevelKey returns the first segment of a property path (`forwardedHeaders.proto` → `forwardedHeaders`). */
export function topLevelKey(path: string): string {
  const m = /^([^.[]+)/.exec(path);
  if (m?.[1]) return m[1];
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path);
  return quoted?.[1] !== undefined ? (JSON.parse(`"${quoted[1]}"`) as string) : path;
}

/** toPlain asserts a decoded value holds no UNKNOWN and returns it as JSON data. */
export function toPlain(value: PropertyMap): Record<string, unknown> {
  if (containsUnknown(value)) throw new Error('a value is not known yet');
  return value;
}

/** sameValue compares two JSON values structurally (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameValue(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => sameValue(ao[k], bo[k]));
}
