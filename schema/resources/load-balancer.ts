/**
 * LoadBalancer (SPEC 1.1): the address its listeners bind to, its edition (which gates
 * mutual TLS, client-IP retrieval and custom TLS policies) and deletion protection.
 */
import { z } from 'zod';
import { fieldsWith, replaces } from '../field-facts.ts';
import type { DeepReadonly, ResourceKind, StoredResource } from '../resource-kind.ts';
import { commonOutputShape, ipLiteral, optionalShape, resourceName } from './common.ts';
import { tagsField } from './tags.ts';

/** EDITIONS are the load balancer editions, from least to most capable. */
export const EDITIONS = ['Basic', 'Standard', 'StandardWithWaf'] as const;
/** Edition is one load balancer edition. */
export type Edition = (typeof EDITIONS)[number];

/** DEFAULT_LB_ADDRESS is where listeners bind unless told otherwise: loopback, safe by default. */
export const DEFAULT_LB_ADDRESS = '127.0.0.1';

const addressField = replaces(ipLiteral('The address the listeners bind to; `0.0.0.0` / `::` = all addresses.'));

const lbMutableShape = {
  name: resourceName('load balancer'),
  edition: z
    .enum(EDITIONS)
    .default('Standard')
    .describe('Edition: `Basic`, `Standard` or `StandardWithWaf`. May change Basic→Standard/StandardWithWaf and StandardWithWaf→Standard; never back to Basic.'),
  deletionProtection: z.boolean().default(false).describe('When true, deleting the load balancer is refused (409 DELETION_PROTECTED).'),
  tags: tagsField(),
};

const lbOutputShape = {
  status: z.enum(['Active']).describe('Always `Active`.'),
};

/** loadBalancerCreateSchema is the strict create body of a LoadBalancer. */
export const loadBalancerCreateSchema = z
  .strictObject({ address: addressField.default(DEFAULT_LB_ADDRESS), ...lbMutableShape })
  .describe('A load balancer: the address its listeners bind to and its edition.');

/** loadBalancerUpdateSchema is the strict PUT body of a LoadBalancer. */
export const loadBalancerUpdateSchema = z
  .strictObject({
    address: addressField.optional(),
    ...lbMutableShape,
    ...optionalShape(commonOutputShape),
    ...optionalShape(lbOutputShape),
  })
  .describe('The full desired state of a load balancer (PUT).');

/** loadBalancerOutputSchema is a LoadBalancer as every read returns it. */
export const loadBalancerOutputSchema = z
  .object({ ...commonOutputShape, address: addressField, ...lbMutableShape, ...lbOutputShape })
  .describe('A load balancer: the address its listeners bind to and its edition.');

/** LoadBalancerCreate is a parsed create body. */
export type LoadBalancerCreate = z.output<typeof loadBalancerCreateSchema>;
/** LoadBalancerOutput is a LoadBalancer as read. */
export type LoadBalancerOutput = z.output<typeof loadBalancerOutputSchema>;

/** loadBalancerStoredSchema is a load balancer as the store keeps it: all of its output. */
export const loadBalancerStoredSchema = loadBalancerOutputSchema;

/** loadBalancerSnapshotSchema is what the engine gets of a load balancer: the address and edition its listeners inherit. */
export const loadBalancerSnapshotSchema = z.strictObject({
  id: commonOutputShape.id,
  address: addressField,
  edition: lbMutableShape.edition,
});

/** SnapshotLoadBalancer is a load balancer in the engine snapshot. */
export type SnapshotLoadBalancer = DeepReadonly<z.output<typeof loadBalancerSnapshotSchema>>;

/** loadBalancerToSnapshot projects a stored load balancer into the engine snapshot. */
export function loadBalancerToSnapshot(stored: StoredResource<LoadBalancerOutput>): SnapshotLoadBalancer {
  return { id: stored.id, address: stored.body.address, edition: stored.body.edition };
}

/** LoadBalancer is the ResourceKind of load balancers. */
export const LoadBalancer: ResourceKind<typeof loadBalancerCreateSchema, typeof loadBalancerUpdateSchema, typeof loadBalancerOutputSchema, typeof loadBalancerStoredSchema> = {
  name: 'LoadBalancer',
  collection: 'load-balancers',
  idPrefix: 'alb-',
  token: 'gatehouse:index:LoadBalancer',
  create: loadBalancerCreateSchema,
  update: loadBalancerUpdateSchema,
  output: loadBalancerOutputSchema,
  stored: loadBalancerStoredSchema,
  replaceFields: fieldsWith(loadBalancerCreateSchema.shape, 'replaces'),
  secretFields: fieldsWith(loadBalancerCreateSchema.shape, 'secret'),
  outputFields: Object.keys(lbOutputShape),
  rules: [],
  listFilters: ['tag'],
  subRoutes: [],
  runtimeStatus: false,
  readTimeFields: [],
  fixedOutputs: { status: 'Active' },
  engineFaultField: '',
  systemResources: false,
};
