/**
 * The OpenAPI 3.1 document of the management API, generated: its paths from the route table
 * the app registers (routes/route-table.ts), its schemas from the zod models — the kinds'
 * through `schema/emit` (the same JSON Schema the Pulumi package schema is built on), the
 * other bodies (pages, problems, audit events, health) through zod's registry conversion so
 * they reference the kinds' components. Nothing in it is written by hand, so a route or a
 * field cannot exist without appearing in it.
 */
import { z } from 'zod';
import { resourceJsonSchemas, toJsonSchema, type JsonSchema } from '../../schema/emit/json-schema.ts';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import { API_ROUTES, NESTED_MODELS, type ApiBody, type ApiOperation, type ApiParameter, type ApiResponse } from '../routes/route-table.ts';

type Json = Record<string, unknown>;

/** COMPONENT_PREFIX is where the document's schemas live; every `$ref` points there. */
const COMPONENT_PREFIX = '#/components/schemas/';

const ref = (name: string): Json => ({ $ref: `${COMPONENT_PREFIX}${name}` });

/** Embedded schemas drop their own `$schema` (the document's dialect applies) and `$id`. */
function embedded(schema: JsonSchema): Json {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** Secret fields are accepted on writes and never returned: mark them so generators know. */
function markWriteOnly(schema: Json, fields: readonly string[]): Json {
  const props = schema.properties as Record<string, Json> | undefined;
  for (const f of fields) if (props?.[f]) props[f] = { ...props[f], writeOnly: true };
  return schema;
}

/**
 * componentSchemas emits every named body of the route table. The kinds' create, PUT and
 * output schemas come from schema/emit; the other bodies are converted together with the
 * kinds' outputs in one zod registry, so a page's items are a `$ref` to the kind's component.
 */
function componentSchemas(bodies: readonly ApiBody[]): Record<string, Json> {
  const schemas: Record<string, Json> = {};
  const named = new Map<string, z.ZodType>();
  const registry = z.registry<{ id: string }>();
  const register = (name: string, schema: z.ZodType): void => {
    const known = named.get(name);
    if (known === schema) return;
    if (known !== undefined || registry.has(schema)) throw new Error(`openapi: the component ${name} is given two schemas, or a schema two names`);
    named.set(name, schema);
    registry.add(schema, { id: name });
  };
  const fromKinds = new Set<string>();
  for (const kind of ALL_RESOURCE_KINDS) {
    const emitted = resourceJsonSchemas(kind);
    schemas[kind.name] = embedded(emitted.output);
    schemas[`${kind.name}Create`] = markWriteOnly(embedded(emitted.create), kind.secretFields);
    schemas[`${kind.name}Update`] = markWriteOnly(embedded(emitted.update), kind.secretFields);
    register(kind.name, kind.output);
    named.set(`${kind.name}Create`, kind.create);
    named.set(`${kind.name}Update`, kind.update);
    for (const suffix of ['', 'Create', 'Update']) fromKinds.add(`${kind.name}${suffix}`);
  }
  for (const body of bodies) {
    if (fromKinds.has(body.name)) {
      if (named.get(body.name) !== body.schema) throw new Error(`openapi: ${body.name} is not the kind's own schema`);
      continue;
    }
    register(body.name, body.schema);
  }
  const converted = z.toJSONSchema(registry, { io: 'output', target: 'draft-2020-12', uri: (id) => `${COMPONENT_PREFIX}${id}` });
  for (const [name, schema] of Object.entries(converted.schemas)) {
    if (name === '__shared') throw new Error('openapi: a body model shares an unnamed schema; name it as a component');
    if (!fromKinds.has(name)) schemas[name] = embedded(schema);
  }
  return schemas;
}

function parameter(where: 'query' | 'header', p: ApiParameter): Json {
  return { name: p.name, in: where, description: p.description, schema: embedded(toJsonSchema(p.schema, 'input')) };
}

function pathParameters(path: string): Json[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, description: 'The resource id.', schema: { type: 'string' } }));
}

function responseObject(r: ApiResponse, withContent: boolean): Json {
  const out: Json = { description: r.description };
  if (r.headers?.length) {
    out.headers = Object.fromEntries(r.headers.map((h) => [h.name, { description: h.description, schema: embedded(toJsonSchema(h.schema, 'output')) }]));
  }
  if (withContent && r.contentType !== undefined && r.bodies?.length) {
    const schema = r.bodies.length === 1 ? ref(r.bodies[0]!.name) : { anyOf: r.bodies.map((b) => ref(b.name)) };
    out.content = { [r.contentType]: { schema } };
  }
  return out;
}

/** operationObject renders one operation; `head` renders the HEAD fastify answers on a GET route (no bodies). */
function operationObject(op: ApiOperation, head = false): Json {
  const parameters = [...pathParameters(op.path), ...op.query.map((p) => parameter('query', p)), ...op.headers.map((p) => parameter('header', p))];
  const out: Json = {
    operationId: head ? `head${op.operationId.charAt(0).toUpperCase()}${op.operationId.slice(1)}` : op.operationId,
    summary: head ? `${op.summary.replace(/\.$/, '')}: the headers of the GET answer, no body (HEAD).` : op.summary,
    tags: [op.tag],
  };
  if (op.public) out.security = [];
  if (parameters.length > 0) out.parameters = parameters;
  if (op.requestBody && !head) out.requestBody = { required: true, content: { 'application/json': { schema: ref(op.requestBody.name) } } };
  out.responses = Object.fromEntries(op.responses.map((r) => [String(r.status), responseObject(r, !head)]));
  return out;
}

/** buildOpenApiDocument generates the whole document; `serverUrl` is where the API listens. */
export function buildOpenApiDocument(version: string, serverUrl?: string): Json {
  const paths: Record<string, Json> = {};
  const operationIds = new Set<string>();
  const bodies: ApiBody[] = [...NESTED_MODELS];
  const add = (path: string, method: string, operation: Json): void => {
    const item = (paths[path] ??= {});
    if (item[method] !== undefined) throw new Error(`openapi: ${method.toUpperCase()} ${path} is in the route table twice`);
    const id = String(operation.operationId);
    if (operationIds.has(id)) throw new Error(`openapi: operationId ${id} is used twice`);
    operationIds.add(id);
    item[method] = operation;
  };
  for (const route of API_ROUTES) {
    for (const op of route.operations) {
      add(op.path, route.method.toLowerCase(), operationObject(op));
      if (route.method === 'GET') add(op.path, 'head', operationObject(op, true));
      if (op.requestBody) bodies.push(op.requestBody);
      for (const r of op.responses) bodies.push(...(r.bodies ?? []));
    }
  }
  const tags = [
    ...ALL_RESOURCE_KINDS.map((kind) => ({ name: kind.name, description: kind.output.description ?? kind.name })),
    { name: 'System', description: 'Liveness, the audit log, this document and metrics.' },
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse management API',
      version,
      description: 'Declare load balancers, listeners, certificates, TLS policies and server groups; the engine applies every committed change.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    tags,
    paths,
    components: { schemas: componentSchemas(bodies), securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
