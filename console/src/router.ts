/**
 * The console's pages are addressed by the URL's hash (`#/events`, `#/r/listeners/lsn-…`), so
 * the server serves one index.html for every page, a reload stays on the page, and the browser's
 * Back button works. Nothing secret is ever in the hash: ids and filters only.
 */
import { useEffect, useState } from 'preact/hooks';

/** COLLECTIONS are the API's resource collections the console addresses. */
export const COLLECTIONS = ['load-balancers', 'listeners', 'quic-listeners', 'certificates', 'tls-policies', 'server-groups'] as const;
/** Collection is one of COLLECTIONS. */
export type Collection = (typeof COLLECTIONS)[number];

/** Route is a page of the console and what it shows. */
export type Route =
  | { page: 'overview' }
  | { page: 'create-listener'; loadBalancerId?: string }
  | { page: 'quick-create'; loadBalancerId?: string }
  | { page: 'create'; collection: Collection }
  | { page: 'resource'; collection: Collection; id: string }
  | { page: 'edit'; collection: Collection; id: string }
  | { page: 'events'; resourceId?: string }
  | { page: 'drift' }
  | { page: 'code'; collection: Collection; id: string }
  | { page: 'not-found'; hash: string };

function isCollection(s: string | undefined): s is Collection {
  return (COLLECTIONS as readonly string[]).includes(s ?? '');
}

/** parseRoute reads a location hash (`#/…`, or empty for the overview). */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', queryText = ''] = raw.split('?', 2);
  const query = new URLSearchParams(queryText);
  const parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  const lb = query.get('loadBalancerId') ?? undefined;
  const withLb = <T extends object>(r: T): T & { loadBalancerId?: string } => (lb ? { ...r, loadBalancerId: lb } : r);
  const [a, b, c, d] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (a === 'listeners' && b === 'new' && parts.length === 2) return withLb({ page: 'create-listener' as const });
  if (a === 'listeners' && b === 'quick-create' && parts.length === 2) return withLb({ page: 'quick-create' as const });
  if (a === 'events' && parts.length === 1) {
    const resourceId = query.get('resourceId');
    return resourceId ? { page: 'events', resourceId } : { page: 'events' };
  }
  if (a === 'drift' && parts.length === 1) return { page: 'drift' };
  if (a === 'code' && isCollection(b) && c && parts.length === 3) return { page: 'code', collection: b, id: c };
  if (a === 'r' && isCollection(b)) {
    if (c === 'new' && parts.length === 3) return { page: 'create', collection: b };
    if (c && parts.length === 3) return { page: 'resource', collection: b, id: c };
    if (c && d === 'edit' && parts.length === 4) return { page: 'edit', collection: b, id: c };
  }
  return { page: 'not-found', hash };
}

/** href is the link to a route (the inverse of parseRoute). */
export function href(route: Route): string {
  const enc = encodeURIComponent;
  const lbQuery = (r: { loadBalancerId?: string }) => (r.loadBalancerId ? `?loadBalancerId=${enc(r.loadBalancerId)}` : '');
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'create-listener':
      return `#/listeners/new${lbQuery(route)}`;
    case 'quick-create':
      return `#/listeners/quick-create${lbQuery(route)}`;
    case 'create':
      return `#/r/${route.collection}/new`;
    case 'resource':
      return `#/r/${route.collection}/${enc(route.id)}`;
    case 'edit':
      return `#/r/${route.collection}/${enc(route.id)}/edit`;
    case 'events':
      return route.resourceId ? `#/events?resourceId=${enc(route.resourceId)}` : '#/events';
    case 'drift':
      return '#/drift';
    case 'code':
      return `#/code/${route.collection}/${enc(route.id)}`;
    case 'not-found':
      return route.hash;
  }
}

/** navigate moves the tab to a route (a history entry, as a link would). */
export function navigate(route: Route): void {
  location.hash = href(route);
}

/** useRoute is the current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}
