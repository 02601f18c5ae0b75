/**
 * Facts a field carries about itself beyond its type, as zod metadata on the field (as
 * terraform-plugin-framework attributes carry RequiresReplace and Sensitive): whether changing
 * it replaces the resource, whether it is a secret, whether only an HTTPS listener may carry it
 * and what it defaults to there. A kind's `replaceFields` and `secretFields`, the listener's
 * HTTPS-only list and defaults, and the sentences every emitted description ends with
 * ("Changing it replaces the resource.", "Default `true`.") are all read from here, so a fact
 * is written once, on its field.
 */
import { z } from 'zod';

/** FieldFacts are the facts one field may declare. */
export interface FieldFacts {
  /** Changing the field replaces the resource: the API refuses it in place (409 IMMUTABLE_FIELD), Pulumi plans a replacement. */
  readonly replaces?: true;
  /** The field is a secret: write-only, sealed at rest, never returned by a read, secret in Pulumi state. */
  readonly secret?: true;
  /** Only an HTTPS listener may carry the field; an HTTP listener's create or update naming it is refused. */
  readonly httpsOnly?: true;
  /** The value an HTTPS listener gets when it omits the field (HTTP listeners never carry it). */
  readonly httpsDefault?: unknown;
}

/** FACTS_KEY is the metadata key the facts live under; emitters strip it from JSON Schema. */
export const FACTS_KEY = 'gatehouse';

/** withFacts returns the field with its facts attached (keeping its description and checks). */
export function withFacts<T extends z.ZodType>(field: T, facts: FieldFacts): T {
  return field.meta({ [FACTS_KEY]: { ...factsOf(field), ...facts } });
}

/** replaces marks a field whose change replaces the resource. */
export function replaces<T extends z.ZodType>(field: T): T {
  return withFacts(field, { replaces: true });
}

/** secret marks a write-only secret field. */
export function secret<T extends z.ZodType>(field: T): T {
  return withFacts(field, { secret: true });
}

/** httpsOnly marks a field only HTTPS listeners carry, with the default they get when it is omitted. */
export function httpsOnly<T extends z.ZodType>(field: T, httpsDefault?: unknown): T {
  return withFacts(field, httpsDefault === undefined ? { httpsOnly: true } : { httpsOnly: true, httpsDefault });
}

function isFacts(value: unknown): value is FieldFacts {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** innerOf returns the schema a wrapper (optional, default, pipe, …) wraps, or undefined for a leaf. */
function innerOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return schema.unwrap();
  }
  if (schema instanceof z.ZodPipe) return schema.in;
  return undefined;
}

/** factsOf reads the facts of a field, through any wrappers (`.optional()`, `.default()`, …) put around it. */
export function factsOf(field: z.ZodType): FieldFacts {
  const layers: FieldFacts[] = [];
  for (let s: z.core.$ZodType | undefined = field; s !== undefined; s = innerOf(s)) {
    const facts: unknown = z.globalRegistry.get(s)?.[FACTS_KEY];
    if (isFacts(facts)) layers.push(facts);
  }
  // The outermost declaration wins, as it would for a description.
  let merged: FieldFacts = {};
  for (let i = layers.length - 1; i >= 0; i--) merged = { ...merged, ...layers[i] };
  return merged;
}

/** FactName is one of the yes/no facts. */
export type FactName = 'replaces' | 'secret' | 'httpsOnly';

/** fieldsWith lists the fields of a shape that declare a fact, in declaration order. */
export function fieldsWith<S extends Readonly<Record<string, z.ZodType>>>(shape: S, fact: FactName): Extract<keyof S, string>[] {
  const names: Extract<keyof S, string>[] = [];
  for (const name in shape) {
    const field = shape[name];
    if (field !== undefined && factsOf(field)[fact] === true) names.push(name);
  }
  return names;
}

/** httpsDefaults returns the HTTPS defaults of a shape's fields, by field name. */
export function httpsDefaults<S extends Readonly<Record<string, z.ZodType>>>(shape: S): ReadonlyMap<Extract<keyof S, string>, unknown> {
  const defaults = new Map<Extract<keyof S, string>, unknown>();
  for (const name in shape) {
    const field = shape[name];
    const httpsDefault = field === undefined ? undefined : factsOf(field).httpsDefault;
    if (httpsDefault !== undefined) defaults.set(name, httpsDefault);
  }
  return defaults;
}

/** literal renders a default value for a sentence: numbers and booleans as they are, the rest in backquotes. */
function literal(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

/**
 * factSentences are the sentences a field's description ends with, in a fixed order: what
 * changing it does, where it applies, what it is when omitted, how it is kept. `dflt` is the
 * default the JSON Schema carries (undefined when none).
 */
export function factSentences(facts: FieldFacts, dflt: unknown): string[] {
  const sentences: string[] = [];
  if (facts.replaces) sentences.push('Changing it replaces the resource.');
  if (facts.httpsOnly) sentences.push('HTTPS only: an HTTP listener may not set it.');
  if (facts.httpsDefault !== undefined) sentences.push(`Default on HTTPS: ${literal(facts.httpsDefault)}.`);
  if (dflt !== undefined && !(dflt !== null && typeof dflt === 'object' && !Array.isArray(dflt))) sentences.push(`Default ${literal(dflt)}.`);
  if (facts.secret) sentences.push('Secret and write-only: never returned by a read.');
  return sentences;
}
