/**
 * Resource property values as the harness engine sees them, and their wire form.
 *
 * Pulumi carries unknowns, secrets, resource references and output values inside
 * google.protobuf.Struct using sentinel strings and "signature" objects. The harness keeps
 * them as small classes while it works (so a secret can never be confused with a plain
 * object) and converts at the gRPC boundary, honouring what each peer accepts.
 */
import type { JavaScriptValue } from 'google-protobuf/google/protobuf/struct_pb.js';
import { structPb, type Struct } from './grpc-stubs.ts';

/** UNKNOWN_SENTINEL is the string Pulumi uses for a value not known during preview. */
export const UNKNOWN_SENTINEL = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
/** SIG_KEY is the key that marks a signature object. */
export const SIG_KEY = '4dabf18193072939515e22adb298388d';
/** SECRET_SIG marks a secret: `{[SIG_KEY]: SECRET_SIG, value}` on the wire. */
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
/** RESOURCE_SIG marks a resource reference `{urn, id?, packageVersion?}`. */
export const RESOURCE_SIG = '5cf8f73096256a8f31e491e813e4eb8e';
/** OUTPUT_VALUE_SIG marks an output value `{value?, secret?, dependencies?}`. */
export const OUTPUT_VALUE_SIG = 'd0e6a833031e9bbcd3f4e8bde6ca49a4';

/** Unknown is the type of UNKNOWN: a value that will only be known after an update. */
export class Unknown {
  readonly kind = 'unknown';
}

/** UNKNOWN is the single unknown value; compare with `instanceof Unknown` or `===`. */
export const UNKNOWN: Unknown = Object.freeze(new Unknown());

/** Secret wraps a value that must stay secret in state, logs and program outputs. */
export class Secret {
  readonly value: PropertyValue;
  constructor(value: PropertyValue) {
    this.value = value;
  }
}

/** ResourceReference is a reference to another resource passed as a property. */
export class ResourceReference {
  readonly urn: string;
  readonly id: PropertyValue | undefined;
  readonly packageVersion: string;
  constructor(urn: string, id: PropertyValue | undefined, packageVersion = '') {
    this.urn = urn;
    this.id = id;
    this.packageVersion = packageVersion;
  }
}

/** PropertyValue is any value a resource property can hold. */
export type PropertyValue =
  | null
  | boolean
  | number
  | string
  | PropertyValue[]
  | PropertyMap
  | Unknown
  | Secret
  | ResourceReference;

/** PropertyMap is a resource's property bag (inputs or outputs). */
export interface PropertyMap {
  [key: string]: PropertyValue;
}

/** WireOptions says which special values a peer accepts; the rest are lowered. */
export interface WireOptions {
  keepSecrets: boolean;
  keepResources: boolean;
}

/** isPlainObject tells a property map apart from the special value classes and arrays. */
export function isPlainObject(v: unknown): v is PropertyMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) &&
    !(v instanceof Unknown) && !(v instanceof Secret) && !(v instanceof ResourceReference);
}

/** decodeWire turns a JSON value from the wire (or state) into a PropertyValue. */
export function decodeWire(v: unknown): PropertyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v === UNKNOWN_SENTINEL ? UNKNOWN : v;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(decodeWire);
  if (typeof v !== 'object') throw new TypeError(`unsupported wire value of type ${typeof v}`);
  const o = v as Record<string, unknown>;
  const sig = o[SIG_KEY];
  if (sig === SECRET_SIG) return new Secret(decodeWire(o['value']));
  if (sig === RESOURCE_SIG) {
    const id = 'id' in o ? decodeWire(o['id']) : undefined;
    return new ResourceReference(String(o['urn']), id, typeof o['packageVersion'] === 'string' ? o['packageVersion'] : '');
  }
  if (sig === OUTPUT_VALUE_SIG) {
    const inner = 'value' in o ? decodeWire(o['value']) : UNKNOWN;
    return o['secret'] === true ? new Secret(inner) : inner;
  }
  // Assets and archives keep their signature object form; the harness never looks inside them.
  const out: PropertyMap = {};
  for (const [k, x] of Object.entries(o)) {
    if (x !== undefined) out[k] = decodeWire(x);
  }
  return out;
}

/** encodeWire turns a PropertyValue into the JSON a peer with `opts` accepts. */
export function encodeWire(v: PropertyValue, opts: WireOptions): unknown {
  if (v instanceof Unknown) return UNKNOWN_SENTINEL;
  if (v instanceof Secret) {
    const inner = encodeWire(v.value, opts);
    return opts.keepSecrets ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
  }
  if (v instanceof ResourceReference) {
    if (!opts.keepResources) {
      // A peer that does not accept references gets the id of a custom resource, or the urn.
      return v.id === undefined || v.id === '' ? v.urn : encodeWire(v.id, opts);
    }
    const ref: Record<string, unknown> = { [SIG_KEY]: RESOURCE_SIG, urn: v.urn };
    if (v.id !== undefined) ref['id'] = encodeWire(v.id, opts);
    if (v.packageVersion) ref['packageVersion'] = v.packageVersion;
    return ref;
  }
  if (Array.isArray(v)) return v.map((x) => encodeWire(x, opts));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeWire(x, opts);
    return out;
  }
  return v;
}

/** structToMap decodes an optional protobuf Struct into a PropertyMap. */
export function structToMap(s: Struct | undefined): PropertyMap {
  if (!s) return {};
  const v = decodeWire(s.toJavaScript());
  return isPlainObject(v) ? v : {};
}

/** mapToStruct encodes a PropertyMap as a protobuf Struct for a peer with `opts`. */
export function mapToStruct(m: PropertyMap, opts: WireOptions): Struct {
  return structPb.Struct.fromJavaScript(encodeWire(m, opts) as Record<string, JavaScriptValue>);
}

/** deepEqual compares two property values structurally (secrets compare by content and secretness). */
export function deepEqual(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (a instanceof Secret || b instanceof Secret) {
    return a instanceof Secret && b instanceof Secret && deepEqual(a.value, b.value);
  }
  if (a instanceof ResourceReference || b instanceof ResourceReference) {
    return a instanceof ResourceReference && b instanceof ResourceReference && a.urn === b.urn && deepEqual(a.id, b.id);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** containsUnknowns tells whether any part of a value is unknown. */
export function containsUnknowns(v: PropertyValue): boolean {
  if (v instanceof Unknown) return true;
  if (v instanceof Secret) return containsUnknowns(v.value);
  if (Array.isArray(v)) return v.some(containsUnknowns);
  if (isPlainObject(v)) return Object.values(v).some(containsUnknowns);
  return false;
}

/** unwrapSecrets removes every secret marker, for values handed to test code. */
export function unwrapSecrets(v: PropertyValue): PropertyValue {
  if (v instanceof Secret) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (isPlainObject(v)) {
    const out: PropertyMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = unwrapSecrets(x);
    return out;
  }
  return v;
}

/** toPlain converts a value for test code: secrets unwrapped, unknowns as the sentinel string. */
export function toPlain(v: PropertyValue): unknown {
  return encodeWire(unwrapSecrets(v), { keepSecrets: false, keepResources: false });
}

/**
 * annotateSecrets marks values in `outputs` secret where the same path in `inputs` was secret,
 * as the engine does, so a provider that returns a secret input in the clear cannot leak it.
 */
export function annotateSecrets(outputs: PropertyMap, inputs: PropertyMap): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(outputs)) {
    const i = inputs[k];
    if (i instanceof Secret && !(v instanceof Secret)) out[k] = new Secret(v);
    else if (isPlainObject(i) && isPlainObject(v)) out[k] = annotateSecrets(v, i);
    else out[k] = v;
  }
  return out;
}

/** markSecret wraps the named top-level properties as secrets (additionalSecretOutputs). */
export function markSecret(m: PropertyMap, names: readonly string[]): PropertyMap {
  if (names.length === 0) return m;
  const out: PropertyMap = { ...m };
  for (const n of names) {
    const v = out[n];
    if (v !== undefined && !(v instanceof Secret)) out[n] = new Secret(v);
  }
  return out;
}

/** changedKeys lists the top-level keys whose values differ between two maps. */
export function changedKeys(olds: PropertyMap, news: PropertyMap): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => k !== '__defaults' && !deepEqual(olds[k], news[k])).sort();
}
