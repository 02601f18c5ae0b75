/**
 * ResourceKind describes one of the six resources of SPEC §1 as data, so that the server's
 * routes, the provider's check/diff and the SDK's classes are all driven by the same table.
 */
import type { z } from 'zod';

/** RESOURCE_KIND_NAMES are the six resource type names, as in the Pulumi tokens. */
export const RESOURCE_KIND_NAMES = [
  'LoadBalancer',
  'Listener',
  'QuicListener',
  'Certificate',
  'TlsSecurityPolicy',
  'ServerGroup',
] as const;

/** ResourceKindName is one resource type name. */
export type ResourceKindName = (typeof RESOURCE_KIND_NAMES)[number];

/**
 * StoredResource is a resource as the store keeps it: its id, its version and its output body,
 * validated when it was written (every default applied), which a kind projects into the engine
 * snapshot.
 */
export interface StoredResource<Body> {
  readonly id: string;
  readonly version: number;
  readonly body: Body;
}

/** DeepReadonly is a plain-data type made read-only at every level, as the engine receives it. */
export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** ResourceKind is the contract of one resource: its schemas, its id prefix, its replace fields. */
export interface ResourceKind<
  Create extends z.ZodType = z.ZodType,
  Update extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
  Stored extends z.ZodType = z.ZodType,
> {
  readonly name: ResourceKindName;
  /** The API collection, e.g. `load-balancers`. */
  readonly collection: string;
  /** The id prefix, e.g. `alb-`. */
  readonly idPrefix: string;
  /** The Pulumi type token, e.g. `gatehouse:index:LoadBalancer`. */
  readonly token: string;
  /** Strict create input; parsing applies every default. */
  readonly create: Create;
  /**
   * Strict PUT body: the mutable fields (omitted optional ones take their defaults), the
   * replace fields (optional, checked against the stored values), and the read-only outputs
   * (optional, ignored) so that what GET returned can be sent back.
   */
  readonly update: Update;
  /** The resource as every read returns it. */
  readonly output: Output;
  /** The resource as the store keeps it: the output without what is computed at read time. */
  readonly stored: Stored;
  /** Top-level input fields that cannot change in place (409 IMMUTABLE_FIELD / replacement). */
  readonly replaceFields: readonly string[];
  /** Input fields that are secret and write-only (never returned by a read). */
  readonly secretFields: readonly string[];
  /** Read-only output fields (besides id, version, createdAt, updatedAt). */
  readonly outputFields: readonly string[];
}
