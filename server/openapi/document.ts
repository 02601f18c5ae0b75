/**
 * The OpenAPI 3.1 document of the management API, built on the JSON Schemas that `schema/emit`
 * generates from the zod models (never written by hand), so the document cannot drift from
 * what the server validates.
 */
import { resourceJsonSchemas } from '../../schema/emit/json-schema.ts';
import { ERROR_CODES } from '../../schema/errors.ts';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** Component schemas are embedded in the document, so they drop their own `$schema`. */
function component(schema: Json): Json {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** Secret fields are accepted on writes and never returned: mark them so generators know. */
function markWriteOnly(schema: Json, fields: readonly string[]): Json {
  const props = schema.properties as Record<string, Json> | undefined;
  for (const f of fields) if (props?.[f]) props[f] = { ...props[f], writeOnly: true };
  return schema;
}

function problem(description: string, codes: readonly (keyof typeof ERROR_CODES)[]): Json {
  return {
    description: `${description} Codes: ${codes.join(', ')}.`,
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
}

const idParam: Json = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const dryRunParam: Json = {
  name: 'dryRun',
  in: 'query',
  schema: { type: 'boolean' },
  description: 'Run every check of the write and change nothing: 200 {"valid": true} or the error the write would give.',
};
const ifMatchParam: Json = {
  name: 'If-Match',
  in: 'header',
  schema: { type: 'string' },
  description: 'The ETag ("<version>") the change is based on; a stale one is 412 VERSION_MISMATCH.',
};

function kindPaths(kind: ResourceKind): Record<string, Json> {
  const n = kind.name;
  const listParams: Json[] = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
    { name: 'nextToken', in: 'query', schema: { type: 'string' } },
    { name: 'tag.<key>', in: 'query', schema: { type: 'string' }, description: 'Only resources with this tag value (repeatable, any key).' },
  ];
  if (n === 'Listener' || n === 'QuicListener') listParams.push({ name: 'loadBalancerId', in: 'query', schema: { type: 'string' } });
  const one = { description: `The ${n}`, headers: { ETag: { schema: { type: 'string' } } }, content: { 'application/json': { schema: ref(`${n}`) } } };
  const validity = { description: 'Dry run: every check passed.', content: { 'application/json': { schema: ref('DryRunResult') } } };
  return {
    [`/v1/${kind.collection}`]: {
      get: {
        operationId: `list${n}s`,
        tags: [n],
        parameters: listParams,
        responses: {
          200: {
            description: `A page of ${n} resources`,
            content: {
              'application/json': {
                schema: { type: 'object', properties: { items: { type: 'array', items: ref(n) }, nextToken: { type: ['string', 'null'] } }, required: ['items', 'nextToken'] },
              },
            },
          },
          400: problem('Bad query.', ['VALIDATION_FAILED']),
          401: problem('No or wrong token.', ['UNAUTHENTICATED']),
        },
      },
      post: {
        operationId: `create${n}`,
        tags: [n],
        parameters: [dryRunParam, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
        requestBody: { required: true, content: { 'application/json': { schema: ref(`${n}Create`) } } },
        responses: {
          201: one,
          200: validity,
          400: problem('The body breaks a rule.', ['VALIDATION_FAILED', 'CERT_INVALID_PEM', 'CERT_KEY_MISMATCH', 'CERT_NOT_CA', 'CERT_UNSUPPORTED_WILDCARD', 'RESERVED_HEADER_NAME', 'EDITION_UNSUPPORTED', 'REFERENCE_NOT_FOUND']),
          401: problem('No or wrong token.', ['UNAUTHENTICATED']),
          409: problem('Conflict with stored state.', ['PORT_CONFLICT']),
          413: problem('Body over 1 MiB.', ['PAYLOAD_TOO_LARGE']),
          422: problem('Idempotency key reused with another body.', ['IDEMPOTENCY_KEY_REUSED']),
        },
      },
    },
    [`/v1/${kind.collection}/{id}`]: {
      parameters: [idParam],
      get: {
        operationId: `get${n}`,
        tags: [n],
        responses: { 200: one, 401: problem('No or wrong token.', ['UNAUTHENTICATED']), 404: problem('No such resource.', ['NOT_FOUND']) },
      },
      put: {
        operationId: `update${n}`,
        tags: [n],
        parameters: [dryRunParam, ifMatchParam],
        requestBody: { required: true, content: { 'application/json': { schema: ref(`${n}Update`) } } },
        responses: {
          200: one,
          400: problem('The body breaks a rule.', ['VALIDATION_FAILED', 'CERT_INVALID_PEM', 'CERT_KEY_MISMATCH', 'CERT_NOT_CA', 'CERT_UNSUPPORTED_WILDCARD', 'RESERVED_HEADER_NAME', 'EDITION_UNSUPPORTED', 'REFERENCE_NOT_FOUND']),
          401: problem('No or wrong token.', ['UNAUTHENTICATED']),
          404: problem('No such resource.', ['NOT_FOUND']),
          409: problem('A replace field changed, a port is taken, or the resource is read-only.', ['IMMUTABLE_FIELD', 'PORT_CONFLICT']),
          412: problem('Stale If-Match.', ['VERSION_MISMATCH']),
          413: problem('Body over 1 MiB.', ['PAYLOAD_TOO_LARGE']),
        },
      },
      delete: {
        operationId: `delete${n}`,
        tags: [n],
        parameters: [dryRunParam, ifMatchParam],
        responses: {
          204: { description: 'Deleted' },
          200: validity,
          401: problem('No or wrong token.', ['UNAUTHENTICATED']),
          404: problem('No such resource.', ['NOT_FOUND']),
          409: problem('Referenced, protected, or read-only.', ['IN_USE', 'DELETION_PROTECTED', 'IMMUTABLE_FIELD']),
          412: problem('Stale If-Match.', ['VERSION_MISMATCH']),
        },
      },
    },
  };
}

/** buildOpenApiDocument generates the whole document; `serverUrl` is where the API listens. */
export function buildOpenApiDocument(version: string, serverUrl?: string): Json {
  const schemas: Record<string, Json> = {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details with a stable Gatehouse error code.',
      properties: {
        type: { type: 'string' },
        status: { type: 'integer' },
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        title: { type: 'string' },
        detail: { type: 'string' },
        errors: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } }, required: ['path', 'message'] },
        },
      },
      required: ['status', 'code', 'title', 'detail'],
    },
    DryRunResult: { type: 'object', properties: { valid: { const: true } }, required: ['valid'] },
    AuditEvent: {
      type: 'object',
      properties: {
        seq: { type: 'integer' },
        time: { type: 'string', format: 'date-time' },
        action: { enum: ['create', 'update', 'delete'] },
        kind: { type: 'string' },
        resourceId: { type: 'string' },
        version: { type: 'integer' },
        sourceAddress: { type: 'string' },
        revision: { type: 'integer' },
      },
    },
    ServerHealth: {
      type: 'object',
      properties: {
        address: { type: 'string' },
        port: { type: 'integer' },
        state: { enum: ['Healthy', 'Unhealthy', 'Unchecked'] },
        lastCheck: { type: 'object', properties: { at: { type: 'string' }, ok: { type: 'boolean' }, detail: { type: 'string' } } },
      },
    },
  };
  let paths: Record<string, Json> = {};
  for (const kind of ALL_RESOURCE_KINDS) {
    const emitted = resourceJsonSchemas(kind);
    schemas[kind.name] = component(emitted.output);
    schemas[`${kind.name}Create`] = markWriteOnly(component(emitted.create), kind.secretFields);
    schemas[`${kind.name}Update`] = markWriteOnly(component(emitted.update), kind.secretFields);
    paths = { ...paths, ...kindPaths(kind) };
  }
  const auth = { 401: problem('No or wrong token.', ['UNAUTHENTICATED']) };
  paths['/v1/server-groups/{id}/health'] = {
    get: {
      operationId: 'getServerGroupHealth',
      tags: ['ServerGroup'],
      parameters: [idParam],
      responses: {
        200: {
          description: 'Runtime health of each server',
          content: { 'application/json': { schema: { type: 'object', properties: { serverGroupId: { type: 'string' }, servers: { type: 'array', items: ref('ServerHealth') } } } } },
        },
        ...auth,
        404: problem('No such server group.', ['NOT_FOUND']),
      },
    },
  };
  paths['/v1/events'] = {
    get: {
      operationId: 'listEvents',
      tags: ['Audit'],
      parameters: [
        { name: 'since', in: 'query', schema: { type: 'string' }, description: 'An event seq (events after it) or an RFC 3339 time (events from it on).' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
      ],
      responses: {
        200: {
          description: 'Audit events in order',
          content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: ref('AuditEvent') }, nextToken: { type: ['string', 'null'] } } } } },
        },
        400: problem('Bad query.', ['VALIDATION_FAILED']),
        ...auth,
      },
    },
  };
  paths['/v1/healthz'] = {
    get: { operationId: 'healthz', security: [], responses: { 200: { description: 'Alive', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } } },
  };
  paths['/v1/openapi.json'] = { get: { operationId: 'openapi', responses: { 200: { description: 'This document' }, ...auth } } };
  paths['/metrics'] = { get: { operationId: 'metrics', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } }, ...auth } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse management API',
      version,
      description: 'Declare load balancers, listeners, certificates, TLS policies and server groups; the engine applies every committed change.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
