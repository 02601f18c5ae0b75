/**
 * LoadBalancer (SPEC 1.1): the address its listeners bind to, its edition and deletion
 * protection, as a Pulumi resource class.
 */
import * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import { LoadBalancer as kind, type loadBalancerCreateSchema, type LoadBalancerOutput } from '../schema/resources/load-balancer.ts';
import { hasPulumiType, prepareRegistration } from './registration.ts';
import type { Inputs, OutputProperties, ResourceFields, StateInputs } from './types.ts';

type Fields = ResourceFields<LoadBalancerOutput, z.input<typeof loadBalancerCreateSchema>>;

/** LoadBalancerArgs are the arguments of a LoadBalancer: `name` is required, the rest has defaults. */
export interface LoadBalancerArgs extends Inputs<z.input<typeof loadBalancerCreateSchema>> {}

/** LoadBalancerState is the optional state a program passes to `LoadBalancer.get`. */
export interface LoadBalancerState extends StateInputs<Fields> {}

/** LoadBalancer exposes every field of the resource as an Output (declared here, set by the Pulumi runtime). */
export interface LoadBalancer extends OutputProperties<Fields> {}

/**
 * LoadBalancer is a Gatehouse load balancer: the address its listeners bind to, its edition and
 * its deletion protection.
 */
export class LoadBalancer extends pulumi.CustomResource {
  /** __pulumiType is the type token the engine and the provider know this resource by. */
  static readonly __pulumiType: string = kind.token;

  /** get looks up an existing load balancer by id, optionally with extra state. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: LoadBalancerState, opts?: pulumi.CustomResourceOptions): LoadBalancer {
    return new LoadBalancer(name, state as LoadBalancerArgs, { ...opts, id });
  }

  /** isInstance tells whether an object is a LoadBalancer, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is LoadBalancer {
    return hasPulumiType(obj, LoadBalancer.__pulumiType);
  }

  /** Creates a load balancer; throws at once when a known argument value is invalid, naming the property. */
  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.CustomResourceOptions) {
    const { inputs, opts: merged } = prepareRegistration(kind, name, args, opts);
    super(LoadBalancer.__pulumiType, name, inputs, merged);
  }
}
