/**
 * SPEC §3 `GET /v1/openapi.json`: the document is valid OpenAPI 3.1 (checked with
 * @seriousme/openapi-schema-validator against the specification's own schema), every schema in
 * it compiles as JSON Schema 2020-12, and it describes exactly the routes the app registers —
 * each route, method by method (HEAD included, which fastify answers on every GET route), and
 * nothing the app does not serve. The resource components are the very JSON Schemas
 * `schema/emit` makes for the Pulumi package schema.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceJsonSchemas } from '../../schema/emit/json-schema.ts';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import { buildOpenApiDocument } from '../../server/openapi/document.ts';
import { TestApi } from './support/api.ts';
import { documentedOperations, ResponseValidator, routeCoverage, routeRecorder, type OpenApiDocument } from './support/openapi-check.ts';

let api: TestApi;
let doc: OpenApiDocument;
const recorder = routeRecorder();

beforeAll(async () => {
  api = await TestApi.open({ onRoute: recorder.onRoute });
  const res = await api.call('GET', '/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await api?.close();
});

/** copy deep-copies the document so a control can break it. */
function copy(): OpenApiDocument {
  return structuredClone(doc);
}

describe('the document is valid OpenAPI 3.1', () => {
  it('passes the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('refuses a broken document, so the check is real', async () => {
    const broken = copy();
    broken.paths['/v1/listeners']!.get.responses = { 200: { content: {} } }; // a response needs a description
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it('every schema compiles as JSON Schema 2020-12 and every $ref resolves', () => {
    expect(ResponseValidator.compileComponents(doc)).toEqual([]);
    const dangling = copy();
    dangling.components.schemas.ListenerPage = { $ref: '#/components/schemas/NoSuchThing' };
    expect(ResponseValidator.compileComponents(dangling)).not.toEqual([]);
  });

  it('is built deterministically and served as built', () => {
    expect(buildOpenApiDocument(String((doc.info as { version: string }).version))).toEqual(doc);
  });
});

describe('the document describes exactly the routes the app registers', () => {
  it('has every registered route, method by method, and nothing else', () => {
    expect(recorder.routes.length).toBeGreaterThan(0);
    expect(routeCoverage(recorder.routes, doc)).toEqual({ undocumented: [], unserved: [] });
  });

  it('covers each collection and each kind sub-route', () => {
    const ops = documentedOperations(doc);
    for (const kind of ALL_RESOURCE_KINDS) {
      for (const op of ['GET', 'HEAD', 'POST']) expect(ops, `${op} ${kind.collection}`).toContain(`${op} /v1/${kind.collection}`);
      for (const op of ['GET', 'HEAD', 'PUT', 'DELETE']) expect(ops).toContain(`${op} /v1/${kind.collection}/{id}`);
      for (const sub of kind.subRoutes) expect(ops).toContain(`GET /v1/${kind.collection}/{id}/${sub.name}`);
    }
  });

  it('control: a document missing a route, or with one the app does not serve, fails the check', () => {
    const missing = copy();
    delete missing.paths['/v1/events']!.get;
    delete missing.paths['/v1/certificates/{id}']!.delete;
    expect(routeCoverage(recorder.routes, missing)).toEqual({ undocumented: ['DELETE /v1/certificates/{id}', 'GET /v1/events'], unserved: [] });

    const extra = copy();
    extra.paths['/v1/listeners/{id}']!.patch = extra.paths['/v1/listeners/{id}']!.put;
    extra.paths['/v1/version'] = { get: extra.paths['/v1/healthz']!.get };
    expect(routeCoverage(recorder.routes, extra)).toEqual({ undocumented: [], unserved: ['GET /v1/version', 'PATCH /v1/listeners/{id}'] });
  });

  it('documents the list filters each kind declares and no other', () => {
    for (const kind of ALL_RESOURCE_KINDS) {
      const names = (doc.paths[`/v1/${kind.collection}`]!.get.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
      const filters = kind.listFilters.map((f) => (f === 'tag' ? 'tag.<key>' : f));
      expect(names.sort(), kind.name).toEqual(['limit', 'nextToken', ...filters].sort());
    }
  });

  it('leaves out the web console, which the app serves beside the API', () => {
    const console = recorder.routes.filter((r) => r.url.startsWith('/console')).map((r) => `${r.method} ${r.url}`);
    expect(console.sort()).toEqual(['GET /console/', 'GET /console/*', 'HEAD /console/', 'HEAD /console/*']);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
  });

  it('only the liveness probe is public', () => {
    const open = [...documentedOperations(doc)].filter((op) => {
      const [method, path] = op.split(' ');
      return Array.isArray(doc.paths[path!]![method!.toLowerCase()].security) && doc.paths[path!]![method!.toLowerCase()].security.length === 0;
    });
    expect(open.sort()).toEqual(['GET /v1/healthz', 'HEAD /v1/healthz']);
  });
});

describe('the resource schemas are the ones schema/emit generates', () => {
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: output, create and PUT body', (_name, kind) => {
    const emitted = resourceJsonSchemas(kind);
    const strip = (s: Record<string, unknown>) => {
      const { $schema: _s, ...rest } = s;
      return rest;
    };
    expect(doc.components.schemas[kind.name]).toEqual(strip(emitted.output));
    const create = doc.components.schemas[`${kind.name}Create`] as { properties: Record<string, { writeOnly?: boolean }> };
    for (const field of kind.secretFields) expect(create.properties[field]?.writeOnly).toBe(true);
    expect(Object.keys(create.properties)).toEqual(Object.keys((emitted.create as { properties: object }).properties));
  });
});
