/**
 * The input side of a resource as the provider needs it, derived from the schema's models:
 * which keys are inputs, how a live API object reads back as inputs, and how the defaults of a
 * partially known input map are filled so that Diff compares like with like during preview.
 */
import type { z } from 'zod';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { objectShapeOf } from '../../schema/pulumi-state/live-inputs.ts';
import { isUnknown, type PropertyMap, type Value } from '../marshal.ts';

export {
  TOKEN_PREFIX,
  kindOfType,
  typeOfUrn,
  nameOfUrn,
  objectShapeOf,
  inputKeys,
  outputOnlyKeys,
  inputsFromLive,
} from '../../schema/pulumi-state/live-inputs.ts';

type Def = { type: string; innerType?: z.ZodType; defaultValue?: unknown; in?: z.ZodType; out?: z.ZodType; transform?: unknown; element?: z.ZodType; shape?: Record<string, z.ZodType> };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}


function isPlainObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unwrapToObjectOrArray(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    const def = defOf(s);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

function fillValue(schema: z.ZodType, v: Value): Value {
  if (isUnknown(v)) return v;
  const inner = unwrapToObjectOrArray(schema);
  const def = defOf(inner);
  if (def.type === 'object' && isPlainObject(v)) return fillObject(def.shape ?? {}, v);
  if (def.type === 'array' && Array.isArray(v) && def.element) {
    const element = def.element;
    return v.map((x) => fillValue(element, x));
  }
  return v;
}

function fillObject(shape: Record<string, z.ZodType>, value: Record<string, Value>): PropertyMap {
  const out: PropertyMap = { ...value };
  for (const [key, schema] of Object.entries(shape)) {
    const current = out[key];
    if (current === undefined) {
      const def = defOf(schema);
      if (def.type === 'default') out[key] = structuredClone(def.defaultValue) as Value;
      else if (def.type === 'prefault') out[key] = fillValue(schema, structuredClone(def.defaultValue) as Value);
      continue;
    }
    out[key] = fillValue(schema, current);
  }
  return out;
}

/**
 * fillDefaults applies the static defaults of a kind's create model to inputs that are only
 * partly known (preview): every absent field with a default gets it, nested objects and array
 * elements included, and an UNKNOWN is left alone. The model's final transform (HTTPS listener
 * defaults, the health-check protocol) runs too when every object field it reads is a known
 * object, so that the result matches what parsing the complete inputs would give.
 */
export function fillDefaults(kind: ResourceKind, value: PropertyMap): PropertyMap {
  const shape = objectShapeOf(kind.create);
  if (!shape) return value;
  const filled = fillObject(shape, value);
  const def = defOf(kind.create);
  if (def.type !== 'pipe' || !def.out) return filled;
  const transform = defOf(def.out).transform;
  if (typeof transform !== 'function') return filled;
  for (const [key, schema] of Object.entries(shape)) {
    const v = filled[key];
    if (v !== undefined && defOf(unwrapToObjectOrArray(schema)).type === 'object' && !isPlainObject(v)) return filled;
  }
  try {
    const issues: unknown[] = [];
    const result: unknown = (transform as (v: unknown, ctx: unknown) => unknown)(filled, { value: filled, issues, addIssue: () => undefined });
    return isPlainObject(result) && issues.length === 0 ? result : filled;
  } catch {
    return filled;
  }
}
