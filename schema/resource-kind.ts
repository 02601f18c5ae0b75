/**
 * ResourceKind describes one of the six resources of SPEC §1 as data, so that the server's
 * routes, the provider's check/diff and the SDK's classes are all driven by the same table.
 */
import type { z } from 'zod';
import type { FieldRule } from './field-rules.ts';

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

/**
 * LIST_FILTER_NAMES are the list filters of SPEC §3 a kind may accept besides paging:
 * `tag.<key>=<value>` (every tag given must match) and `loadBalancerId=`.
 */
export const LIST_FILTER_NAMES = ['tag', 'loadBalancerId'] as const;

/** ListFilterName is one list filter. */
export type ListFilterName = (typeof LIST_FILTER_NAMES)[number];

/** SUB_ROUTE_NAMES are the routes a kind may serve under one resource (`/v1/<collection>/{id}/<name>`). */
export const SUB_ROUTE_NAMES = ['health'] as const;

/** SubRouteName is one sub-route; the server has one handler per name. */
export type SubRouteName = (typeof SUB_ROUTE_NAMES)[number];

/** SubRoute is a read-only route under one resource of a kind: `GET /v1/<collection>/{id}/<name>`. */
export interface SubRoute {
  readonly name: SubRouteName;
  /** The OpenAPI operationId, e.g. `getServerGroupHealth`. */
  readonly operationId: string;
  /** One line saying what the route answers. */
  readonly summary: string;
  /** The body of its 200 answer. */
  readonly response: z.ZodType;
}

/** READ_TIME_FIELD_NAMES are outputs computed at every read from the stored body and the clock, never stored. */
export const READ_TIME_FIELD_NAMES = ['expired'] as const;

/** ReadTimeFieldName is one read-time output; the server computes each by name. */
export type ReadTimeFieldName = (typeof READ_TIME_FIELD_NAMES)[number];

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
  /**
   * The cross-field rules of its top-level body, as data (what each reads, what it requires);
   * the create and update schemas run them, nested objects keep their own beside their schema.
   */
  readonly rules: readonly FieldRule[];
  /** The filters its list accepts besides `limit` and `nextToken` (SPEC §3). */
  readonly listFilters: readonly ListFilterName[];
  /** The routes it serves under one resource, e.g. a server group's `health`. */
  readonly subRoutes: readonly SubRoute[];
  /**
   * Whether its reads carry the engine's `status` / `statusReason` for the stored version
   * (listeners); such reads first wait briefly for a pending apply, so a client reads its writes.
   */
  readonly runtimeStatus: boolean;
  /** The outputs a read computes from the stored body and the clock (a certificate's `expired`). */
  readonly readTimeFields: readonly ReadTimeFieldName[];
  /** Outputs every write stores with the same value, depending neither on the engine nor on the clock. */
  readonly fixedOutputs: Readonly<Record<string, unknown>>;
  /**
   * The field a dry run of this kind names when the engine cannot apply a listener the write
   * touches (a policy's `ciphers`, a certificate's `certificatePem`); `''` for the resource as a
   * whole. A written listener names its own field at fault instead.
   */
  readonly engineFaultField: string;
  /**
   * Whether read-only system resources ship with the product (the system TLS policies): listed
   * before the stored ones, readable by id, never written.
   */
  readonly systemResources: boolean;
}
