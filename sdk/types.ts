/**
 * Type helpers that derive the SDK's argument, state and output types from the zod models in
 * `schema/`, so that a field added to a model appears in the SDK without a second hand-written
 * declaration.
 */
import type * as pulumi from '@pulumi/pulumi';

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/**
 * InputValue is a value as a Pulumi program may pass it: plain, a Promise or an Output, and so
 * on at every level (an array of Inputs, an object of Inputs), like generated SDKs accept.
 */
export type InputValue<T> = pulumi.Input<InputShape<T>>;

type InputShape<T> = T extends Primitive
  ? T
  : T extends readonly (infer E)[]
    ? InputValue<E>[]
    : { [K in keyof T]: InputValue<Exclude<T[K], undefined>> };

/**
 * Inputs turns a model's input type into resource arguments: every property accepts an
 * InputValue, and optional properties (those with a default or no requirement) stay optional.
 */
export type Inputs<T> = { [K in keyof T]: InputValue<Exclude<T[K], undefined>> };

type OptionalKeys<T> = { [K in keyof T]-?: T extends Record<K, T[K]> ? never : K }[keyof T];

/**
 * OutputProperties turns a model's output type into the resource's `Output<T>` properties; a
 * field the model marks optional is an Output that may resolve to undefined.
 */
export type OutputProperties<T> = {
  readonly [K in keyof T]-?: pulumi.Output<K extends OptionalKeys<T> ? Exclude<T[K], undefined> | undefined : T[K]>;
};

/**
 * ResourceFields is everything a resource carries in its state: the read model without `id`
 * (the CustomResource owns it) plus the write-only inputs (e.g. a certificate's private key),
 * which the state keeps as secrets.
 */
export type ResourceFields<Output, Input> = Omit<Output, 'id'> & Omit<Input, keyof Output>;

/** StateInputs is the optional state a program may pass to `static get` to look a resource up. */
export type StateInputs<T> = Inputs<Partial<T>>;
