/**
 * A page of a list (SPEC §3 `{items, nextToken}`) as a zod model over its item model, shared by
 * the resource lists and the audit log.
 */
import { z } from 'zod';

/** listPageSchema is a page of `item`s: the items in order and the token of the next page, null on the last. */
export function listPageSchema<Item extends z.ZodType>(item: Item, what: string) {
  return z
    .object({
      items: z.array(item).describe(`The ${what} of this page, in order.`),
      nextToken: z.string().nullable().describe('Pass as `nextToken` to read the next page; null on the last page.'),
    })
    .describe(`A page of ${what}.`);
}

/** ListPage is a page of items. */
export type ListPage<Item> = z.output<ReturnType<typeof listPageSchema<z.ZodType<Item>>>>;
