/**
 * The one error handler: every failure leaves the API as `application/problem+json` (RFC 9457)
 * with a stable registry code, whether a route threw a GatehouseError or fastify refused the
 * request before it reached a route (body too large, no JSON parser for its type, no such route).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { InternalProblem, Problem } from '../../schema/api/problem.ts';
import { GatehouseError } from '../../schema/errors.ts';

/** PROBLEM_CONTENT_TYPE is the media type of error bodies. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** sendProblem renders a GatehouseError as the answer. */
export function sendProblem(reply: FastifyReply, error: GatehouseError): FastifyReply {
  const body: Problem = error.toProblem();
  return reply.code(error.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** INTERNAL_PROBLEM is the body of a 500: the same for every failure, so it reveals nothing of it. */
const INTERNAL_PROBLEM: InternalProblem = Object.freeze({
  type: 'about:blank',
  status: 500,
  title: 'Internal server error',
  detail: 'the server failed to handle the request; nothing was changed unless a later read shows it',
  errors: [],
});

/** toGatehouseError maps fastify's own request errors onto registry codes; undefined = a bug. */
export function toGatehouseError(error: FastifyError | Error): GatehouseError | undefined {
  if (error instanceof GatehouseError) return error;
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatehouseError('PAYLOAD_TOO_LARGE', 'the request body exceeds 1 MiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatehouseError('UNSUPPORTED_MEDIA_TYPE', 'the request body must be JSON (Content-Type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatehouseError('VALIDATION_FAILED', 'the request body is empty; a JSON object is expected');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new GatehouseError('NOT_FOUND', 'no resource has an id that long');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatehouseError('VALIDATION_FAILED', 'the Content-Length does not match the body');
    default:
      break;
  }
  if (error instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new GatehouseError('VALIDATION_FAILED', `the request body is not valid JSON: ${error.message}`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 404) return new GatehouseError('NOT_FOUND', error.message);
    if (fe.statusCode === 413) return new GatehouseError('PAYLOAD_TOO_LARGE', 'the request body exceeds 1 MiB');
    if (fe.statusCode === 415) return new GatehouseError('UNSUPPORTED_MEDIA_TYPE', 'the request body must be JSON (Content-Type: application/json)');
    return new GatehouseError('VALIDATION_FAILED', error.message);
  }
  return undefined;
}

/** registerProblemHandling installs the error and not-found handlers on an app. */
export function registerProblemHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toGatehouseError(error);
    if (known) return sendProblem(reply, known);
    // Log the failure, never the request body: it may carry a private key.
    request.log.error({ err: error, method: request.method, url: request.routeOptions.url }, 'request failed');
    return reply.code(500).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(INTERNAL_PROBLEM));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new GatehouseError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
