/**
 * Provider: an explicit instance of the Gatehouse provider plugin (SPEC §5), for programs that
 * manage more than one Gatehouse or do not want to use the stack's `gatehouse:` configuration.
 */
import * as pulumi from '@pulumi/pulumi';
import { defaultResourceOptions, hasPulumiType } from './registration.ts';

/**
 * ProviderArgs configure a provider instance. Both are optional here: the plugin falls back to
 * `GATEHOUSE_ENDPOINT` / `GATEHOUSE_TOKEN` in its own environment when they are not set.
 */
export interface ProviderArgs {
  /** endpoint is the URL of the management API, e.g. `http://127.0.0.1:9080`. */
  endpoint?: pulumi.Input<string>;
  /** token is the bearer token of the management API; kept secret in the state. */
  token?: pulumi.Input<string>;
}

/** PROVIDER_SECRET_FIELDS are the provider configuration fields that are secrets. */
const PROVIDER_SECRET_FIELDS = ['token'];

/** Provider is a configured instance of the `gatehouse` provider plugin (`pulumi:providers:gatehouse`). */
export class Provider extends pulumi.ProviderResource {
  /** __pulumiType is the package name; the resource type of a provider is `pulumi:providers:<package>`. */
  static readonly __pulumiType = 'gatehouse';

  /** isInstance tells whether an object is a Gatehouse Provider, even one from another copy of this SDK. */
  static override isInstance(obj: unknown): obj is Provider {
    return hasPulumiType(obj, `pulumi:providers:${Provider.__pulumiType}`);
  }

  /** endpoint is the URL of the management API, as configured. */
  declare readonly endpoint: pulumi.Output<string | undefined>;
  /** token is the bearer token of the management API, as configured (secret). */
  declare readonly token: pulumi.Output<string | undefined>;

  /** Creates a provider instance; pass it as `provider` in a resource's options. */
  constructor(name: string, args?: ProviderArgs, opts?: pulumi.ResourceOptions) {
    const token = args?.token;
    const inputs: pulumi.Inputs = {
      endpoint: args?.endpoint,
      token: token === undefined ? undefined : pulumi.secret(token),
    };
    let merged = pulumi.mergeOptions(defaultResourceOptions(), opts);
    merged = pulumi.mergeOptions(merged, { additionalSecretOutputs: PROVIDER_SECRET_FIELDS });
    super(Provider.__pulumiType, name, inputs, merged);
  }
}
