/**
 * QuicListener (SPEC 1.3: an HTTP/3 listener on UDP), as a Pulumi resource class.
 */
import * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import { QuicListener as kind, type quicListenerCreateSchema, type QuicListenerOutput } from '../schema/resources/quic-listener.ts';
import { hasPulumiType, prepareRegistration } from './registration.ts';
import type { Inputs, OutputProperties, ResourceFields, StateInputs } from './types.ts';

type Fields = ResourceFields<QuicListenerOutput, z.input<typeof quicListenerCreateSchema>>;

/** QuicListenerArgs are the arguments of a QuicListener: loadBalancerId, port, defaultServerGroupId and certificates are required. */
export interface QuicListenerArgs extends Inputs<z.input<typeof quicListenerCreateSchema>> {}

/** QuicListenerState is the optional state a program passes to `QuicListener.get`. */
export interface QuicListenerState extends StateInputs<Fields> {}

/** QuicListener exposes every field of the resource as an Output (declared here, set by the Pulumi runtime). */
export interface QuicListener extends OutputProperties<Fields> {}

/**
 * QuicListener is an HTTP/3 listener on UDP (TLS 1.3 only, so no TLS policy); `status` is `Running` while the engine serves HTTP/3 on the port, `Unavailable` only where its QUIC transport cannot load.
 */
export class QuicListener extends pulumi.CustomResource {
  /** __pulumiType is the type token the engine and the provider know this resource by. */
  static readonly __pulumiType: string = kind.token;

  /** get looks up an existing resource of this type by id, optionally with extra state. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: QuicListenerState, opts?: pulumi.CustomResourceOptions): QuicListener {
    return new QuicListener(name, state as QuicListenerArgs, { ...opts, id });
  }

  /** isInstance tells whether an object is a QuicListener, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is QuicListener {
    return hasPulumiType(obj, QuicListener.__pulumiType);
  }

  /** Creates the resource; throws at once when a known argument value is invalid, naming the property. */
  constructor(name: string, args: QuicListenerArgs, opts?: pulumi.CustomResourceOptions) {
    const { inputs, opts: merged } = prepareRegistration(kind, name, args, opts);
    super(QuicListener.__pulumiType, name, inputs, merged);
  }
}
