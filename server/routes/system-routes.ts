/**
 * The non-resource routes of SPEC §3: liveness, the audit log, server-group health, the
 * OpenAPI document and Prometheus metrics.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { GatehouseError } from '../../schema/errors.ts';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { Store } from '../store/store.ts';
import type { ResourceService } from '../service/resource-service.ts';
import type { RuntimeView } from '../service/runtime-view.ts';
import { noQuery } from './request-options.ts';

/** EVENTS_DEFAULT_LIMIT is the audit-log page size when `limit` is absent. */
export const EVENTS_DEFAULT_LIMIT = 100;
/** EVENTS_MAX_LIMIT is the largest audit-log page. */
export const EVENTS_MAX_LIMIT = 1000;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function invalid(path: string, message: string): GatehouseError {
  return new GatehouseError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
}

/** SystemRouteDeps are what the non-resource routes read. */
export interface SystemRouteDeps {
  readonly store: Store;
  readonly service: ResourceService;
  readonly runtime: RuntimeView;
  readonly registry: Registry;
  readonly openapi: () => unknown;
}

/** registerSystemRoutes adds healthz, events, server-group health, openapi.json and metrics. */
export function registerSystemRoutes(app: FastifyInstance, deps: SystemRouteDeps): void {
  app.get('/v1/healthz', async () => ({ status: 'ok' }));

  app.get('/v1/events', async (request) => {
    const query = request.query as Record<string, unknown>;
    for (const key of Object.keys(query)) if (!['since', 'limit', 'nextToken'].includes(key)) throw invalid(key, 'unknown query parameter');
    const limitText = query.limit;
    let limit = EVENTS_DEFAULT_LIMIT;
    if (limitText !== undefined) {
      limit = typeof limitText === 'string' && /^[0-9]{1,5}$/.test(limitText) ? Number(limitText) : 0;
      if (limit < 1 || limit > EVENTS_MAX_LIMIT) throw invalid('limit', `must be an integer from 1 to ${EVENTS_MAX_LIMIT}`);
    }
    const position = query.nextToken ?? query.since;
    let afterSeq: number | undefined;
    let fromTime: string | undefined;
    if (position !== undefined) {
      if (typeof position !== 'string') throw invalid('since', 'may be given once');
      if (/^(0|[1-9][0-9]{0,15})$/.test(position)) afterSeq = Number(position);
      else if (RFC3339.test(position) && !Number.isNaN(Date.parse(position))) fromTime = new Date(position).toISOString();
      else throw invalid(query.nextToken !== undefined ? 'nextToken' : 'since', 'must be an event seq or an RFC 3339 time');
    }
    const items = deps.store.events.read({ afterSeq, fromTime, limit });
    const last = items.at(-1);
    return { items, nextToken: items.length === limit && last ? String(last.seq) : null };
  });

  app.get<{ Params: { id: string } }>('/v1/server-groups/:id/health', async (request) => {
    noQuery(request.query as Record<string, unknown>);
    const { body } = deps.service.get(RESOURCE_KINDS.ServerGroup, request.params.id);
    const live = deps.runtime.serverGroupHealth(request.params.id);
    // A group no running listener uses is not health-checked: report its servers Unchecked.
    const servers =
      live ??
      (Array.isArray(body.servers) ? body.servers : []).map((s: { address: string; port: number }) => ({
        address: s.address,
        port: s.port,
        state: 'Unchecked' as const,
      }));
    return { serverGroupId: request.params.id, servers };
  });

  app.get('/v1/openapi.json', async () => deps.openapi());

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.registry.contentType);
    return deps.registry.metrics();
  });
}
