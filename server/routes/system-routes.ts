/**
 * The non-resource routes of SPEC §3 (liveness, the audit log, the OpenAPI document, Prometheus
 * metrics) and the kinds' sub-routes (a server group's runtime health).
 */
import type { Registry } from 'prom-client';
import type { AuditEvent } from '../../schema/api/audit-event.ts';
import type { ListPage } from '../../schema/api/list-page.ts';
import type { ServerGroupHealth, ServerHealth } from '../../schema/api/server-health.ts';
import type { Liveness } from '../../schema/api/system.ts';
import type { SubRouteName } from '../../schema/resource-kind.ts';
import type { ConfigStore } from '../store/config-store.ts';
import type { ResourceService } from '../service/resource-service.ts';
import type { RuntimeView } from '../service/runtime-view.ts';
import type { RouteHandler, RouteHandlers } from './register-routes.ts';
import { noQuery, parseEventsQuery } from './request-options.ts';

export { EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT } from './request-options.ts';

/** SystemRouteDeps are what the non-resource routes read. */
export interface SystemRouteDeps {
  readonly store: ConfigStore;
  readonly service: ResourceService;
  readonly runtime: RuntimeView;
  readonly registry: Registry;
  readonly openapi: () => unknown;
  /** Whether an Authorization header carries the admin token (public routes say more to it). */
  readonly authenticated: (authorization: string | undefined) => boolean;
}

type Query = Record<string, unknown>;

/** SystemRouteName names the routes outside the resource collections. */
type SystemRouteName = 'healthz' | 'events' | 'openapi' | 'metrics' | SubRouteName;

/** systemRouteHandlers serve healthz, events, openapi.json, metrics and the sub-routes. */
export function systemRouteHandlers(deps: SystemRouteDeps): Pick<RouteHandlers, SystemRouteName> {
  // Anyone may ask whether the API lives; only the token's holder learns about the engine's processes.
  const healthz: RouteHandler = async (request): Promise<Liveness> => {
    if (!deps.authenticated(request.headers.authorization)) return { status: 'ok' };
    const engine = deps.runtime.engineStatus?.();
    const cluster = await deps.runtime.clusterStatus?.();
    return { status: 'ok', ...(engine === undefined ? {} : { engine }), ...(cluster === undefined ? {} : { cluster }) };
  };

  const events: RouteHandler = async (request): Promise<ListPage<AuditEvent>> => {
    const { limit, afterSeq, fromTime } = parseEventsQuery(request.query as Query);
    const items = await deps.store.auditEvents({ afterSeq, fromTime, limit });
    const last = items.at(-1);
    return { items, nextToken: items.length === limit && last ? String(last.seq) : null };
  };

  const openapi: RouteHandler = () => deps.openapi();

  const metrics: RouteHandler = (_request, reply) => {
    reply.header('content-type', deps.registry.contentType);
    return deps.runtime.metrics ? deps.runtime.metrics(deps.registry) : deps.registry.metrics();
  };

  return {
    healthz: () => healthz,
    events: () => events,
    openapi: () => openapi,
    metrics: () => metrics,
    // A server group's health: what the engine's checks see of each of its servers.
    health: (route) => {
      const kind = route.kind;
      if (kind === undefined) throw new Error(`${route.url} is not the route of a kind`);
      return async (request): Promise<ServerGroupHealth> => {
        const { id } = request.params as { id: string };
        noQuery(request.query as Query);
        const { body } = await deps.service.get(kind, id);
        const live: ServerHealth[] | undefined = deps.runtime.serverGroupHealth(id);
        // A group no running listener uses is not health-checked: report its servers Unchecked.
        const servers =
          live ??
          (Array.isArray(body.servers) ? body.servers : []).map((s: { address: string; port: number }) => ({
            address: s.address,
            port: s.port,
            state: 'Unchecked' as const,
          }));
        // In a cluster each node probes for itself: say whose view this is.
        const node = deps.runtime.nodeName;
        return node === undefined ? { serverGroupId: id, servers } : { serverGroupId: id, node, servers };
      };
    },
  };
}
