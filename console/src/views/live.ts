/**
 * Live pages without reloading, cheaply: a page reads the API again every few seconds, and a list
 * is asked with If-None-Match so an unchanged one costs a body-less 304. Polling pauses while the
 * tab is hidden and resumes (at once) when it is shown again; the page says when it last checked.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiCall, ApiError, asApiError } from '../api.ts';

/** POLL_MS is how often a live page reads the API again. */
export const POLL_MS = 3000;

/** MAX_PAGES bounds how far a list is followed (100 items a page). */
const MAX_PAGES = 50;

interface CachedPage<T> {
  /** The nextToken the page was asked with (undefined for the first). */
  readonly after: string | undefined;
  readonly tag: string | undefined;
  readonly items: readonly T[];
  readonly nextToken: string | null;
}

/**
 * ListWatch holds one collection as last read, page by page with each page's ETag, and reads it
 * again conditionally: refresh() says whether anything changed, and `items` is a new array only then.
 */
export class ListWatch<T> {
  #pages: CachedPage<T>[] = [];
  #read = false;
  /** Every item of the collection, as last read. */
  items: readonly T[] = [];

  /** The collection's path, e.g. `/v1/listeners`. */
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** refresh reads the collection again; true when it changed since the last read (or on the first). */
  async refresh(token: string, signal?: AbortSignal): Promise<boolean> {
    const pages: CachedPage<T>[] = [];
    let changed = !this.#read;
    let after: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const query = new URLSearchParams({ limit: '100' });
      if (after !== undefined) query.set('nextToken', after);
      const cached = this.#pages[i];
      const usable = cached !== undefined && cached.after === after && cached.tag !== undefined ? cached : undefined;
      const answer = await apiCall<{ items: T[]; nextToken?: string | null }>({
        method: 'GET',
        path: `${this.path}?${query.toString()}`,
        token,
        signal,
        ...(usable?.tag ? { headers: { 'if-none-match': usable.tag } } : {}),
      });
      let page: CachedPage<T>;
      if (answer.status === 304 && usable) {
        page = usable;
      } else {
        if (answer.body === undefined) throw new ApiError(answer.status, 'API_OFF_CONTRACT', `Unexpected answer ${answer.status} from the management API`);
        page = { after, tag: answer.etag, items: answer.body.items, nextToken: answer.body.nextToken ?? null };
        changed = true;
      }
      pages.push(page);
      if (!page.nextToken) break;
      after = page.nextToken;
    }
    if (pages.length !== this.#pages.length) changed = true;
    this.#pages = pages;
    this.#read = true;
    if (changed) this.items = pages.flatMap((p) => p.items);
    return changed;
  }
}

/** Polling is what a live page shows about its reading: when it last checked, the last failure, whether it is paused. */
export interface Polling {
  readonly checkedAt: Date | undefined;
  readonly error: ApiError | undefined;
  readonly paused: boolean;
}

/**
 * usePolling runs `round` now and then every `intervalMs` while the tab is visible (the next round
 * starts once the last has ended). A refused token goes to onUnauthenticated; any other failure is
 * kept to show, and the next round tries again.
 */
export function usePolling(
  round: (signal: AbortSignal) => Promise<void>,
  deps: readonly unknown[],
  onUnauthenticated: (error: ApiError) => void,
  intervalMs = POLL_MS,
): Polling {
  const [checkedAt, setCheckedAt] = useState<Date | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const tick = async () => {
      clearTimeout(timer);
      timer = undefined;
      if (document.hidden) return setPaused(true);
      if (running) return;
      running = true;
      try {
        await round(abort.signal);
        if (abort.signal.aborted) return;
        setError(undefined);
        setCheckedAt(new Date());
      } catch (err) {
        if (abort.signal.aborted) return;
        const problem = asApiError(err);
        if (problem.status === 401) return onUnauthenticated(problem);
        setError(problem);
      } finally {
        running = false;
      }
      if (!abort.signal.aborted && !document.hidden) timer = setTimeout(() => void tick(), intervalMs);
    };
    const onVisibility = () => {
      if (document.hidden) {
        clearTimeout(timer);
        timer = undefined;
        setPaused(true);
      } else {
        setPaused(false);
        void tick();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      abort.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, deps);
  return { checkedAt, error, paused };
}

/** sameJson says whether two answers are the same document (the cheap test of a body that has no ETag to compare). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
