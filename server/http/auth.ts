/**
 * Bearer-token authentication (SPEC §3): every route but the liveness probe needs the admin
 * token. Comparison is over SHA-256 digests with timingSafeEqual, so neither the token's
 * length nor its prefix leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GatehouseError } from '../../schema/errors.ts';
import { sendProblem } from './problem.ts';

/** PUBLIC_PATHS answer without a token. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/v1/healthz']);

/** TokenCheck verifies presented tokens against the admin token. */
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

/** registerAuth refuses every non-public request without the token, before its body is read. */
export function registerAuth(app: FastifyInstance, check: TokenCheck): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    if (PUBLIC_PATHS.has(path)) return;
    if (check.accepts(request.headers.authorization)) return;
    reply.header('www-authenticate', 'Bearer realm="gatehouse"');
    return sendProblem(
      reply,
      new GatehouseError(
        'UNAUTHENTICATED',
        request.headers.authorization === undefined ? 'the Authorization: Bearer <token> header is missing' : 'the bearer token is not valid',
      ),
    );
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
