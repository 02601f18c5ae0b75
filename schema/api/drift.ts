/**
 * The bodies of `POST /v1/drift` as zod models: a `pulumi stack export` in, the drift report of
 * `compareDrift` (schema/pulumi-state/drift.ts, what `gatehouse drift` prints) out.
 */
import { z } from 'zod';

/** stackExportSchema outlines a `pulumi stack export` document: only what the comparison reads is described. */
export const stackExportSchema = z
  .looseObject({
    version: z.number().int().optional().describe('The export format version.'),
    deployment: z
      .looseObject({
        resources: z
          .array(
            z
              .looseObject({
                urn: z.string().optional(),
                type: z.string().optional().describe('The type token; only `gatehouse:index:*` resources are compared.'),
                id: z.string().optional().describe('The id of the live object.'),
                inputs: z.record(z.string(), z.unknown()).optional().describe('The inputs as Pulumi stored them (secrets encrypted).'),
                outputs: z.record(z.string(), z.unknown()).optional(),
                delete: z.boolean().optional().describe('Pending deletion: not compared.'),
              })
              .describe('One resource of the stack.'),
          )
          .optional(),
      })
      .describe('The stack\'s checkpoint.'),
  })
  .describe('The output of `pulumi stack export`, as it is.');

const fieldDriftSchema = z
  .object({
    path: z.string().describe('The property path, e.g. `forwardedHeaders.proto` or `servers[1].weight`.'),
    kind: z.enum(['add', 'update', 'delete']).describe('`add`: set outside Pulumi; `update`: changed; `delete`: removed outside Pulumi.'),
    stack: z.unknown().optional().describe('The value in the stack (absent when the stack has none).'),
    live: z.unknown().optional().describe('The live value (absent when the live object has none).'),
  })
  .describe('One field whose stack and live values differ.');

/** resourceDriftSchema is the verdict on one resource of the stack. */
export const resourceDriftSchema = z
  .object({
    urn: z.string(),
    type: z.string().describe('The type token, e.g. `gatehouse:index:Listener`.'),
    name: z.string().describe('The Pulumi resource name.'),
    id: z.string(),
    state: z.enum(['in-sync', 'missing', 'changed']).describe('`missing`: the live object no longer exists; `changed`: fields differ.'),
    fields: z.array(fieldDriftSchema),
    notCompared: z.array(z.object({ path: z.string(), reason: z.string() })).describe('Paths not compared (secrets), with the reason.'),
  })
  .describe('The drift of one resource.');

/** driftReportSchema is the answer of `POST /v1/drift`. */
export const driftReportSchema = z
  .object({
    resources: z.array(resourceDriftSchema).describe('Every Gatehouse resource of the export, in its order.'),
    drifted: z.number().int().min(0).describe('How many are missing or changed.'),
  })
  .describe('The comparison of a stack export with the live state, as `gatehouse drift` makes it.');
