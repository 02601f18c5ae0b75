/**
 * Reading the query and headers that steer a request (dryRun, If-Match, Idempotency-Key,
 * list filters) with the same strictness as bodies: an unknown parameter is a 400, not ignored.
 */
import { GatehouseError } from '../../schema/errors.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { parseLimit } from '../service/list-cursor.ts';
import type { ListParams } from '../service/resource-service.ts';

type Query = Record<string, unknown>;

function invalid(path: string, message: string): GatehouseError {
  return new GatehouseError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
}

function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(name, 'may be given once');
  return v;
}

/** writeQuery accepts only `dryRun=true|false` on writes. */
export function parseWriteQuery(query: Query): { dryRun: boolean } {
  for (const key of Object.keys(query)) if (key !== 'dryRun') throw invalid(key, 'unknown query parameter');
  const v = single(query, 'dryRun');
  if (v === undefined || v === 'false') return { dryRun: false };
  if (v === 'true') return { dryRun: true };
  throw invalid('dryRun', 'must be true or false');
}

/** parseListQuery reads limit, nextToken, tag.<key> filters and (for listeners) loadBalancerId. */
export function parseListQuery(kind: ResourceKind, query: Query): ListParams {
  const tags: [string, string][] = [];
  for (const key of Object.keys(query)) {
    if (key.startsWith('tag.') && key.length > 4) {
      const value = single(query, key);
      tags.push([key.slice(4), value ?? '']);
    } else if (key === 'loadBalancerId') {
      if (kind.name !== 'Listener' && kind.name !== 'QuicListener') throw invalid(key, `filters listeners and quic-listeners, not ${kind.collection}`);
    } else if (key !== 'limit' && key !== 'nextToken') {
      throw invalid(key, 'unknown query parameter');
    }
  }
  return {
    limit: parseLimit(single(query, 'limit')),
    nextToken: single(query, 'nextToken'),
    loadBalancerId: single(query, 'loadBalancerId'),
    tags,
  };
}

/** noQuery refuses any query parameter on routes that take none. */
export function noQuery(query: Query): void {
  const key = Object.keys(query)[0];
  if (key !== undefined) throw invalid(key, 'unknown query parameter');
}

/** IDEMPOTENCY_KEY_PATTERN: 1–255 visible ASCII characters. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** parseIdempotencyKey validates the optional Idempotency-Key header. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw invalid('Idempotency-Key', 'must be one value of 1–255 visible ASCII characters');
  }
  return header;
}

/** headerValue joins a possibly repeated header into one value. */
export function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header.join(', ') : header;
}
