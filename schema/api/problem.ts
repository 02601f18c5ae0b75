/**
 * The error bodies of SPEC §3 as zod models: every refusal is a Problem (RFC 9457 with a code
 * of the registry in `errors.ts`); a failure the server did not foresee is an InternalProblem,
 * status 500 and no code. The server renders both, the OpenAPI document describes both.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, type ProblemBody } from '../errors.ts';

const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** errorCodeSchema is one code of the error registry. */
export const errorCodeSchema = z.enum(ERROR_CODE_NAMES).describe('A stable error code of the registry (SPEC §3); clients branch on it, never on text.');

/** problemFieldErrorSchema is one failure at one input path. */
export const problemFieldErrorSchema = z
  .object({
    path: z.string().describe('The input field that failed, e.g. `forwardedHeaders.clientIp.trustedProxies[1]`; `""` when no field can be named.'),
    message: z.string().describe('What is wrong with it.'),
    code: errorCodeSchema.optional().describe('The code most specific to this failure, when it is not the problem\'s own.'),
  })
  .describe('One failure at one input path.');

/** problemSchema is the `application/problem+json` body of every refusal. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the code: `https://gatehouse.dev/errors/<code>`.'),
    status: z.number().int().min(400).max(499).describe('The HTTP status of the answer.'),
    code: errorCodeSchema,
    title: z.string().describe('The one-line meaning of the code.'),
    detail: z.string().describe('What went wrong with this request.'),
    errors: z.array(problemFieldErrorSchema).describe('Each failure with the input path it belongs to (empty when none applies).'),
  })
  .describe('RFC 9457 problem details with a stable Gatehouse error code.');

/** Problem is the body of a refusal. */
export type Problem = z.output<typeof problemSchema>;

/** internalProblemSchema is the body of a 500: the server failed; nothing changed unless a later read shows it. */
export const internalProblemSchema = z
  .object({
    type: z.literal('about:blank'),
    status: z.literal(500),
    title: z.string(),
    detail: z.string(),
    errors: z.array(problemFieldErrorSchema).max(0),
  })
  .describe('The server failed to handle the request (a bug, not a refusal); it carries no code.');

/** InternalProblem is the body of a 500. */
export type InternalProblem = z.output<typeof internalProblemSchema>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The registry's GatehouseError.toProblem() renders exactly this model. */
const problemMatchesRegistry: Same<Problem, ProblemBody> = true;
void problemMatchesRegistry;
