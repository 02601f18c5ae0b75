/**
 * Bearer-token authentication (SPEC §3): every route but the liveness probe needs the admin
 * token. Comparison is over SHA-256 digests with timingSafeEqual, so neither the token's
 * length nor its prefix leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { CONSOLE_ROUTES } from '../console/console-routes.ts';
import { sendProblem } from './problem.ts';

/**
 * PUBLIC_ROUTES answer without a token, as `METHOD route-template`. Matched on the route the
 * router chose, not on URL text, so no spelling of a path reaches another route unauthenticated.
 * The liveness probe answers HEAD too: many probes (Gatehouse's own health checks among them)
 * send HEAD by default, and HEAD reveals nothing GET does not. The web console's static files
 * are public too: they hold no data, and the app sends the token with each API call it makes.
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'GET /v1/healthz',
  'HEAD /v1/healthz',
  ...CONSOLE_ROUTES.flatMap((url) => [`GET ${url}`, `HEAD ${url}`]),
]);

/**
 * TokenCheck verifies presented tokens against the admin token. Both sides are hashed to 32
 * bytes first, so timingSafeEqual always compares equal lengths and nothing returns early on a
 * length difference.
 */
export class TokenCheck {
  readonly #digest: Buffer;

  constructor(token: string) {
    if (token.length === 0) throw new Error('the admin token must not be empty');
    this.#digest = sha256(token);
  }

  /** accepts tells whether an Authorization header value carries the admin token. */
  accepts(header: string | undefined): boolean {
    if (header === undefined) return false;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) return false;
    return timingSafeEqual(sha256(match[1]!), this.#digest);
  }
}

/**
 * refuseUnauthenticated answers 401 when a request needs the token and lacks it, and returns
 * the reply it sent; undefined lets the request go on.
 */
export function refuseUnauthenticated(check: TokenCheck, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (request.routeOptions.url !== undefined && PUBLIC_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return undefined;
  if (check.accepts(request.headers.authorization)) return undefined;
  reply.header('www-authenticate', 'Bearer realm="gatehouse"');
  return sendProblem(
    reply,
    new GatehouseError(
      'UNAUTHENTICATED',
      request.headers.authorization === undefined ? 'the Authorization: Bearer <token> header is missing' : 'the bearer token is not valid',
    ),
  );
}

/** registerAuth refuses every non-public request without the token, before its body is read. */
export function registerAuth(app: FastifyInstance, check: TokenCheck): void {
  app.addHook('onRequest', async (request, reply) => refuseUnauthenticated(check, request, reply));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
