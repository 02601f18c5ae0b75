/**
 * The generic CRUD routes of SPEC §3, driven by the kinds table: one set of handlers serves
 * all six collections.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { kindByCollection } from '../../schema/kinds.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import type { ResourceService, WriteContext, WriteOutcome } from '../service/resource-service.ts';
import type { RuntimeView } from '../service/runtime-view.ts';
import type { RouteHandler, RouteHandlers } from './register-routes.ts';
import { bodyTag, noneMatch, versionFixesBody } from '../http/entity-tag.ts';
import { headerValue, noQuery, parseIdempotencyKey, parseListQuery, parseWriteQuery } from './request-options.ts';

/** READ_SETTLE_MS bounds how long a read of a kind with runtime status waits for a pending apply (read-your-writes). */
export const READ_SETTLE_MS = 2000;

type CollectionParams = { collection: string };
type ItemParams = { collection: string; id: string };
type Query = Record<string, unknown>;

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

/** ResourceRouteName names the routes every collection serves. */
type ResourceRouteName = 'list' | 'create' | 'read' | 'update' | 'delete';

/** resourceRouteHandlers serve list / create / read / update / delete for every collection. */
export function resourceRouteHandlers(service: ResourceService, runtime: RuntimeView): Pick<RouteHandlers, ResourceRouteName> {
  // The list is serialized here, once, so its ETag is a digest of exactly the bytes sent.
  const list: RouteHandler = async (request, reply) => {
    const kind = kindOf((request.params as CollectionParams).collection);
    const params = parseListQuery(kind, request.query as Query);
    if (kind.runtimeStatus) await runtime.settled(READ_SETTLE_MS);
    const json = JSON.stringify(await service.list(kind, params));
    const tag = bodyTag(json);
    reply.header('etag', tag);
    if (noneMatch(request.headers['if-none-match'], tag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(json);
  };

  const create: RouteHandler = async (request, reply) => {
    const kind = kindOf((request.params as CollectionParams).collection);
    const { dryRun } = parseWriteQuery(request.query as Query);
    const outcome = await service.create(kind, request.body, writeContext(request, dryRun));
    if (outcome.status === 201 && outcome.body && typeof outcome.body === 'object') {
      reply.header('location', `/v1/${kind.collection}/${String((outcome.body as { id?: unknown }).id)}`);
    }
    return send(reply, outcome);
  };

  const read: RouteHandler = async (request, reply) => {
    const params = request.params as ItemParams;
    const kind = kindOf(params.collection);
    noQuery(request.query as Query);
    if (kind.runtimeStatus) await runtime.settled(READ_SETTLE_MS);
    const { body, version } = await service.get(kind, params.id);
    const tag = `"${version}"`;
    reply.header('etag', tag);
    // The version fixes the body unless the engine's status or the clock is part of it.
    if (versionFixesBody(kind) && noneMatch(request.headers['if-none-match'], tag)) return reply.code(304).send();
    return body;
  };

  const update: RouteHandler = async (request, reply) => {
    const params = request.params as ItemParams;
    const kind = kindOf(params.collection);
    const { dryRun } = parseWriteQuery(request.query as Query);
    return send(reply, await service.update(kind, params.id, request.body, writeContext(request, dryRun)));
  };

  const remove: RouteHandler = async (request, reply) => {
    const params = request.params as ItemParams;
    const kind = kindOf(params.collection);
    const { dryRun } = parseWriteQuery(request.query as Query);
    return send(reply, await service.remove(kind, params.id, writeContext(request, dryRun)));
  };

  return { list: () => list, create: () => create, read: () => read, update: () => update, delete: () => remove };
}
