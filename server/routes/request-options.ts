/**
 * Reading the query and headers that steer a request (dryRun, If-Match, Idempotency-Key,
 * list filters, the audit log's position) with the same strictness as bodies: an unknown
 * parameter is a 400, not ignored. The route table documents each parameter read here.
 */
import { GatehouseError } from '../../schema/errors.ts';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ListFilterName, ResourceKind } from '../../schema/resource-kind.ts';
import { parseLimit } from '../service/list-cursor.ts';
import type { ListParams } from '../service/resource-service.ts';

type Query = Record<string, unknown>;

/** TAG_FILTER_PREFIX starts a `tag.<key>=<value>` list filter. */
export const TAG_FILTER_PREFIX = 'tag.';

/** EVENTS_DEFAULT_LIMIT is the audit-log page size when `limit` is absent. */
export const EVENTS_DEFAULT_LIMIT = 100;
/** EVENTS_MAX_LIMIT is the largest audit-log page. */
export const EVENTS_MAX_LIMIT = 1000;

/** IDEMPOTENCY_KEY_PATTERN: 1–255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

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

/** A field filter is a list filter named like the query parameter it reads (all but `tag`). */
function isFieldFilter(key: string): key is Exclude<ListFilterName, 'tag'> {
  return key !== 'tag' && ALL_RESOURCE_KINDS.some((k) => (k.listFilters as readonly string[]).includes(key));
}

/** parseListQuery reads limit, nextToken and the list filters the kind declares (tag.<key>, loadBalancerId). */
export function parseListQuery(kind: ResourceKind, query: Query): ListParams {
  const tags: [string, string][] = [];
  for (const key of Object.keys(query)) {
    if (key.startsWith(TAG_FILTER_PREFIX) && key.length > TAG_FILTER_PREFIX.length && kind.listFilters.includes('tag')) {
      const value = single(query, key);
      tags.push([key.slice(TAG_FILTER_PREFIX.length), value ?? '']);
    } else if (isFieldFilter(key)) {
      if (!kind.listFilters.includes(key)) {
        const filtered = ALL_RESOURCE_KINDS.filter((k) => k.listFilters.includes(key)).map((k) => k.collection);
        throw invalid(key, `filters ${filtered.join(' and ')}, not ${kind.collection}`);
      }
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

/** EventsQuery is the validated query of the audit log: a page size and where to start. */
export interface EventsQuery {
  readonly limit: number;
  /** Events after this seq. */
  readonly afterSeq?: number | undefined;
  /** Events from this time on (ISO 8601, UTC). */
  readonly fromTime?: string | undefined;
}

/** parseEventsQuery reads `since` (a seq or an RFC 3339 time), `limit` and `nextToken` (a seq, which wins over since). */
export function parseEventsQuery(query: Query): EventsQuery {
  for (const key of Object.keys(query)) if (!['since', 'limit', 'nextToken'].includes(key)) throw invalid(key, 'unknown query parameter');
  const limitText = query.limit;
  let limit = EVENTS_DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = typeof limitText === 'string' && /^[0-9]{1,5}$/.test(limitText) ? Number(limitText) : 0;
    if (limit < 1 || limit > EVENTS_MAX_LIMIT) throw invalid('limit', `must be an integer from 1 to ${EVENTS_MAX_LIMIT}`);
  }
  const position = query.nextToken ?? query.since;
  let afterSeq: number | undefined;
  let fromTime: string | undefined;
  if (position !== undefined) {
    if (typeof position !== 'string') throw invalid('since', 'may be given once');
    if (/^(0|[1-9][0-9]{0,15})$/.test(position)) afterSeq = Number(position);
    else if (RFC3339.test(position) && !Number.isNaN(Date.parse(position))) fromTime = new Date(position).toISOString();
    else throw invalid(query.nextToken !== undefined ? 'nextToken' : 'since', 'must be an event seq or an RFC 3339 time');
  }
  return { limit, afterSeq, fromTime };
}

/** noQuery refuses any query parameter on routes that take none. */
export function noQuery(query: Query): void {
  const key = Object.keys(query)[0];
  if (key !== undefined) throw invalid(key, 'unknown query parameter');
}

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
