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

/** ResourceKind is the contract of one resource: its schemas, its id prefix, its replace fields. */
export interface ResourceKind<
  Create extends z.ZodType = z.ZodType,
  Update extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
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
  /** Top-level input fields that cannot change in place (409 IMMUTABLE_FIELD / replacement). */
  readonly replaceFields: readonly string[];
  /** Input fields that are secret and write-only (never returned by a read). */
  readonly secretFields: readonly string[];
  /** Read-only output fields (besides id, version, createdAt, updatedAt). */
  readonly outputFields: readonly string[];
}
