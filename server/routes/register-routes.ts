/**
 * registerApiRoutes adds every route of the route table to the app, each served by the handler
 * of its name, and no other: the OpenAPI document is built from the same table.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ROUTES, type ApiRoute, type RouteName } from './route-table.ts';

/** RouteHandler answers one request of a route: the body, or a promise of it (fastify sends either). */
export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** RouteHandlers make the handler of each route name, given the route it serves. */
export type RouteHandlers = { readonly [N in RouteName]: (route: ApiRoute) => RouteHandler };

/** registerApiRoutes registers the table; GET routes also answer HEAD, which the document describes too. */
export function registerApiRoutes(app: FastifyInstance, handlers: RouteHandlers): void {
  for (const route of API_ROUTES) {
    app.route({ method: route.method, url: route.url, exposeHeadRoute: route.method === 'GET', handler: handlers[route.name](route) });
  }
}
