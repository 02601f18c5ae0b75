/**
 * List paging: `?limit=` and an opaque `nextToken`. The token encodes the position after the
 * last item returned (a store sequence number, or an index into the system TLS policies that
 * precede custom ones), so pages stay stable while resources are created or deleted.
 */
import { GatehouseError } from '../../schema/errors.ts';

/** DEFAULT_LIMIT is SPEC §3's page size when `limit` is absent. */
export const DEFAULT_LIMIT = 50;
/** MAX_LIMIT is SPEC §3's largest page. */
export const MAX_LIMIT = 100;

/** Cursor is a decoded position: within the system policies, or after a stored row. */
export type Cursor = { readonly system: number } | { readonly afterSeq: number };

/** encodeCursor renders a position as a URL-safe token. */
export function encodeCursor(cursor: Cursor): string {
  const text = 'system' in cursor ? `s${cursor.system}` : `r${cursor.afterSeq}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** decodeCursor parses a token; anything not produced by encodeCursor is a 400. */
export function decodeCursor(token: string): Cursor {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^([sr])(0|[1-9][0-9]{0,15})$/.exec(text);
  if (!m || Buffer.from(text, 'utf8').toString('base64url') !== token) {
    throw new GatehouseError('VALIDATION_FAILED', 'nextToken is not a token this server returned', [
      { path: 'nextToken', message: 'not a valid page token' },
    ]);
  }
  const n = Number(m[2]);
  return m[1] === 's' ? { system: n } : { afterSeq: n };
}

/** parseLimit reads `?limit=`: an integer 1–100, default 50. */
export function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new GatehouseError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_LIMIT}`, [
      { path: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` },
    ]);
  }
  return n;
}
