/**
 * Field builders shared by the six resource models: names, descriptions, ids, ports, the
 * common outputs, and the shape helpers that derive a PUT body from a create body.
 */
import { z } from 'zod';
import { isHostName, isIpLiteral } from '../net.ts';

/** TEXT_RULE is how field descriptions state the text rule of textProblem. */
export const TEXT_RULE = 'no control characters';

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * textProblem says why a string a person wrote (a name, a description, a tag) cannot be
 * stored, or returns undefined when it can. Such text is shown in tables, `pulumi preview`
 * diffs, logs and terminals, so it is one line of printable text: a control character (C0
 * including tab and newline, DEL, C1) could forge log lines or drive a terminal, and a lone
 * surrogate has no UTF-8 form, so the store, JSON encoders and every client would each
 * mangle it differently. One definition, used by the server, the provider's Check and the SDK.
 */
export function textProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `must not contain control characters (U+${hex(c)} at index ${i})`;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `must be valid Unicode text (unpaired surrogate U+${hex(c)} at index ${i})`;
    }
  }
  return undefined;
}

/** plainText is a string of min–max characters that satisfies textProblem. */
export function plainText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .superRefine((text, ctx) => {
      const problem = textProblem(text);
      if (problem !== undefined) issueAt(ctx, [], problem);
    });
}

/** resourceName is the 2–128 character display name of LoadBalancer, Certificate and ServerGroup. */
export function resourceName(what: string) {
  return plainText(2, 128).describe(`Name of the ${what}, 2–128 characters, ${TEXT_RULE}.`);
}

/** descriptionField is the optional free text of listeners, 2–256 characters. */
export function descriptionField(what: string) {
  return plainText(2, 256).optional().describe(`Free-text description of the ${what}, 2–256 characters, ${TEXT_RULE}.`);
}

/** idRef is a reference to another resource by id; whether it resolves is a relation rule. */
export function idRef(description: string) {
  return z.string().min(1).max(128).describe(description);
}

/** portField is a TCP/UDP port, 1–65535. */
export function portField(description: string) {
  return z.number().int().min(1).max(65535).describe(description);
}

/** secondsField is a whole number of seconds within a range, with its default. */
export function secondsField(min: number, max: number, dflt: number, description: string) {
  return z.number().int().min(min).max(max).default(dflt).describe(`${description} (seconds, ${min}–${max}).`);
}

/** ipLiteral is an IPv4 or IPv6 address literal (no brackets, no zone id). */
export function ipLiteral(description: string) {
  return z.string().refine(isIpLiteral, { message: 'must be an IPv4 or IPv6 address literal' }).describe(description);
}

/** ipOrHostName is a backend address: an IP literal or a DNS host name. */
export function ipOrHostName(description: string) {
  return z
    .string()
    .max(253)
    .refine((s) => isIpLiteral(s) || isHostName(s), { message: 'must be an IP address or a host name' })
    .describe(description);
}

/** COMMON_OUTPUT_FIELDS are the outputs every resource has (SPEC §1). */
export const COMMON_OUTPUT_FIELDS = ['id', 'version', 'createdAt', 'updatedAt'] as const;

/** commonOutputShape is id, version, createdAt and updatedAt as every read returns them. */
export const commonOutputShape = {
  id: z.string().describe('Identifier of the resource: a type prefix plus 20 base32 characters.'),
  version: z.number().int().min(1).describe('Version of the resource, incremented on every change.'),
  createdAt: z.string().describe('Creation time (RFC 3339).'),
  updatedAt: z.string().describe('Time of the last change (RFC 3339).'),
};

/**
 * nodeStatusesField is a listener's status on each live node of a cluster (a PostgreSQL store
 * shared by several `gatehouse serve`), as read-only output; absent on a single node. The
 * listener's own `status` is `Running` only when every node's is.
 */
export function nodeStatusesField<S extends z.ZodType>(status: S) {
  return z
    .array(
      z.object({
        node: z.string().describe('The node: its --node-name (by default its host name and API address).'),
        status: status.describe("The listener's status on this node."),
        statusReason: z.string().optional().describe('Why the listener is not `Running` on this node.'),
      }),
    )
    .optional()
    .describe("Per live node of a cluster: the listener's status there. Absent when one node serves the configuration.");
}

/** OptionalShape makes every field of a zod shape optional (replace fields and outputs in a PUT body). */
export type OptionalShape<S extends z.ZodRawShape> = { [K in keyof S]: z.ZodOptional<S[K]> };

/** optionalShape derives the PUT form of replace fields and outputs: accepted, not required. */
export function optionalShape<S extends z.ZodRawShape>(shape: S): OptionalShape<S> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) out[key] = (schema as z.ZodType).optional();
  return out as OptionalShape<S>;
}

/** issueAt adds one custom failure at a path, with the registry code it deserves. */
export function issueAt(
  ctx: z.RefinementCtx,
  path: PropertyKey[],
  message: string,
  code: 'VALIDATION_FAILED' | 'RESERVED_HEADER_NAME' | 'EDITION_UNSUPPORTED' = 'VALIDATION_FAILED',
): void {
  ctx.addIssue({ code: 'custom', path, message, params: { code } });
}

/** findDuplicates returns the indexes of entries equal (by key) to an earlier entry. */
export function findDuplicates<T>(items: readonly T[], key: (item: T) => string): { index: number; first: number }[] {
  const seen = new Map<string, number>();
  const dups: { index: number; first: number }[] = [];
  items.forEach((item, index) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, index);
    else dups.push({ index, first });
  });
  return dups;
}
