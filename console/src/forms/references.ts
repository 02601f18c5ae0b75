/** The lists a form's reference fields pick from, read from the API (every page) and read again after an inline create. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { asApiError, listAll, type ApiError } from '../api.ts';
import type { Collection } from '../router.ts';
import type { Reference } from './presentation.ts';

/** Item is one resource as a list returns it. */
export type Item = Record<string, unknown> & { id: string };

/** ReferenceLists are the items of each collection read so far. */
export type ReferenceLists = Partial<Record<Collection, readonly Item[]>>;

/** References are the lists, whether they are read, and how to read one again. */
export interface References {
  readonly lists: ReferenceLists;
  readonly error: ApiError | undefined;
  readonly reload: (collection: Collection) => Promise<void>;
}

/** useReferences reads the given collections once, and again on demand. */
export function useReferences(token: string, collections: readonly Collection[], onUnauthenticated?: (e: ApiError) => void): References {
  const [lists, setLists] = useState<ReferenceLists>({});
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const reload = useCallback(
    async (collection: Collection) => {
      try {
        const items = await listAll<Item>(collection, token);
        setLists((l) => ({ ...l, [collection]: items }));
      } catch (err) {
        const e = asApiError(err);
        if (e.status === 401) onUnauthenticated?.(e);
        setError(e);
      }
    },
    [token],
  );
  useEffect(() => {
    for (const c of collections) void reload(c);
  }, [token, collections.join(',')]);
  return { lists, error, reload };
}

/** offered lists the items a reference field offers. */
export function offered(lists: ReferenceLists, ref: Reference): readonly Item[] {
  const items = lists[ref.collection] ?? [];
  const offer = ref.offer;
  if (!offer) return items;
  return items.filter((item) => Object.entries(offer).every(([k, v]) => item[k] === v));
}

/** itemLabel names an item in a picker: its name or description, its id, and what tells it apart. */
export function itemLabel(item: Item): string {
  const name = typeof item.name === 'string' ? item.name : typeof item.description === 'string' ? item.description : undefined;
  const extra: string[] = [];
  if (typeof item.protocol === 'string' && typeof item.port === 'number') extra.push(`${item.protocol}:${item.port}`);
  else if (typeof item.port === 'number') extra.push(`UDP ${item.port}`);
  if (typeof item.type === 'string') extra.push(item.type);
  if (Array.isArray(item.domains) && item.domains.length > 0) extra.push(item.domains.join(', '));
  if (item.system === true) extra.push('system');
  const head = name !== undefined && name !== item.id ? `${name} (${item.id})` : item.id;
  return extra.length > 0 ? `${head} — ${extra.join(', ')}` : head;
}
