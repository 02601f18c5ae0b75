/**
 * Terraform's values on the wire: a DynamicValue's `msgpack` bytes, read and written given the
 * value's cty type (the JSON form the schema's attributes carry: `"string"`, `["list", T]`,
 * `["object", {…}]`, …). Objects are maps keyed by attribute name, null is nil, sets and tuples
 * are arrays, and a value not known until apply is the MessagePack extension 0 (Terraform also
 * sends extension 12, an unknown with refinements), read as the UNKNOWN sentinel and written
 * back as extension 0. A value of the `dynamic` type travels as a pair: its type's JSON, then
 * the value.
 */
import { decode, encode, ExtData, ExtensionCodec } from '@msgpack/msgpack';

/** UNKNOWN stands for a value Terraform will know only at apply time. */
export const UNKNOWN: unique symbol = Symbol.for('gatehouse.terraform.unknown');
/** Unknown is the type of the UNKNOWN sentinel. */
export type Unknown = typeof UNKNOWN;

/** CtyType is a cty type in its JSON form. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', Readonly<Record<string, CtyType>>]
  | readonly ['object', Readonly<Record<string, CtyType>>, readonly string[]]
  | readonly ['tuple', readonly CtyType[]];

/** CtyValue is a decoded value: null, UNKNOWN, a primitive, an array (list, set, tuple) or an object (map, object). */
export type CtyValue = null | Unknown | string | number | boolean | CtyValue[] | { [key: string]: CtyValue };

/** UNKNOWN_EXTENSION is the extension type of an unknown value; REFINED_UNKNOWN_EXTENSION, of one with refinements. */
const UNKNOWN_EXTENSION = 0;
const REFINED_UNKNOWN_EXTENSION = 12;

/** CtyCodecError says why bytes or a value do not fit the type, with the path to the place. */
export class CtyCodecError extends Error {
  /** path is the attribute names and element keys from the root to the faulty place. */
  readonly path: readonly (string | number)[];
  constructor(message: string, path: readonly (string | number)[]) {
    super(path.length > 0 ? `${message} at ${path.join('.')}` : message);
    this.name = 'CtyCodecError';
    this.path = path;
  }
}

/** UnknownMarker is what the extension codec reads an unknown value as, before the type is applied. */
class UnknownMarker {}
const UNKNOWN_MARKER = new UnknownMarker();

const extensionCodec = new ExtensionCodec();
for (const type of [UNKNOWN_EXTENSION, REFINED_UNKNOWN_EXTENSION]) {
  extensionCodec.register({
    type,
    encode: () => null,
    decode: () => UNKNOWN_MARKER,
  });
}

/** decodeCty reads `msgpack` bytes as a value of the given type. */
export function decodeCty(bytes: Uint8Array, type: CtyType): CtyValue {
  const raw = decode(bytes, { extensionCodec, useBigInt64: false });
  return fromRaw(raw, type, []);
}

/** encodeCty writes a value of the given type as `msgpack` bytes. */
export function encodeCty(value: CtyValue, type: CtyType): Uint8Array {
  return encode(toRaw(value, type, []), { extensionCodec, ignoreUndefined: false, forceIntegerToFloat: false });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof UnknownMarker);
}

function fromRaw(raw: unknown, type: CtyType, path: (string | number)[]): CtyValue {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof UnknownMarker) return UNKNOWN;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof raw === 'string') return raw;
        break;
      case 'bool':
        if (typeof raw === 'boolean') return raw;
        break;
      case 'number':
        if (typeof raw === 'number') return raw;
        // A number too large or too precise for a float travels as its decimal text.
        if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
        break;
      case 'dynamic': {
        if (!Array.isArray(raw) || raw.length !== 2 || !(raw[0] instanceof Uint8Array)) break;
        const inner = JSON.parse(new TextDecoder().decode(raw[0])) as CtyType;
        return fromRaw(raw[1], inner, path);
      }
    }
    throw new CtyCodecError(`expected a ${type}, got ${describe(raw)}`, path);
  }
  const [kind, element] = type;
  switch (kind) {
    case 'list':
    case 'set':
      if (!Array.isArray(raw)) throw new CtyCodecError(`expected a ${kind}, got ${describe(raw)}`, path);
      return raw.map((item, i) => fromRaw(item, element, [...path, i]));
    case 'tuple':
      if (!Array.isArray(raw) || raw.length !== element.length) throw new CtyCodecError(`expected a tuple of ${element.length}, got ${describe(raw)}`, path);
      return raw.map((item, i) => fromRaw(item, element[i]!, [...path, i]));
    case 'map': {
      if (!isObject(raw)) throw new CtyCodecError(`expected a map, got ${describe(raw)}`, path);
      const out: Record<string, CtyValue> = {};
      for (const [k, v] of Object.entries(raw)) out[k] = fromRaw(v, element, [...path, k]);
      return out;
    }
    case 'object': {
      if (!isObject(raw)) throw new CtyCodecError(`expected an object, got ${describe(raw)}`, path);
      const out: Record<string, CtyValue> = {};
      for (const [name, attrType] of Object.entries(element)) out[name] = fromRaw(raw[name], attrType, [...path, name]);
      return out;
    }
  }
}

function toRaw(value: CtyValue | undefined, type: CtyType, path: (string | number)[]): unknown {
  if (value === null || value === undefined) return null;
  if (value === UNKNOWN) return new ExtData(UNKNOWN_EXTENSION, new Uint8Array([0]));
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        break;
      case 'dynamic':
        return [new TextEncoder().encode(JSON.stringify(typeOfValue(value))), toRaw(value, typeOfValue(value), path)];
    }
    throw new CtyCodecError(`expected a ${type}, got ${describe(value)}`, path);
  }
  const [kind, element] = type;
  switch (kind) {
    case 'list':
    case 'set':
      if (!Array.isArray(value)) throw new CtyCodecError(`expected a ${kind}, got ${describe(value)}`, path);
      return value.map((item, i) => toRaw(item, element, [...path, i]));
    case 'tuple':
      if (!Array.isArray(value) || value.length !== element.length) throw new CtyCodecError(`expected a tuple of ${element.length}, got ${describe(value)}`, path);
      return value.map((item, i) => toRaw(item, element[i]!, [...path, i]));
    case 'map': {
      if (!isObject(value)) throw new CtyCodecError(`expected a map, got ${describe(value)}`, path);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = toRaw(v, element, [...path, k]);
      return out;
    }
    case 'object': {
      if (!isObject(value)) throw new CtyCodecError(`expected an object, got ${describe(value)}`, path);
      const out: Record<string, unknown> = {};
      for (const [name, attrType] of Object.entries(element)) out[name] = toRaw(value[name], attrType, [...path, name]);
      return out;
    }
  }
}

/** typeOfValue gives a known value the cty type it is written with when its declared type is `dynamic`. */
function typeOfValue(value: CtyValue): CtyType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return ['tuple', value.map(typeOfValue)];
  if (value === null || value === UNKNOWN) return 'dynamic';
  return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeOfValue(v)]))];
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof ExtData) return `extension ${v.type}`;
  return typeof v === 'object' ? 'a map' : `a ${typeof v}`;
}
