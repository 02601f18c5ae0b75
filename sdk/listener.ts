/**
 * Listener (SPEC 1.2: an HTTP or HTTPS listener with certificates, TLS policy, mutual TLS, timeouts, compression and forwarded headers), as a Pulumi resource class.
 */
import * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import { Listener as kind, type listenerCreateSchema, type ListenerOutput } from '../schema/resources/listener.ts';
import { hasPulumiType, prepareRegistration } from './registration.ts';
import type { Inputs, OutputProperties, ResourceFields, StateInputs } from './types.ts';

type Fields = ResourceFields<ListenerOutput, z.input<typeof listenerCreateSchema>>;

/** ListenerArgs are the arguments of a Listener: loadBalancerId, protocol, port and defaultServerGroupId are required; an HTTPS listener also needs certificates. Fields marked HTTPS only are refused on an HTTP listener. */
export interface ListenerArgs extends Inputs<z.input<typeof listenerCreateSchema>> {}

/** ListenerState is the optional state a program passes to `Listener.get`. */
export interface ListenerState extends StateInputs<Fields> {}

/** Listener exposes every field of the resource as an Output (declared here, set by the Pulumi runtime). */
export interface Listener extends OutputProperties<Fields> {}

/**
 * Listener is an HTTP or HTTPS listener of a load balancer.
 */
export class Listener extends pulumi.CustomResource {
  /** __pulumiType is the type token the engine and the provider know this resource by. */
  static readonly __pulumiType: string = kind.token;

  /** get looks up an existing resource of this type by id, optionally with extra state. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: ListenerState, opts?: pulumi.CustomResourceOptions): Listener {
    return new Listener(name, state as ListenerArgs, { ...opts, id });
  }

  /** isInstance tells whether an object is a Listener, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is Listener {
    return hasPulumiType(obj, Listener.__pulumiType);
  }

  /** Creates the resource; throws at once when a known argument value is invalid, naming the property. */
  constructor(name: string, args: ListenerArgs, opts?: pulumi.CustomResourceOptions) {
    const { inputs, opts: merged } = prepareRegistration(kind, name, args, opts);
    super(Listener.__pulumiType, name, inputs, merged);
  }
}
