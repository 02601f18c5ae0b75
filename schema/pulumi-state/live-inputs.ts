/**
 * How a live API object reads back as Pulumi inputs, derived from the kinds' models: which keys
 * are inputs, which are output only, and the kind and name behind a type token or a URN. The
 * provider's refresh and import, `gatehouse drift`, the API's drift route and the console's
 * "show as code" all read a live object this one way.
 */
import type { z } from 'zod';
import { kindByName } from '../kinds.ts';
import type { ResourceKind } from '../resource-kind.ts';
import { COMMON_OUTPUT_FIELDS } from '../resources/common.ts';
import type { PropertyMap, Value } from './values.ts';

/** TOKEN_PREFIX starts every resource type token of the package. */
export const TOKEN_PREFIX = 'gatehouse:index:';

/** kindOfType returns the ResourceKind of a Pulumi type token (`gatehouse:index:Listener`), or undefined. */
export function kindOfType(type: string): ResourceKind | undefined {
  if (!type.startsWith(TOKEN_PREFIX)) return undefined;
  return kindByName(type.slice(TOKEN_PREFIX.length));
}

/** typeOfUrn returns the type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOfUrn(urn: string): string {
  const parts = urn.split('::');
  const qualified = parts[2] ?? '';
  return qualified.split('$').at(-1) ?? '';
}

/** nameOfUrn returns the resource name of a URN (names may contain `::`). */
export function nameOfUrn(urn: string): string {
  return urn.split('::').slice(3).join('::');
}

type Def = { type: string; innerType?: z.ZodType; defaultValue?: unknown; in?: z.ZodType; out?: z.ZodType; transform?: unknown; element?: z.ZodType; shape?: Record<string, z.ZodType> };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** objectShapeOf returns the field schemas of an object model (seen through pipes and wrappers). */
export function objectShapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 8; i++) {
    const def = defOf(s);
    if (def.type === 'object') return def.shape;
    if (def.type === 'pipe') s = def.in;
    else if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') s = def.innerType;
    else return undefined;
  }
  return undefined;
}

/** inputKeys lists the input fields of a kind: every key of its create model. */
export function inputKeys(kind: ResourceKind): string[] {
  return Object.keys(objectShapeOf(kind.create) ?? {});
}

/** outputOnlyKeys lists the fields a read returns that are not inputs (id, version, status, …). */
export function outputOnlyKeys(kind: ResourceKind): string[] {
  return [...COMMON_OUTPUT_FIELDS, ...kind.outputFields];
}

/**
 * inputsFromLive reads a live API object back as inputs: the input fields it returns. A
 * write-only secret (a certificate's private key) is never returned, so it is absent here.
 */
export function inputsFromLive(kind: ResourceKind, live: Readonly<Record<string, unknown>>): PropertyMap {
  const out: PropertyMap = {};
  for (const key of inputKeys(kind)) {
    const v = live[key];
    if (v !== undefined && v !== null) out[key] = structuredClone(v) as Value;
  }
  return out;
}

