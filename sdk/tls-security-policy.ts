/**
 * TlsSecurityPolicy (SPEC 1.5: a custom set of TLS versions and cipher suites), as a Pulumi resource class.
 */
import * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import { TlsSecurityPolicy as kind, type tlsSecurityPolicyCreateSchema, type TlsSecurityPolicyOutput } from '../schema/resources/tls-security-policy.ts';
import { hasPulumiType, prepareRegistration } from './registration.ts';
import type { Inputs, OutputProperties, ResourceFields, StateInputs } from './types.ts';

type Fields = ResourceFields<TlsSecurityPolicyOutput, z.input<typeof tlsSecurityPolicyCreateSchema>>;

/** TlsSecurityPolicyArgs are the arguments of a TlsSecurityPolicy: name, tlsVersions and ciphers are required; every cipher must be supported by a chosen version and every version needs a chosen cipher. */
export interface TlsSecurityPolicyArgs extends Inputs<z.input<typeof tlsSecurityPolicyCreateSchema>> {}

/** TlsSecurityPolicyState is the optional state a program passes to `TlsSecurityPolicy.get`. */
export interface TlsSecurityPolicyState extends StateInputs<Fields> {}

/** TlsSecurityPolicy exposes every field of the resource as an Output (declared here, set by the Pulumi runtime). */
export interface TlsSecurityPolicy extends OutputProperties<Fields> {}

/**
 * TlsSecurityPolicy is a custom TLS security policy: the TLS versions and cipher suites a listener offers. Only listeners of Standard / StandardWithWaf load balancers may use it.
 */
export class TlsSecurityPolicy extends pulumi.CustomResource {
  /** __pulumiType is the type token the engine and the provider know this resource by. */
  static readonly __pulumiType: string = kind.token;

  /** get looks up an existing resource of this type by id, optionally with extra state. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: TlsSecurityPolicyState, opts?: pulumi.CustomResourceOptions): TlsSecurityPolicy {
    return new TlsSecurityPolicy(name, state as TlsSecurityPolicyArgs, { ...opts, id });
  }

  /** isInstance tells whether an object is a TlsSecurityPolicy, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is TlsSecurityPolicy {
    return hasPulumiType(obj, TlsSecurityPolicy.__pulumiType);
  }

  /** Creates the resource; throws at once when a known argument value is invalid, naming the property. */
  constructor(name: string, args: TlsSecurityPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const { inputs, opts: merged } = prepareRegistration(kind, name, args, opts);
    super(TlsSecurityPolicy.__pulumiType, name, inputs, merged);
  }
}
