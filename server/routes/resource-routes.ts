/**
 * The generic CRUD routes of SPEC §3, driven by the kinds table: one set of handlers serves
 * all six collections.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { kindByCollection } from '../../schema/kinds.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { LISTENER_KINDS } from '../service/presenter.ts';
import type { ResourceService, WriteContext, WriteOutcome } from '../service/resource-service.ts';
import type { RuntimeView } from '../service/runtime-view.ts';
import { headerValue, noQuery, parseIdempotencyKey, parseListQuery, parseWriteQuery } from './request-options.ts';

/** READ_SETTLE_MS bounds how long a listener read waits for a pending apply (read-your-writes). */
export const READ_SETTLE_MS = 2000;

type CollectionParams = { collection: string };
type ItemParams = { collection: string; id: string };

function kindOf(collection: string): ResourceKind {
  const kind = kindByCollection(collection);
  if (!kind) throw new GatehouseError('NOT_FOUND', `there is no collection ${collection}`);
  return kind;
}

function send(reply: FastifyReply, outcome: WriteOutcome): FastifyReply {
  if (outcome.version !== undefined) reply.header('etag', `"${outcome.version}"`);
  if (outcome.status === 204) return reply.code(204).send();
  return reply.code(outcome.status).send(outcome.body);
}

function writeContext(request: FastifyRequest, dryRun: boolean): WriteContext {
  return {
    sourceAddress: request.ip,
    dryRun,
    ifMatch: headerValue(request.headers['if-match']),
    idempotencyKey: parseIdempotencyKey(request.headers['idempotency-key']),
  };
}

/** registerResourceRoutes adds list / create / read / update / delete for every collection. */
export function registerResourceRoutes(app: FastifyInstance, service: ResourceService, runtime: RuntimeView): void {
  app.get<{ Params: CollectionParams }>('/v1/:collection', async (request) => {
    const kind = kindOf(request.params.collection);
    const params = parseListQuery(kind, request.query as Record<string, unknown>);
    if (LISTENER_KINDS.has(kind.name)) await runtime.settled(READ_SETTLE_MS);
    return service.list(kind, params);
  });

  app.post<{ Params: CollectionParams }>('/v1/:collection', async (request, reply) => {
    const kind = kindOf(request.params.collection);
    const { dryRun } = parseWriteQuery(request.query as Record<string, unknown>);
    const outcome = service.create(kind, request.body, writeContext(request, dryRun));
    if (outcome.status === 201 && outcome.body && typeof outcome.body === 'object') {
      reply.header('location', `/v1/${kind.collection}/${String((outcome.body as { id?: unknown }).id)}`);
    }
    return send(reply, outcome);
  });

  app.get<{ Params: ItemParams }>('/v1/:collection/:id', async (request, reply) => {
    const kind = kindOf(request.params.collection);
    noQuery(request.query as Record<string, unknown>);
    if (LISTENER_KINDS.has(kind.name)) await runtime.settled(READ_SETTLE_MS);
    const { body, version } = service.get(kind, request.params.id);
    reply.header('etag', `"${version}"`);
    return body;
  });

  app.put<{ Params: ItemParams }>('/v1/:collection/:id', async (request, reply) => {
    const kind = kindOf(request.params.collection);
    const { dryRun } = parseWriteQuery(request.query as Record<string, unknown>);
    return send(reply, service.update(kind, request.params.id, request.body, writeContext(request, dryRun)));
  });

  app.delete<{ Params: ItemParams }>('/v1/:collection/:id', async (request, reply) => {
    const kind = kindOf(request.params.collection);
    const { dryRun } = parseWriteQuery(request.query as Record<string, unknown>);
    return send(reply, service.remove(kind, request.params.id, writeContext(request, dryRun)));
  });
}
