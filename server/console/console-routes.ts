/**
 * The web console at `/console/` on the management port (SPEC §3): the built single-page app's
 * files, public (they hold no data; every API call the app makes carries the admin token),
 * each answer with a strict Content-Security-Policy and the framing, sniffing and referrer
 * headers. These routes are not the management API: the OpenAPI document leaves them out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleFiles, type ConsoleFile } from './console-files.ts';

/** CONSOLE_ROUTES are the console's router templates; GET routes answer HEAD as well. */
export const CONSOLE_ROUTES = ['/console/', '/console/*'] as const;

/**
 * CONSOLE_CSP lets the page load its own scripts, styles and images and call its own origin,
 * nothing else: no inline script or style, no eval, no frame may embed it, no <base> may move it.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** CONSOLE_HEADERS go on every console answer, a 404 or the not-built 503 included. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** IMMUTABLE is the cache policy of content-hashed assets: a new build gives them new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** REVALIDATE makes a browser ask again for index.html (its ETag makes that a 304). */
const REVALIDATE = 'no-cache';

/** NOT_BUILT is the answer while the folder holds no built console. */
export const NOT_BUILT = 'The Gatehouse console is not built. Run `npm run build:console` in the Gatehouse checkout, then reload this page.\n';

/** registerConsoleRoutes serves the console's files from `files`. */
export function registerConsoleRoutes(app: FastifyInstance, files: ConsoleFiles): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) => serve(files, request, reply);
  for (const url of CONSOLE_ROUTES) app.route({ method: 'GET', url, exposeHeadRoute: true, handler });
}

function serve(files: ConsoleFiles, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.headers(CONSOLE_HEADERS);
  const listing = files.files();
  if (listing === undefined) {
    return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(NOT_BUILT);
  }
  const wildcard = (request.params as Record<string, string | undefined>)['*'];
  const name = wildcard === undefined || wildcard === '' ? 'index.html' : wildcard;
  const file = listing.get(name);
  if (file === undefined) {
    return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found: the console has no such file.\n');
  }
  return send(file, request, reply);
}

function send(file: ConsoleFile, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('cache-control', file.immutable ? IMMUTABLE : REVALIDATE).header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.contentType).send(file.body);
}
