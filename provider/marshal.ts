/**
 * Property values between the Pulumi wire form (google.protobuf.Struct with sentinel strings and
 * signature objects) and the plain values the provider works on.
 *
 * The provider decodes every Struct once at the gRPC boundary: secrets are unwrapped and their
 * paths remembered, unknowns become the UNKNOWN symbol (a symbol cannot be serialised, so an
 * unknown can never slip into an API request body), resource references become their ids.
 * Encoding puts the secret wrappers back at the remembered paths. The decoding of plain wire
 * data is `schema/pulumi-state/values.ts`, shared with `gatehouse drift` and the API's drift
 * route; this module adds the Struct conversions.
 */
import structPb from 'google-protobuf/google/protobuf/struct_pb.js';
import { decodeWire, encodeMap, type Decoded, type PropertyMap } from '../schema/pulumi-state/values.ts';

export * from '../schema/pulumi-state/values.ts';

/** Struct is google.protobuf.Struct, the carrier of every property map. */
export type Struct = import('google-protobuf/google/protobuf/struct_pb.js').Struct;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** structToJs converts a Struct (possibly absent) to its JavaScript form, sentinels intact. */
export function structToJs(struct: Struct | undefined): Record<string, unknown> {
  return struct ? struct.toJavaScript() : {};
}

/** jsToStruct converts a wire-form JavaScript object to a Struct (undefined entries dropped). */
export function jsToStruct(obj: Record<string, unknown>): Struct {
  return structPb.Struct.fromJavaScript(dropUndefined(obj) as Record<string, never>);
}

function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : dropUndefined(x)));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = dropUndefined(x);
    return out;
  }
  return v;
}

/** decodeStruct decodes a request Struct: secrets unwrapped (paths kept), unknowns as UNKNOWN. */
export function decodeStruct(struct: Struct | undefined): Decoded {
  return decodeWire(structToJs(struct));
}

/** encodeStruct renders a decoded map as a Struct with secrets wrapped. */
export function encodeStruct(value: PropertyMap, secretPaths: Iterable<string> = []): Struct {
  return jsToStruct(encodeMap(value, secretPaths));
}

