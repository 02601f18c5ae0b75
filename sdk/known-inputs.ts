/**
 * Splitting a program's resource arguments into what is known at construction time and what
 * is not: plain values can be validated before anything reaches the engine, Outputs and
 * Promises resolve later and are left to the provider's Check.
 */
import * as pulumi from '@pulumi/pulumi';
import { formatPath } from '../schema/field-path.ts';

/** UNKNOWN marks, inside a KnownInputs body, a value that is not known yet. */
export const UNKNOWN: unique symbol = Symbol('gatehouse.unknown');

/** KnownInputs is an argument tree with unknown values marked, and where they are. */
export interface KnownInputs {
  /** The arguments with absent values (undefined, null) dropped and unknown ones set to UNKNOWN. */
  readonly body: Record<string, unknown>;
  /** Paths of the UNKNOWN markers, as segments. */
  readonly unknownPaths: readonly (readonly PropertyKey[])[];
}

/**
 * isUnknownInput tells whether a value cannot be read synchronously: an Output (even one whose
 * value is already known, since Outputs only expose it asynchronously), a Promise, or a
 * resource passed where its id is expected.
 */
export function isUnknownInput(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  if (pulumi.Output.isInstance(value) || pulumi.Resource.isInstance(value)) return true;
  return typeof (value as { then?: unknown }).then === 'function';
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** collectKnownInputs walks resource arguments and marks every value that is not known yet. */
export function collectKnownInputs(args: Readonly<Record<string, unknown>>): KnownInputs {
  const unknownPaths: PropertyKey[][] = [];
  const walkObject = (value: Readonly<Record<string, unknown>>, path: PropertyKey[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || item === null) continue;
      out[key] = walk(item, [...path, key]);
    }
    return out;
  };
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (isUnknownInput(value)) {
      unknownPaths.push(path);
      return UNKNOWN;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (value !== null && typeof value === 'object' && isPlainObject(value)) return walkObject(value, path);
    // Anything else (primitives, dates, class instances) goes to the schema as it is, which
    // accepts or refuses it exactly as the provider's Check would.
    return value;
  };
  return { body: walkObject(args, []), unknownPaths };
}

/**
 * fillUnknowns returns a copy of a KnownInputs body with each UNKNOWN replaced by the value
 * chosen for its path (keyed by formatPath); an undefined choice leaves the field absent.
 */
export function fillUnknowns(body: Readonly<Record<string, unknown>>, choices: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const fill = (value: unknown, path: PropertyKey[]): unknown => {
    if (value === UNKNOWN) return choices.get(formatPath(path));
    if (Array.isArray(value)) return value.map((item, i) => fill(item, [...path, i]));
    if (value !== null && typeof value === 'object' && isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const filled = fill(item, [...path, key]);
        if (filled !== undefined) out[key] = filled;
      }
      return out;
    }
    return value;
  };
  return fill(body, []) as Record<string, unknown>;
}
