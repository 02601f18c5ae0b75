/** The console's hash routes: every route reads back from its own link, and odd hashes are no page. */
import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from '../src/router.ts';

describe('console routes', () => {
  const routes: Route[] = [
    { page: 'overview' },
    { page: 'create-listener' },
    { page: 'create-listener', loadBalancerId: 'lb-1' },
    { page: 'quick-create', loadBalancerId: 'lb-1' },
    { page: 'create', collection: 'certificates' },
    { page: 'resource', collection: 'listeners', id: 'lsn-abc' },
    { page: 'edit', collection: 'tls-policies', id: 'tls-x' },
    { page: 'events' },
    { page: 'events', resourceId: 'lsn-abc' },
    { page: 'drift' },
    { page: 'code', collection: 'load-balancers', id: 'lb-1' },
    { page: 'code', collection: 'certificates', id: 'cert-1' },
  ];
  it.each(routes)('reads back %j from its link', (route) => {
    expect(parseRoute(href(route))).toEqual(route);
  });

  it('an empty hash is the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
  });

  it.each(['#/r/widgets/x', '#/r/listeners', '#/nowhere', '#/r/listeners/x/edit/more', '#/code/lb-1', '#/code/widgets/x'])('%s is no page', (hash) => {
    expect(parseRoute(hash)).toEqual({ page: 'not-found', hash });
  });
});
