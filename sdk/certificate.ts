/**
 * Certificate (SPEC 1.4): a `Server` certificate with its private key, or a `CA` certificate
 * for mutual TLS, as a Pulumi resource class. The private key is a secret in the state.
 */
import * as pulumi from '@pulumi/pulumi';
import type { z } from 'zod';
import { inspectCertificate } from '../schema/certificate-inspect.ts';
import { Certificate as kind, type certificateCreateSchema, type CertificateOutput } from '../schema/resources/certificate.ts';
import type { ExtraPlanCheck } from './plan-validation.ts';
import { hasPulumiType, prepareRegistration } from './registration.ts';
import type { Inputs, OutputProperties, ResourceFields, StateInputs } from './types.ts';

type Fields = ResourceFields<CertificateOutput, z.input<typeof certificateCreateSchema>>;

/**
 * CertificateArgs are the arguments of a Certificate: `name` and `certificatePem` are required,
 * `privateKeyPem` too for a `Server` certificate (pass it through `pulumi.secret` or a secret
 * config value; the class marks it secret either way).
 */
export interface CertificateArgs extends Inputs<z.input<typeof certificateCreateSchema>> {}

/** CertificateState is the optional state a program passes to `Certificate.get`. */
export interface CertificateState extends StateInputs<Fields> {}

/** Certificate exposes every field of the resource as an Output (declared here, set by the Pulumi runtime). */
export interface Certificate extends OutputProperties<Fields> {}

/**
 * inspectKnownPem applies the certificate rules that need the PEM itself (it parses, the key
 * matches, a CA has CA:TRUE, wildcards are recognised) when the PEM text is known at plan time;
 * a key that is not known yet is left to the provider.
 */
const inspectKnownPem: ExtraPlanCheck = (value, isUnknown) => {
  if (isUnknown('certificatePem') || isUnknown('type')) return [];
  const result = inspectCertificate({
    type: value.type as 'Server' | 'CA',
    certificatePem: value.certificatePem as string,
    privateKeyPem: isUnknown('privateKeyPem') ? undefined : (value.privateKeyPem as string | undefined),
  });
  return result.ok ? [] : result.errors;
};

/**
 * Certificate is a TLS certificate that listeners serve (`Server`) or verify client
 * certificates with (`CA`); new PEM content rotates it in place.
 */
export class Certificate extends pulumi.CustomResource {
  /** __pulumiType is the type token the engine and the provider know this resource by. */
  static readonly __pulumiType: string = kind.token;

  /** get looks up an existing certificate by id, optionally with extra state. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: CertificateState, opts?: pulumi.CustomResourceOptions): Certificate {
    return new Certificate(name, state as CertificateArgs, { ...opts, id });
  }

  /** isInstance tells whether an object is a Certificate, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is Certificate {
    return hasPulumiType(obj, Certificate.__pulumiType);
  }

  /** Creates a certificate; throws at once when a known argument value is invalid, naming the property. */
  constructor(name: string, args: CertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const { inputs, opts: merged } = prepareRegistration(kind, name, args, opts, inspectKnownPem);
    super(Certificate.__pulumiType, name, inputs, merged);
  }
}
