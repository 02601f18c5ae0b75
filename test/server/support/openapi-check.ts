/**
 * Test support for the OpenAPI document: the routes an app registers and the operations a
 * document describes as comparable `METHOD /path` sets, and a validator of real answers against
 * the document's response schemas (JSON Schema 2020-12, with ajv).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RouteOptions } from 'fastify';
import { ALL_RESOURCE_KINDS } from '../../../schema/kinds.ts';
import { CONSOLE_ROUTES } from '../../../server/console/console-routes.ts';
import type { Reply } from './api.ts';

/** OpenApiDocument is the served document, read as plain JSON. */
export type OpenApiDocument = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, unknown> };
  [key: string]: unknown;
};

/** HTTP_METHODS are the operation keys of an OpenAPI path item. */
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** RegisteredRoute is one route as fastify's onRoute hook reports it. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

/** routeRecorder returns an onRoute hook and the list it fills. */
export function routeRecorder(): { routes: RegisteredRoute[]; onRoute: (route: RouteOptions) => void } {
  const routes: RegisteredRoute[] = [];
  return { routes, onRoute: (route) => routes.push(...[route.method].flat().map((method) => ({ method, url: route.url }))) };
}

/**
 * registeredOperations turns router templates into documented paths: `:collection` ranges over
 * every kind's collection, `:param` becomes `{param}`. The web console's static files are not
 * the management API and are left out (the document describes the API only).
 */
export function registeredOperations(routes: readonly RegisteredRoute[]): Set<string> {
  const out = new Set<string>();
  for (const { method, url } of routes) {
    if ((CONSOLE_ROUTES as readonly string[]).includes(url)) continue;
    const templates = url.includes(':collection') ? ALL_RESOURCE_KINDS.map((k) => url.replace(':collection', k.collection)) : [url];
    for (const t of templates) out.add(`${method.toUpperCase()} ${t.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  }
  return out;
}

/** documentedOperations lists every `METHOD /path` of a document. */
export function documentedOperations(doc: OpenApiDocument): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) if (item[method] !== undefined) out.add(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

/** RouteCoverage is what one side has that the other lacks; both empty means they agree. */
export interface RouteCoverage {
  /** Registered but not documented. */
  readonly undocumented: string[];
  /** Documented but not registered. */
  readonly unserved: string[];
}

/** routeCoverage compares the app's routes with a document's operations, method by method. */
export function routeCoverage(routes: readonly RegisteredRoute[], doc: OpenApiDocument): RouteCoverage {
  const registered = registeredOperations(routes);
  const documented = documentedOperations(doc);
  return {
    undocumented: [...registered].filter((o) => !documented.has(o)).sort(),
    unserved: [...documented].filter((o) => !registered.has(o)).sort(),
  };
}

/** The base URI the document is registered under in ajv, so its `#/components/...` refs resolve. */
const DOC_URI = 'https://gatehouse.invalid/openapi.json';

function pointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** ResponseCheck is the outcome of checking one answer against the document. */
export interface ResponseCheck {
  /** Problems found: an undocumented status or media type, or a body the schema refuses. */
  readonly problems: string[];
}

/** ResponseValidator checks real answers against the document's operations. */
export class ResponseValidator {
  readonly #doc: OpenApiDocument;
  readonly #ajv: Ajv2020;

  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
    // Not strict: the whole document is added so its refs resolve, and OpenAPI's own keys are no JSON Schema
    // keywords. compileComponents checks the schemas themselves strictly.
    this.#ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema(doc, DOC_URI);
  }

  /** compileComponents compiles every component schema strictly (unknown keywords, bad refs fail). */
  static compileComponents(doc: OpenApiDocument): string[] {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const problems: string[] = [];
    const components = { $id: DOC_URI, $defs: doc.components.schemas };
    const rewritten = JSON.parse(JSON.stringify(components).replaceAll('"#/components/schemas/', '"#/$defs/'));
    try {
      ajv.addSchema(rewritten);
      for (const name of Object.keys(doc.components.schemas)) ajv.getSchema(`${DOC_URI}#/$defs/${pointerSegment(name)}`);
    } catch (error) {
      problems.push(String(error));
    }
    return problems;
  }

  /** check validates an answer to `method` on the documented `path` (e.g. `/v1/listeners/{id}`). */
  check(method: string, path: string, reply: Reply): ResponseCheck {
    const m = method.toLowerCase();
    const operation = this.#doc.paths[path]?.[m];
    if (operation === undefined) return { problems: [`${method} ${path} is not documented`] };
    const response = operation.responses?.[String(reply.status)];
    if (response === undefined) return { problems: [`${method} ${path} does not document status ${reply.status}`] };
    const contentType = String(reply.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (reply.text === '' || m === 'head') {
      return { problems: response.content !== undefined && m !== 'head' && reply.status !== 204 ? [`${method} ${path} ${reply.status} has no body`] : [] };
    }
    if (response.content?.[contentType] === undefined) {
      return { problems: [`${method} ${path} ${reply.status} does not document ${contentType || 'a body'}`] };
    }
    const pointer = ['paths', path, m, 'responses', String(reply.status), 'content', contentType, 'schema'].map(pointerSegment).join('/');
    const validate = this.#ajv.getSchema(`${DOC_URI}#/${pointer}`);
    if (!validate) return { problems: [`no schema at ${pointer}`] };
    const body = contentType.endsWith('json') ? JSON.parse(reply.text) : reply.text;
    if (validate(body)) return { problems: [] };
    return { problems: (validate.errors ?? []).map((e) => `${method} ${path} ${reply.status}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`) };
  }
}
