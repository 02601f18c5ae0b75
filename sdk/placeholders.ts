/**
 * Stand-in values for inputs that are not known at construction time. A zod object runs its
 * cross-field rules (e.g. "HTTPS only") only once every field parses, so plan-time validation
 * fills each unknown with a value its own field schema accepts; which failures then depend on
 * the unknown is told by the paths the rules read, not by trying other values.
 */
import { z } from 'zod';

/** unwrapSchema strips optional, default, prefault and nullable wrappers and a pipe's transform. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNullable || s instanceof z.ZodNonOptional) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/** objectShape returns the fields of a model (its create or output schema), or {} when it is not an object. */
export function objectShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> {
  const s = unwrapSchema(schema);
  return s instanceof z.ZodObject ? s.shape : {};
}

/** schemaAt finds the schema of the value at a path inside a model, or undefined when the path leaves it. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType = root;
  for (const seg of path) {
    const u = unwrapSchema(s);
    let next: z.ZodType | undefined;
    if (u instanceof z.ZodObject && typeof seg === 'string') next = (u.shape as Record<string, z.ZodType>)[seg];
    else if (u instanceof z.ZodArray && typeof seg === 'number') next = u.element as z.ZodType;
    else if (u instanceof z.ZodRecord && typeof seg === 'string') next = u.valueType as z.ZodType;
    if (next === undefined) return undefined;
    s = next;
  }
  return s;
}

function accepts(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}

function fitLength(text: string, min: number | null, max: number | null): string {
  let out = text;
  if (min !== null && out.length < min) out = out.padEnd(min, 'x');
  if (max !== null && out.length > max) out = out.slice(0, max);
  return out;
}

function stringCandidate(s: z.ZodString, seed: number): string {
  // Distinct per unknown, so that rules comparing values (duplicates, "not the default
  // certificate") never see two unknowns as equal. The address form serves IP-only fields.
  const forms = [`gh-unknown-${seed}`, `192.0.2.${(seed % 254) + 1}`, `gh-unknown-${seed}.example`];
  const fitted = forms.map((f) => fitLength(f, s.minLength, s.maxLength));
  return fitted.find((f) => accepts(s, f)) ?? fitted[0]!;
}

function numberCandidates(s: z.ZodNumber): number[] {
  const lo = s.minValue !== null && Number.isFinite(s.minValue) ? s.minValue : 0;
  const hi = s.maxValue !== null && Number.isFinite(s.maxValue) ? s.maxValue : lo + 1;
  const ends = s.isInt ? [Math.ceil(lo), Math.floor(hi)] : [lo, hi];
  const valid = [...new Set(ends)].filter((n) => accepts(s, n));
  return valid.length > 0 ? valid : [lo];
}

/**
 * placeholderCandidates lists the possible stand-ins for an unknown value of a schema: every
 * option of an enum or boolean, both ends of a number's range, one distinct string, and for
 * objects one value with every required field filled. An empty list means "leave it absent".
 */
export function placeholderCandidates(schema: z.ZodType, seed: number): unknown[] {
  const s = unwrapSchema(schema);
  if (s instanceof z.ZodString) return [stringCandidate(s, seed)];
  if (s instanceof z.ZodNumber) return numberCandidates(s);
  if (s instanceof z.ZodBoolean) return [false, true];
  if (s instanceof z.ZodEnum) return [...s.options];
  if (s instanceof z.ZodLiteral) return [...s.values];
  if (s instanceof z.ZodRecord) return [{}];
  if (s instanceof z.ZodArray) {
    if (accepts(s, [])) return [[]];
    return [placeholderCandidates(s.element as z.ZodType, seed).slice(0, 1)];
  }
  if (s instanceof z.ZodObject) {
    const out: Record<string, unknown> = {};
    let i = 0;
    const shape: Readonly<Record<string, z.ZodType>> = s.shape;
    for (const [key, field] of Object.entries(shape)) {
      i += 1;
      if (accepts(field, undefined)) continue;
      const [first] = placeholderCandidates(field, seed * 100 + i);
      if (first !== undefined) out[key] = first;
    }
    return [out];
  }
  return [];
}

/**
 * standInCandidates orders the placeholder candidates of a field for plan-time validation: those
 * the field accepts first (the first of them is the stand-in), then the others, tried only when
 * a stand-in is refused where it stands.
 */
export function standInCandidates(schema: z.ZodType, seed: number): unknown[] {
  const all = placeholderCandidates(schema, seed);
  return [...all.filter((c) => accepts(schema, c)), ...all.filter((c) => !accepts(schema, c))];
}
