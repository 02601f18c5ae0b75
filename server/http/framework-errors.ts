/**
 * Requests fastify refuses while routing, before any hook runs (a path whose percent-encoding
 * does not decode, a path parameter over the router's length limit), pass the same gates as
 * every other request, in the same order: the path guard, then the token, then the refusal as
 * problem+json. Otherwise they would skip authentication and answer in fastify's own format.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { refuseUnauthenticated, type TokenCheck } from './auth.ts';
import { sendProblem, toGatehouseError } from './problem.ts';
import { refuseBadPath } from './request-path.ts';

/** frameworkErrorHandler is the fastify `frameworkErrors` option of an app guarded by `check`. */
export function frameworkErrorHandler(check: TokenCheck) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (refuseBadPath(request, reply) ?? refuseUnauthenticated(check, request, reply)) return;
    sendProblem(reply, toGatehouseError(error) ?? new GatehouseError('VALIDATION_FAILED', error.message));
  };
}
