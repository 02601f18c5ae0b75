/**
 * The tags rule of SPEC §1, shared by every resource that carries tags: at most 20 entries,
 * key 1–128 characters not starting with `gatehouse:`, value 0–128 characters; keys and values
 * are plain text (textProblem), since they are shown and filtered on like names.
 */
import { z } from 'zod';
import { issueAt, TEXT_RULE, textProblem } from './common.ts';

/** MAX_TAGS is the largest number of tags on one resource. */
export const MAX_TAGS = 20;
/** RESERVED_TAG_PREFIX is kept for Gatehouse's own bookkeeping; matched without regard to case. */
export const RESERVED_TAG_PREFIX = 'gatehouse:';

/** tagsField is the `tags` map of a resource, default `{}`. */
export function tagsField() {
  return z
    .record(z.string(), z.string())
    .superRefine((tags, ctx) => {
      const keys = Object.keys(tags);
      if (keys.length > MAX_TAGS) issueAt(ctx, [], `at most ${MAX_TAGS} tags, got ${keys.length}`);
      for (const key of keys) {
        if (key.length < 1 || key.length > 128) issueAt(ctx, [key], 'tag key must be 1–128 characters');
        if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) issueAt(ctx, [key], `tag key may not start with "${RESERVED_TAG_PREFIX}"`);
        const value = tags[key] ?? '';
        if (value.length > 128) issueAt(ctx, [key], 'tag value must be at most 128 characters');
        const keyProblem = textProblem(key);
        if (keyProblem !== undefined) issueAt(ctx, [key], `tag key ${keyProblem}`);
        const valueProblem = textProblem(value);
        if (valueProblem !== undefined) issueAt(ctx, [key], `tag value ${valueProblem}`);
      }
    })
    .default({})
    .describe(
      `Tags: at most ${MAX_TAGS} entries; key 1–128 characters, not starting with "${RESERVED_TAG_PREFIX}"; value 0–128 characters; ${TEXT_RULE} in either.`,
    );
}
