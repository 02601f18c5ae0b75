/**
 * What every Gatehouse resource class does before `super(...)`, in the order generated Pulumi
 * SDKs do it: pick the inputs (arguments, or state for `get`), validate the known ones, mark
 * secret inputs, and merge the default options (plugin version, replaceOnChanges,
 * additionalSecretOutputs) under the program's own options.
 */
import * as pulumi from '@pulumi/pulumi';
import packageJson from '../package.json' with { type: 'json' };
import type { ResourceKind } from '../schema/resource-kind.ts';
import { assertKnownInputsValid, type ExtraPlanCheck } from './plan-validation.ts';
import { objectShape } from './placeholders.ts';

/** SDK_VERSION is the package version, sent as the plugin version the engine should load. */
export const SDK_VERSION: string = packageJson.version;

/** defaultResourceOptions are the options generated SDKs put under a program's own: the plugin version. */
export function defaultResourceOptions(): pulumi.CustomResourceOptions {
  return { version: SDK_VERSION };
}

/** inputFieldNames lists the fields a program may set on a kind (its create model). */
export function inputFieldNames(kind: ResourceKind): string[] {
  return Object.keys(objectShape(kind.create));
}

/**
 * stateFieldNames lists the properties a resource object exposes as Outputs: every field a read
 * returns except `id` (the CustomResource owns it), plus the write-only secret inputs, which
 * the state keeps as secrets.
 */
export function stateFieldNames(kind: ResourceKind): string[] {
  const read = Object.keys(objectShape(kind.output)).filter((f) => f !== 'id');
  return [...read, ...kind.secretFields.filter((f) => !read.includes(f))];
}

/** Registration is what a resource class hands to `super`. */
export interface Registration {
  readonly inputs: pulumi.Inputs;
  readonly opts: pulumi.CustomResourceOptions;
}

/**
 * prepareRegistration builds a resource's inputs and options. With `opts.id` (a `get`) the
 * inputs are the optional state and nothing is validated; with `opts.urn` (a resource the
 * engine already knows) validation is skipped too, as generated SDKs skip their checks.
 */
export function prepareRegistration(
  kind: ResourceKind,
  name: string,
  argsOrState: object | undefined,
  opts: pulumi.CustomResourceOptions | undefined,
  extra?: ExtraPlanCheck,
): Registration {
  const given: pulumi.CustomResourceOptions = opts ?? {};
  const source = (argsOrState ?? {}) as Readonly<Record<string, unknown>>;
  const inputs: pulumi.Inputs = {};
  const stateFields = stateFieldNames(kind);
  if (given.id) {
    for (const field of stateFields) inputs[field] = source[field];
  } else {
    if (!given.urn) assertKnownInputsValid(kind, name, source, extra);
    const inputFields = inputFieldNames(kind);
    for (const field of inputFields) {
      const value = source[field];
      inputs[field] = kind.secretFields.includes(field) && value !== undefined && value !== null ? pulumi.secret(value) : value;
    }
    // Output-only fields are registered as undefined so that the object gets an Output for each.
    for (const field of stateFields) if (!inputFields.includes(field)) inputs[field] = undefined;
  }
  let merged = pulumi.mergeOptions(defaultResourceOptions(), given);
  if (kind.replaceFields.length > 0) merged = pulumi.mergeOptions(merged, { replaceOnChanges: [...kind.replaceFields] });
  if (kind.secretFields.length > 0) merged = pulumi.mergeOptions(merged, { additionalSecretOutputs: [...kind.secretFields] });
  return { inputs, opts: merged };
}

/** hasPulumiType is the `isInstance` test of generated SDKs: it works across copies of the SDK. */
export function hasPulumiType(obj: unknown, token: string): boolean {
  if (obj === undefined || obj === null) return false;
  return (obj as { __pulumiType?: unknown }).__pulumiType === token;
}
