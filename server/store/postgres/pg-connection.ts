/**
 * Telling "the database cannot be reached" from every other failure, and naming a database
 * without its password. A node answers the first with 503 STORE_UNAVAILABLE (and, at start,
 * waits and retries); anything else — a wrong password, a broken row, a bug — is not retried.
 */
import type { Pool, PoolClient } from 'pg';
import { GatehouseError } from '../../../schema/errors.ts';

/** NETWORK_CODES are the socket errors of a database that is down or out of reach. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket that is not there (the server is not running)
]);

/**
 * SQLSTATE classes of an unreachable or unavailable server: 08 connection exception, 53
 * insufficient resources (too many connections), 57P01–57P03 shutdown and "cannot connect now"
 * (starting up, in recovery), 57014 a statement cut by its timeout (a wedged server).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]$|57014$)/;

/** MESSAGES are node-postgres's own errors for a connection that broke or never came up. */
const MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Query read timeout|Connection ended/i;

/** isUnreachable tells whether a failure means the database could not be reached or used. */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof GatehouseError) return err.code === 'STORE_UNAVAILABLE';
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.length > 0) return NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code);
  return MESSAGES.test(err.message);
}

/** describeConnection names a postgres:// URL as user@host:port/database, never with its password. */
export function describeConnection(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username === '' ? '' : `${decodeURIComponent(u.username)}@`;
    const host = u.hostname === '' ? (u.searchParams.get('host') ?? 'localhost') : u.hostname;
    const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default database)';
    return `${user}${host}:${u.port || '5432'}/${database}`;
  } catch {
    return '(a connection string that is not a URL)';
  }
}

/**
 * withClient checks a connection out of the pool for `fn` and gives it back, discarded when it
 * broke. While checked out, a connection that the server or the network drops between two
 * statements emits 'error' with nobody listening — which would end the process — so it gets a
 * listener for as long as it is out; the next statement on it then fails, and `fn` sees that.
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    if (isUnreachable(err)) broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}
