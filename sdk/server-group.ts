/**
 * ServerGroup (SPEC 1.6: backend servers with scheduling, health checks, stickiness and draining), as a Pulumi resource class.
 */
import * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import { ServerGroup as kind, type serverGroupCreateSchema, type ServerGroupOutput } from '../schema/resources/server-group.ts';
import { hasPulumiType, prepareRegistration } from './registration.ts';
import type { Inputs, OutputProperties, ResourceFields, StateInputs } from './types.ts';

type Fields = ResourceFields<ServerGroupOutput, z.input<typeof serverGroupCreateSchema>>;

/** ServerGroupArgs are the arguments of a ServerGroup: `name` is required; servers, scheduler, health check, stickiness and draining have defaults. */
export interface ServerGroupArgs extends Inputs<z.input<typeof serverGroupCreateSchema>> {}

/** ServerGroupState is the optional state a program passes to `ServerGroup.get`. */
export interface ServerGroupState extends StateInputs<Fields> {}

/** ServerGroup exposes every field of the resource as an Output (declared here, set by the Pulumi runtime). */
export interface ServerGroup extends OutputProperties<Fields> {}

/**
 * ServerGroup is a group of backend servers with scheduling, health checks, session persistence and connection draining.
 */
export class ServerGroup extends pulumi.CustomResource {
  /** __pulumiType is the type token the engine and the provider know this resource by. */
  static readonly __pulumiType: string = kind.token;

  /** get looks up an existing resource of this type by id, optionally with extra state. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: ServerGroupState, opts?: pulumi.CustomResourceOptions): ServerGroup {
    return new ServerGroup(name, state as ServerGroupArgs, { ...opts, id });
  }

  /** isInstance tells whether an object is a ServerGroup, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is ServerGroup {
    return hasPulumiType(obj, ServerGroup.__pulumiType);
  }

  /** Creates the resource; throws at once when a known argument value is invalid, naming the property. */
  constructor(name: string, args: ServerGroupArgs, opts?: pulumi.CustomResourceOptions) {
    const { inputs, opts: merged } = prepareRegistration(kind, name, args, opts);
    super(ServerGroup.__pulumiType, name, inputs, merged);
  }
}
