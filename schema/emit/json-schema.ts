/**
 * JSON Schema (draft 2020-12) of every resource, generated from the zod models: the create
 * and PUT bodies as accepted (defaults optional), the output as returned. The OpenAPI document
 * and the Pulumi package schema are built from these, so no schema is written by hand.
 */
import { z } from 'zod';
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

/** toJsonSchema emits one zod schema: `input` for request bodies, `output` for responses. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonSchema;
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
