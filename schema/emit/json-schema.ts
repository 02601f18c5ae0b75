/**
 * JSON Schema (draft 2020-12) of every resource, generated from the zod models: the create
 * and PUT bodies as accepted (defaults optional), the output as returned. The OpenAPI document
 * and the Pulumi package schema are built from these, so no schema is written by hand.
 */
import { z } from 'zod';
import { FACTS_KEY, factSentences } from '../field-facts.ts';
import { ALL_RESOURCE_KINDS } from '../kinds.ts';
import type { ResourceKind, ResourceKindName } from '../resource-kind.ts';

/** JsonSchema is a JSON Schema document or sub-schema as zod emits it. */
export type JsonSchema = { [key: string]: unknown };

/** ResourceJsonSchemas are the three schemas of one resource. */
export interface ResourceJsonSchemas {
  create: JsonSchema;
  update: JsonSchema;
  output: JsonSchema;
}

/**
 * toJsonSchema emits one zod schema: `input` for request bodies, `output` for responses. Each
 * field's description ends with the sentences its facts and default make (field-facts.ts), and
 * the facts themselves are not part of the emitted schema.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const emitted: JsonSchema = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  describeFacts(emitted);
  return emitted;
}

/** isJsonObject tells whether an emitted value is a (sub-)schema object rather than a list or a scalar. */
export function isJsonObject(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** describeFacts rewrites every node that carries facts or a default, depth first. */
function describeFacts(node: JsonSchema): void {
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (isJsonObject(item)) describeFacts(item);
    } else if (isJsonObject(value)) {
      describeFacts(value);
    }
  }
  const facts: unknown = node[FACTS_KEY];
  delete node[FACTS_KEY];
  const sentences = factSentences(isJsonObject(facts) ? facts : {}, node.default);
  if (sentences.length === 0) return;
  const base = typeof node.description === 'string' ? node.description : '';
  node.description = [base, ...sentences].filter((t) => t !== '').join(' ');
}

/** resourceJsonSchemas emits the create, update and output schemas of one kind. */
export function resourceJsonSchemas(kind: ResourceKind): ResourceJsonSchemas {
  return {
    create: toJsonSchema(kind.create, 'input'),
    update: toJsonSchema(kind.update, 'input'),
    output: toJsonSchema(kind.output, 'output'),
  };
}

/** allResourceJsonSchemas emits the schemas of every kind, keyed by kind name. */
export function allResourceJsonSchemas(): Record<ResourceKindName, ResourceJsonSchemas> {
  const out = {} as Record<ResourceKindName, ResourceJsonSchemas>;
  for (const kind of ALL_RESOURCE_KINDS) out[kind.name] = resourceJsonSchemas(kind);
  return out;
}
