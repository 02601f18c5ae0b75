/**
 * buildApp assembles the management API: one fastify instance over one store, with a path
 * guard, bearer authentication, a strict 1 MiB JSON body parser, request deadlines,
 * problem+json errors, API metrics, every route of SPEC §3 and the web console's
 * static files at /console/. It opens no socket itself:
 * tests drive it with `inject` or listen on it, the runtime listens.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { Registry } from 'prom-client';
import { ConsoleFiles } from './console/console-files.ts';
import { registerConsoleRoutes } from './console/console-routes.ts';
import { registerApiMetrics } from './http/api-metrics.ts';
import { registerAuth, TokenCheck } from './http/auth.ts';
import { frameworkErrorHandler } from './http/framework-errors.ts';
import { registerJsonBody } from './http/json-body.ts';
import { registerProblemHandling } from './http/problem.ts';
import { registerPathGuard } from './http/request-path.ts';
import { API_TIMEOUTS, serverTimeoutOptions, type ApiTimeouts } from './http/timeouts.ts';
import { buildOpenApiDocument } from './openapi/document.ts';
import { driftRouteHandlers } from './routes/drift-route.ts';
import { registerApiRoutes } from './routes/register-routes.ts';
import { resourceRouteHandlers } from './routes/resource-routes.ts';
import { systemRouteHandlers } from './routes/system-routes.ts';
import { ResourceService } from './service/resource-service.ts';
import { DETACHED_RUNTIME, type RuntimeView } from './service/runtime-view.ts';
import type { ConfigStore } from './store/config-store.ts';
import { GATEHOUSE_VERSION } from './version.ts';

/**
 * BODY_LIMIT is SPEC §3's request size limit: larger bodies get 413 PAYLOAD_TOO_LARGE. The
 * largest real body, a certificate with a long chain, is a few tens of KiB.
 */
export const BODY_LIMIT = 1024 * 1024;

export { GATEHOUSE_VERSION };

/** AppOptions wire an API instance. */
export interface AppOptions {
  /** The store of record: the SQLite file, or PostgreSQL shared by several nodes. */
  readonly store: ConfigStore;
  /** The admin bearer token. */
  readonly token: string;
  /** The engine-facing view; default: no engine (listeners stay Provisioning). */
  readonly runtime?: RuntimeView;
  /** The registry /metrics exposes; default: a fresh one for this app. */
  readonly registry?: Registry;
  /** fastify logger options; default off (the runtime logs what matters, never bodies). */
  readonly logger?: FastifyServerOptions['logger'];
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  /** Request deadlines; default API_TIMEOUTS (tests shorten them). */
  readonly timeouts?: ApiTimeouts;
  /** Observes every route as it is registered (tests read the route table from the app). */
  readonly onRoute?: (route: RouteOptions) => void;
  /** The built web console served at /console/; default: `console/dist/` of the checkout. */
  readonly console?: ConsoleFiles;
}

/** buildApp returns a ready (not listening) fastify instance. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const runtime = options.runtime ?? DETACHED_RUNTIME;
  const registry = options.registry ?? new Registry();
  const tokens = new TokenCheck(options.token);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    ...serverTimeoutOptions(options.timeouts ?? API_TIMEOUTS),
    frameworkErrors: frameworkErrorHandler(tokens),
  });
  // A client may shut down its sending side once its request is out (nc, some HTTP/1.0 clients).
  // Node's HTTP server then abandons the request unless told the connection may stay half open,
  // and a handler that awaits its store (PostgreSQL) would answer into a closed socket. With it,
  // the answer is written and the connection closed after it.
  Object.assign(app.server, { httpAllowHalfOpen: true });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  const service = new ResourceService(options.store, runtime, options.now);
  let openapi: unknown;
  registerProblemHandling(app);
  registerJsonBody(app, BODY_LIMIT);
  registerPathGuard(app);
  registerAuth(app, tokens);
  registerApiMetrics(app, registry);
  registerApiRoutes(app, {
    ...systemRouteHandlers({
      store: options.store,
      service,
      runtime,
      registry,
      openapi: () => (openapi ??= buildOpenApiDocument(GATEHOUSE_VERSION)),
      authenticated: (authorization) => tokens.accepts(authorization),
    }),
    ...resourceRouteHandlers(service, runtime),
    ...driftRouteHandlers(service),
  });
  registerConsoleRoutes(app, options.console ?? new ConsoleFiles());
  await app.ready();
  return app;
}
