/**
 * The route table of the management API (SPEC §3) as data. The app registers exactly these
 * routes (register-routes.ts) and the OpenAPI document describes exactly these operations
 * (openapi/document.ts), so no route is served without being documented. The resource routes
 * are one router template over every kind (`/v1/:collection/:id`) and one documented operation
 * per kind; each kind's list filters and sub-routes come from the kind itself.
 */
import { z } from 'zod';
import { auditEventSchema } from '../../schema/api/audit-event.ts';
import { driftReportSchema, stackExportSchema } from '../../schema/api/drift.ts';
import { serverHealthSchema } from '../../schema/api/server-health.ts';
import { listPageSchema } from '../../schema/api/list-page.ts';
import { internalProblemSchema, problemFieldErrorSchema, problemSchema } from '../../schema/api/problem.ts';
import { dryRunResultSchema, livenessSchema, metricsTextSchema, openApiDocumentSchema } from '../../schema/api/system.ts';
import type { ErrorCode } from '../../schema/errors.ts';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ListFilterName, ResourceKind, SubRoute, SubRouteName } from '../../schema/resource-kind.ts';
import { PUBLIC_ROUTES } from '../http/auth.ts';
import { versionFixesBody } from '../http/entity-tag.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../service/list-cursor.ts';
import { EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT, IDEMPOTENCY_KEY_PATTERN, TAG_FILTER_PREFIX } from './request-options.ts';

/** ApiMethod is a method the table routes; fastify also answers HEAD on every GET route. */
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** RouteName names the handler that serves a route: one per resource operation, system route and sub-route. */
export type RouteName = 'list' | 'create' | 'read' | 'update' | 'delete' | 'healthz' | 'events' | 'openapi' | 'metrics' | 'drift' | SubRouteName;

/** ApiBody is a named body model: a component of the document, emitted from its zod schema. */
export interface ApiBody {
  /** The component name, e.g. `Listener`, `ListenerPage`, `Problem`. */
  readonly name: string;
  readonly schema: z.ZodType;
}

/** ApiParameter is a query parameter or header an operation reads. */
export interface ApiParameter {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType;
}

/** ApiResponse is one documented answer of an operation. */
export interface ApiResponse {
  readonly status: number;
  readonly description: string;
  /** The media type of the body (none for an answer without one). */
  readonly contentType?: string;
  /** The body: one model, or one of several (a PUT answers the resource, or the dry-run verdict). */
  readonly bodies?: readonly ApiBody[];
  readonly headers?: readonly ApiParameter[];
}

/** ApiOperation is one documented operation: a method on one concrete path. */
export interface ApiOperation {
  /** The OpenAPI path, e.g. `/v1/listeners/{id}`; each `{name}` is a path parameter. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** The document tag that groups it (the kind, or `System`). */
  readonly tag: string;
  /** Whether it answers without the token (SPEC §3: only the liveness probe). */
  readonly public: boolean;
  readonly query: readonly ApiParameter[];
  readonly headers: readonly ApiParameter[];
  /** The request body: a kind's create or PUT body. */
  readonly requestBody?: ApiBody;
  readonly responses: readonly ApiResponse[];
}

/** ApiRoute is one route of the router and the operations it serves, one per kind on a `:collection` template. */
export interface ApiRoute {
  readonly name: RouteName;
  readonly method: ApiMethod;
  /** The router's template, e.g. `/v1/:collection/:id`; the API metrics label requests with it. */
  readonly url: string;
  /** The kind a sub-route reads. */
  readonly kind?: ResourceKind;
  readonly operations: readonly ApiOperation[];
}

const JSON_TYPE = 'application/json';
/** PROBLEM_TYPE is the media type of every error body. */
export const PROBLEM_TYPE = 'application/problem+json';

const PROBLEM: ApiBody = { name: 'Problem', schema: problemSchema };
const INTERNAL_PROBLEM: ApiBody = { name: 'InternalProblem', schema: internalProblemSchema };
const DRY_RUN_RESULT: ApiBody = { name: 'DryRunResult', schema: dryRunResultSchema };

/** BODY_RULE_CODES are the 400 codes a body's rules give. */
const BODY_RULE_CODES: readonly ErrorCode[] = [
  'VALIDATION_FAILED',
  'CERT_INVALID_PEM',
  'CERT_KEY_MISMATCH',
  'CERT_NOT_CA',
  'CERT_UNSUPPORTED_WILDCARD',
  'RESERVED_HEADER_NAME',
  'EDITION_UNSUPPORTED',
  'REFERENCE_NOT_FOUND',
];

function problem(status: number, description: string, codes: readonly ErrorCode[], headers?: readonly ApiParameter[]): ApiResponse {
  return { status, description: `${description} Codes: ${codes.join(', ')}.`, contentType: PROBLEM_TYPE, bodies: [PROBLEM], ...(headers ? { headers } : {}) };
}

const wwwAuthenticate: ApiParameter = { name: 'WWW-Authenticate', description: 'The scheme to authenticate with: `Bearer realm="gatehouse"`.', schema: z.string() };
const etag: ApiParameter = { name: 'ETag', description: 'The resource version, `"<version>"`; send it back as If-Match.', schema: z.string() };
const listEtag: ApiParameter = { name: 'ETag', description: 'A strong validator of this page as sent (a status change changes it); send it back as If-None-Match.', schema: z.string() };
const location: ApiParameter = { name: 'Location', description: 'The path of the new resource.', schema: z.string() };

/** Answers every non-public operation may give: no or a wrong token, or a server failure. */
const unauthenticated = problem(401, 'No token, or a wrong one.', ['UNAUTHENTICATED'], [wwwAuthenticate]);
const internal: ApiResponse = {
  status: 500,
  description: 'The server failed to handle the request; nothing was changed unless a later read shows it.',
  contentType: PROBLEM_TYPE,
  bodies: [INTERNAL_PROBLEM],
};
const badQuery = problem(400, 'An unknown or malformed query parameter.', ['VALIDATION_FAILED']);
const tooLarge = problem(413, 'The body exceeds 1 MiB.', ['PAYLOAD_TOO_LARGE']);
const notJson = problem(415, 'The body is not JSON in UTF-8 (Content-Type: application/json).', ['UNSUPPORTED_MEDIA_TYPE']);
const staleIfMatch = problem(412, 'If-Match names no current version.', ['VERSION_MISMATCH']);
/** storeDown: a node on PostgreSQL cannot reach it; reads answer from the node's last copy, writes and the audit log cannot. */
const storeDown = problem(503, 'The configuration store (PostgreSQL) cannot be reached; nothing was written. Retry when it is back.', ['STORE_UNAVAILABLE']);

const dryRunParam: ApiParameter = {
  name: 'dryRun',
  description: 'Run every check of the write and change nothing: 200 {"valid": true} or the error the write would give.',
  schema: z.boolean().default(false),
};
const ifMatchHeader: ApiParameter = {
  name: 'If-Match',
  description: 'The ETag (`"<version>"`, a list of them, or `*`) the change is based on; a stale one is 412 VERSION_MISMATCH.',
  schema: z.string(),
};
const idempotencyKeyHeader: ApiParameter = {
  name: 'Idempotency-Key',
  description: 'The same key with the same body gives the same resource, not a second one; with another body, 422 IDEMPOTENCY_KEY_REUSED.',
  schema: z.string().regex(IDEMPOTENCY_KEY_PATTERN),
};
const ifNoneMatchHeader: ApiParameter = {
  name: 'If-None-Match',
  description: 'The ETag (or a list of them, or `*`) of the copy the client holds; the current one → 304 without a body.',
  schema: z.string(),
};
const notModified = (headers: readonly ApiParameter[]): ApiResponse => ({ status: 304, description: 'Unchanged since the ETag sent in If-None-Match; no body.', headers });
const pageParams: readonly ApiParameter[] = [
  { name: 'limit', description: `Items per page, 1–${MAX_LIMIT}.`, schema: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT) },
  { name: 'nextToken', description: 'The nextToken of the previous page.', schema: z.string() },
];

/** LIST_FILTER_PARAMETERS documents each list filter a kind may declare. */
const LIST_FILTER_PARAMETERS: { readonly [F in ListFilterName]: ApiParameter } = {
  tag: {
    name: `${TAG_FILTER_PREFIX}<key>`,
    description: `Only resources whose tag <key> has this value, e.g. \`${TAG_FILTER_PREFIX}env=prod\`; several tags must all match.`,
    schema: z.string(),
  },
  loadBalancerId: { name: 'loadBalancerId', description: 'Only the resources of this load balancer.', schema: z.string() },
};

/** Component names: `ServerGroup` → `ServerGroup…`; plural for list operation ids. */
function plural(name: string): string {
  return name.endsWith('y') ? `${name.slice(0, -1)}ies` : `${name}s`;
}

function capitalised(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** KindBodies are a kind's named models, built once so each component has one zod schema. */
interface KindBodies {
  readonly output: ApiBody;
  readonly create: ApiBody;
  readonly update: ApiBody;
  readonly page: ApiBody;
}

function kindBodies(kind: ResourceKind): KindBodies {
  return {
    output: { name: kind.name, schema: kind.output },
    create: { name: `${kind.name}Create`, schema: kind.create },
    update: { name: `${kind.name}Update`, schema: kind.update },
    page: { name: `${kind.name}Page`, schema: listPageSchema(kind.output, `${kind.name} resources`) },
  };
}

function operation(fields: Omit<ApiOperation, 'public' | 'query' | 'headers'> & Partial<Pick<ApiOperation, 'query' | 'headers'>>, method: ApiMethod, url: string): ApiOperation {
  const isPublic = PUBLIC_ROUTES.has(`${method} ${url}`);
  const responses = isPublic ? fields.responses : [...fields.responses, unauthenticated];
  return { query: [], headers: [], ...fields, public: isPublic, responses: [...responses, internal].sort((a, b) => a.status - b.status) };
}

/** collectionRoute is a route on a `:collection` template: one documented operation per kind. */
function collectionRoute(
  name: RouteName,
  method: ApiMethod,
  url: string,
  describe: (kind: ResourceKind, bodies: KindBodies) => Omit<ApiOperation, 'path' | 'tag' | 'public' | 'query' | 'headers'> & Partial<Pick<ApiOperation, 'query' | 'headers'>>,
  bodies: ReadonlyMap<ResourceKind, KindBodies>,
): ApiRoute {
  const operations = ALL_RESOURCE_KINDS.map((kind) =>
    operation({ path: url.replace(':collection', kind.collection).replace(':id', '{id}'), tag: kind.name, ...describe(kind, bodies.get(kind)!) }, method, url),
  );
  return { name, method, url, operations };
}

function resourceRoutes(bodies: ReadonlyMap<ResourceKind, KindBodies>): ApiRoute[] {
  const collection = '/v1/:collection';
  const item = '/v1/:collection/:id';
  const notFound = problem(404, 'No such resource.', ['NOT_FOUND']);
  return [
    collectionRoute(
      'list',
      'GET',
      collection,
      (kind, b) => ({
        operationId: `list${plural(kind.name)}`,
        summary: `List ${kind.name} resources in creation order${kind.systemResources ? ', the system ones first' : ''}.`,
        query: [...pageParams, ...kind.listFilters.map((f) => LIST_FILTER_PARAMETERS[f])],
        headers: [ifNoneMatchHeader],
        responses: [
          { status: 200, description: `A page of ${kind.name} resources.`, contentType: JSON_TYPE, bodies: [b.page], headers: [listEtag] },
          notModified([listEtag]),
          badQuery,
        ],
      }),
      bodies,
    ),
    collectionRoute(
      'create',
      'POST',
      collection,
      (kind, b) => ({
        operationId: `create${kind.name}`,
        summary: `Create a ${kind.name}.`,
        query: [dryRunParam],
        headers: [idempotencyKeyHeader],
        requestBody: b.create,
        responses: [
          { status: 201, description: `The new ${kind.name}.`, contentType: JSON_TYPE, bodies: [b.output], headers: [etag, location] },
          { status: 200, description: 'Dry run: every check passed.', contentType: JSON_TYPE, bodies: [DRY_RUN_RESULT] },
          problem(400, 'The body breaks a rule, or a query parameter is wrong.', BODY_RULE_CODES),
          problem(409, 'The port is taken.', ['PORT_CONFLICT']),
          tooLarge,
          notJson,
          problem(422, 'The Idempotency-Key was used with another body, or (dry run) the engine could not apply the configuration the write would make.', [
            'IDEMPOTENCY_KEY_REUSED',
            'ENGINE_REJECTED',
          ]),
          storeDown,
        ],
      }),
      bodies,
    ),
    collectionRoute(
      'read',
      'GET',
      item,
      (kind, b) => ({
        operationId: `get${kind.name}`,
        summary: `Read a ${kind.name}${kind.runtimeStatus ? ' with its status in the engine' : ''}.`,
        // Only a read the version fixes can be answered 304 (not a listener's status, nor a certificate's `expired`).
        ...(versionFixesBody(kind) ? { headers: [ifNoneMatchHeader] } : {}),
        responses: [
          { status: 200, description: `The ${kind.name}.`, contentType: JSON_TYPE, bodies: [b.output], headers: [etag] },
          ...(versionFixesBody(kind) ? [notModified([etag])] : []),
          badQuery,
          notFound,
        ],
      }),
      bodies,
    ),
    collectionRoute(
      'update',
      'PUT',
      item,
      (kind, b) => ({
        operationId: `update${kind.name}`,
        summary: `Replace the desired state of a ${kind.name}.`,
        query: [dryRunParam],
        headers: [ifMatchHeader],
        requestBody: b.update,
        responses: [
          { status: 200, description: `The ${kind.name} as changed (with its ETag), or for a dry run the verdict.`, contentType: JSON_TYPE, bodies: [b.output, DRY_RUN_RESULT], headers: [etag] },
          problem(400, 'The body breaks a rule, or a query parameter is wrong.', BODY_RULE_CODES),
          notFound,
          problem(409, 'A replace field changed, the port is taken, or the resource is read-only.', ['IMMUTABLE_FIELD', 'PORT_CONFLICT']),
          staleIfMatch,
          tooLarge,
          notJson,
          problem(422, 'Dry run: the engine could not apply the configuration the write would make.', ['ENGINE_REJECTED']),
          storeDown,
        ],
      }),
      bodies,
    ),
    collectionRoute(
      'delete',
      'DELETE',
      item,
      (kind) => ({
        operationId: `delete${kind.name}`,
        summary: `Delete a ${kind.name} that nothing references.`,
        query: [dryRunParam],
        headers: [ifMatchHeader],
        responses: [
          { status: 204, description: 'Deleted.' },
          { status: 200, description: 'Dry run: every check passed.', contentType: JSON_TYPE, bodies: [DRY_RUN_RESULT] },
          badQuery,
          notFound,
          problem(409, 'Referenced by other resources, protected, or read-only.', ['IN_USE', 'DELETION_PROTECTED', 'IMMUTABLE_FIELD']),
          staleIfMatch,
          storeDown,
        ],
      }),
      bodies,
    ),
  ];
}

function subRoute(kind: ResourceKind, sub: SubRoute): ApiRoute {
  const url = `/v1/${kind.collection}/:id/${sub.name}`;
  const response: ApiBody = { name: `${kind.name}${capitalised(sub.name)}`, schema: sub.response };
  return {
    name: sub.name,
    method: 'GET',
    url,
    kind,
    operations: [
      operation(
        {
          path: `/v1/${kind.collection}/{id}/${sub.name}`,
          operationId: sub.operationId,
          summary: sub.summary,
          tag: kind.name,
          responses: [
            { status: 200, description: sub.summary, contentType: JSON_TYPE, bodies: [response] },
            badQuery,
            problem(404, `No such ${kind.name}.`, ['NOT_FOUND']),
          ],
        },
        'GET',
        url,
      ),
    ],
  };
}

function systemRoute(name: RouteName, url: string, fields: Omit<ApiOperation, 'path' | 'tag' | 'public' | 'query' | 'headers'> & Partial<Pick<ApiOperation, 'query' | 'headers'>>): ApiRoute {
  return { name, method: 'GET', url, operations: [operation({ path: url, tag: 'System', ...fields }, 'GET', url)] };
}

function systemRoutes(): ApiRoute[] {
  return [
    systemRoute('healthz', '/v1/healthz', {
      operationId: 'getHealthz',
      summary: 'Liveness: the management API answers.',
      responses: [{ status: 200, description: 'The API answers.', contentType: JSON_TYPE, bodies: [{ name: 'Liveness', schema: livenessSchema }] }],
    }),
    systemRoute('events', '/v1/events', {
      operationId: 'listEvents',
      summary: 'The audit log: every committed change, in order.',
      query: [
        { name: 'since', description: 'An event seq (the events after it) or an RFC 3339 time (the events from it on).', schema: z.string() },
        { name: 'limit', description: `Events per page, 1–${EVENTS_MAX_LIMIT}.`, schema: z.number().int().min(1).max(EVENTS_MAX_LIMIT).default(EVENTS_DEFAULT_LIMIT) },
        { name: 'nextToken', description: 'The nextToken of the previous page (an event seq; wins over since).', schema: z.string() },
      ],
      responses: [
        { status: 200, description: 'A page of audit events.', contentType: JSON_TYPE, bodies: [{ name: 'AuditEventPage', schema: listPageSchema(auditEventSchema, 'audit events') }] },
        badQuery,
        storeDown,
      ],
    }),
    systemRoute('openapi', '/v1/openapi.json', {
      operationId: 'getOpenApiDocument',
      summary: 'This document: the OpenAPI 3.1 description of the API, generated from its route table and the resource schemas.',
      responses: [{ status: 200, description: 'The OpenAPI document.', contentType: JSON_TYPE, bodies: [{ name: 'OpenApiDocument', schema: openApiDocumentSchema }] }],
    }),
    systemRoute('metrics', '/metrics', {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of the API and the engine.',
      responses: [{ status: 200, description: 'Prometheus text exposition format.', contentType: 'text/plain', bodies: [{ name: 'MetricsText', schema: metricsTextSchema }] }],
    }),
  ];
}

/** driftRoute compares a stack export with the live state: the comparison `gatehouse drift` makes (SPEC §3, §4). */
function driftRoute(): ApiRoute {
  const url = '/v1/drift';
  return {
    name: 'drift',
    method: 'POST',
    url,
    operations: [
      operation(
        {
          path: url,
          operationId: 'compareStackExport',
          summary: 'Compare a `pulumi stack export` with the live state, resource by resource: in sync, missing, or the fields that differ (what `gatehouse drift` reports). Changes nothing.',
          tag: 'System',
          requestBody: { name: 'StackExport', schema: stackExportSchema },
          responses: [
            { status: 200, description: 'The drift report.', contentType: JSON_TYPE, bodies: [{ name: 'DriftReport', schema: driftReportSchema }] },
            problem(400, 'The body is not a stack export (the error names the part at fault), or a query parameter was given.', ['VALIDATION_FAILED']),
            tooLarge,
            notJson,
          ],
        },
        'POST',
        url,
      ),
    ],
  };
}

function buildRouteTable(): readonly ApiRoute[] {
  const bodies = new Map(ALL_RESOURCE_KINDS.map((kind) => [kind, kindBodies(kind)] as const));
  const routes = [...systemRoutes(), driftRoute(), ...resourceRoutes(bodies), ...ALL_RESOURCE_KINDS.flatMap((kind) => kind.subRoutes.map((sub) => subRoute(kind, sub)))];
  return Object.freeze(routes);
}

/** NESTED_MODELS are models inside the bodies above that the document names as components of their own. */
export const NESTED_MODELS: readonly ApiBody[] = Object.freeze([
  { name: 'ProblemFieldError', schema: problemFieldErrorSchema },
  { name: 'AuditEvent', schema: auditEventSchema },
  { name: 'ServerHealth', schema: serverHealthSchema },
]);

/** API_ROUTES is every route of the management API, in registration order. */
export const API_ROUTES: readonly ApiRoute[] = buildRouteTable();
