/** Emitters of machine-readable schemas (JSON Schema, Pulumi package schema) from the zod models. */
export * from './json-schema.ts';
export * from './pulumi-schema.ts';
