/**
 * The small fixed bodies of the management API as zod models: the dry-run verdict, the liveness
 * answer, the OpenAPI document's outline and the Prometheus text of `/metrics`.
 */
import { z } from 'zod';

/** dryRunResultSchema is the answer of a write with `?dryRun=true` that passed every check. */
export const dryRunResultSchema = z
  .object({ valid: z.literal(true).describe('Every check of the write passed; nothing was changed.') })
  .describe('Dry run: every check a real write runs passed, and nothing changed.');

/** DryRunResult is `{"valid": true}`. */
export type DryRunResult = z.output<typeof dryRunResultSchema>;

/** livenessSchema is the answer of `GET /v1/healthz`. */
export const livenessSchema = z.object({ status: z.literal('ok') }).describe('The management API answers.');

/** Liveness is `{"status": "ok"}`. */
export type Liveness = z.output<typeof livenessSchema>;

/** openApiDocumentSchema outlines the OpenAPI 3.1 document the API serves about itself. */
export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string().describe('The OpenAPI version, `3.1.0`.'),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
    components: z.record(z.string(), z.unknown()),
  })
  .describe('The OpenAPI 3.1 document of this API, generated from its route table and the resource schemas.');

/** metricsTextSchema is the Prometheus text exposition format of `/metrics`. */
export const metricsTextSchema = z.string().describe('Prometheus text exposition format.');
