/**
 * Request paths are taken as sent or refused, never normalised: a path with a `.` or `..`
 * segment (raw or percent-encoded), an empty segment (`//`), an encoded slash or a backslash
 * means something different to a proxy in front of the API, to a client's URL library and to
 * the router, and one of them would resolve it to another route than the others (a path that
 * seems to address one resource acting on another, or slipping past a proxy's rule).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { sendProblem } from './problem.ts';

/**
 * pathProblem says why a request target's path is refused, or undefined when it is accepted.
 * A trailing slash is allowed (the router ignores it); the query is not looked at.
 */
export function pathProblem(target: string): string | undefined {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (!path.startsWith('/')) return undefined; // not origin-form: no route matches it anyway
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const raw = segments[i]!;
    if (raw === '') {
      if (i < segments.length - 1) return 'the path has an empty segment (//)';
      continue;
    }
    let segment = raw;
    if (raw.includes('%')) {
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return 'the path has a malformed percent-encoding';
      }
    }
    if (segment === '.' || segment === '..') return 'the path has a dot segment (. or ..)';
    if (segment.includes('/')) return 'the path has an encoded slash (%2F)';
    if (segment.includes('\\')) return 'the path has a backslash';
  }
  return undefined;
}

/** refuseBadPath answers 400 for a refused path and returns the reply; undefined lets it go on. */
export function refuseBadPath(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const problem = pathProblem(request.raw.url ?? '/');
  if (problem === undefined) return undefined;
  return sendProblem(reply, new GatehouseError('VALIDATION_FAILED', `${problem}; send the path as the API names it`, [{ path: '', message: problem }]));
}

/** registerPathGuard refuses such paths with 400, before authentication and routing. */
export function registerPathGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => refuseBadPath(request, reply));
}
