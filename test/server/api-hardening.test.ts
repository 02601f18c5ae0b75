/**
 * SPEC §3 "Request rules": no client can crash the management API, hold it, or have it store
 * bad text. Every request here goes over a real socket to 127.0.0.1; the path and body cases
 * are written byte for byte, so that no client library normalises them first.
 */
import type { RouteOptions } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResource } from '../../schema/parse.ts';
import { BODY_LIMIT } from '../../server/app.ts';
import { CONSOLE_ROUTES } from '../../server/console/console-routes.ts';
import { MAX_JSON_DEPTH } from '../../server/http/json-scan.ts';
import { API_TIMEOUTS } from '../../server/http/timeouts.ts';
import { makePki, TEST_TOKEN, TestApi, type TestPki } from './support/api.ts';
import { rawExchange, rawRequest, type RawReply } from './support/raw-http.ts';

const COLLECTIONS = ['load-balancers', 'listeners', 'quic-listeners', 'certificates', 'tls-policies', 'server-groups'];
const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

let api: TestApi;
let port: number;
let pki: TestPki;
const routes: { method: string; url: string }[] = [];

beforeAll(async () => {
  api = await TestApi.open({
    onRoute: (route: RouteOptions) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    },
  });
  port = await api.listen();
  pki = await makePki();
});
afterAll(async () => {
  await api?.close();
});

/** send writes one request on its own connection and reads the answer. */
function send(method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawReply> {
  return rawExchange(port, rawRequest(method, target, headers, body));
}

function expectProblem(res: RawReply, status: number, code: string): void {
  expect(res.status, res.raw.slice(0, 400)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
}

function paths(res: RawReply): string[] {
  return (res.body?.errors ?? []).map((e: { path: string }) => e.path);
}

describe('authentication on every registered route', () => {
  /** concrete turns a route template into request targets (every collection; dummy ids). */
  const concrete = (url: string): string[] => {
    const withId = url.replace(':id', 'dummy-id-0000');
    return withId.includes(':collection') ? COLLECTIONS.map((c) => withId.replace(':collection', c)) : [withId];
  };
  const callWith = async (method: string, target: string, authorization: string | undefined) => {
    const hasBody = method === 'POST' || method === 'PUT';
    const res = await request(`http://127.0.0.1:${port}${target}`, {
      method: method as 'GET',
      headers: { ...(authorization === undefined ? {} : { authorization }), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      ...(hasBody ? { body: '{}' } : {}),
    });
    const text = await res.body.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined; // /metrics answers text; a HEAD answers nothing
    }
    return { status: res.statusCode, headers: res.headers, body };
  };
  const WRONG: [string, string | undefined][] = [
    ['no Authorization header', undefined],
    ['another token', 'Bearer wrong'],
    ['the token with a character more', `Bearer ${TEST_TOKEN}x`],
    ['a prefix of the token', `Bearer ${TEST_TOKEN.slice(0, -1)}`],
    ['the token under another scheme', `Basic ${TEST_TOKEN}`],
    ['the token without a scheme', TEST_TOKEN],
    ['an empty bearer', 'Bearer '],
  ];

  it('the route table comes from the app and holds every route of SPEC §3', () => {
    const names = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const expected of ['GET /v1/healthz', 'GET /metrics', 'GET /v1/events', 'GET /v1/openapi.json', 'GET /v1/server-groups/:id/health', 'POST /v1/:collection', 'DELETE /v1/:collection/:id']) {
      expect(names, expected).toContain(expected);
    }
  });

  it('refuses a missing or wrong token with 401 UNAUTHENTICATED on every route but GET and HEAD /v1/healthz and the console files', async () => {
    let checked = 0;
    for (const route of routes) {
      if ((route.method === 'GET' || route.method === 'HEAD') && route.url === '/v1/healthz') continue;
      // The web console's static files are public (SPEC §3 GET /console/): they hold no data.
      if ((route.method === 'GET' || route.method === 'HEAD') && (CONSOLE_ROUTES as readonly string[]).includes(route.url)) {
        expect((await callWith(route.method, route.url.replace('*', 'index.html'), undefined)).status, `${route.method} ${route.url}`).not.toBe(401);
        continue;
      }
      for (const target of concrete(route.url)) {
        for (const [why, authorization] of WRONG) {
          const res = await callWith(route.method, target, authorization);
          expect(res.status, `${route.method} ${target} with ${why}`).toBe(401);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
          if (route.method !== 'HEAD') {
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.body.code, `${route.method} ${target}`).toBe('UNAUTHENTICATED');
          }
          checked++;
        }
        // The right token passes the same request on (whatever the route then answers).
        expect((await callWith(route.method, target, `Bearer ${TEST_TOKEN}`)).status, `${route.method} ${target}`).not.toBe(401);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('GET and HEAD /v1/healthz answer without a token', async () => {
    expect((await callWith('GET', '/v1/healthz', undefined)).status).toBe(200);
    expect((await callWith('HEAD', '/v1/healthz', undefined)).status).toBe(200);
  });

  it('a path fastify cannot route (an id over its length limit) is not answered before the token check', async () => {
    const res = await send('GET', `/v1/load-balancers/${'a'.repeat(300)}`);
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expectProblem(await send('GET', `/v1/load-balancers/${'a'.repeat(300)}`, AUTH), 404, 'NOT_FOUND');
  });
});

describe('request bodies', () => {
  it(`keeps the ${BODY_LIMIT}-byte limit: a larger Content-Length is 413 PAYLOAD_TOO_LARGE before the body is read`, async () => {
    expect(BODY_LIMIT).toBe(1024 * 1024);
    const res = await rawExchange(port, rawRequest('POST', '/v1/load-balancers', { ...JSON_AUTH, 'content-length': String(2 * BODY_LIMIT) }), { end: false });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a chunked body that grows past the limit is 413 too', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const parts: Buffer[] = [];
    for (let sent = 0; sent <= BODY_LIMIT; sent += chunk.length) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
    parts.push(Buffer.from('0\r\n\r\n'));
    const res = await send('POST', '/v1/load-balancers', { ...JSON_AUTH, 'transfer-encoding': 'chunked' }, Buffer.concat(parts));
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a body of exactly the limit is read and judged on its content', async () => {
    const prefix = '{"name":"';
    const body = `${prefix}${'x'.repeat(BODY_LIMIT - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(BODY_LIMIT);
    const res = await send('POST', '/v1/load-balancers', JSON_AUTH, body);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toEqual(['name']);
  });

  it('100,000 "[" is a 400 at once, and the server goes on answering', async () => {
    const res = await send('POST', '/v1/load-balancers', JSON_AUTH, '['.repeat(100_000));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.elapsedMs).toBeLessThan(5000);
    expect((await send('GET', '/v1/healthz')).status).toBe(200);
  });

  it('balanced nesting 100,000 deep (which parses) is a 400, with or without an Idempotency-Key, never a 500', async () => {
    const deep = `{"name":"deep-lb","tags":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    for (const extra of [{}, { 'idempotency-key': 'deep-body' }] as Record<string, string>[]) {
      const res = await send('POST', '/v1/load-balancers', { ...JSON_AUTH, ...extra }, deep);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.detail).toContain(`deeper than ${MAX_JSON_DEPTH}`);
    }
    expect((await send('GET', '/v1/healthz')).status).toBe(200);
  });

  it(`nesting of exactly ${MAX_JSON_DEPTH} levels is parsed; one more is refused`, async () => {
    // The outer object is level 1, so the array inside adds MAX_JSON_DEPTH - 1 levels.
    const nested = (levels: number) => `{"name":"nest-lb","extra":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    const atLimit = await send('POST', '/v1/load-balancers', JSON_AUTH, nested(MAX_JSON_DEPTH));
    expectProblem(atLimit, 400, 'VALIDATION_FAILED');
    expect(paths(atLimit)).toEqual(['extra']); // parsed: the model refuses the unknown field
    const over = await send('POST', '/v1/load-balancers', JSON_AUTH, nested(MAX_JSON_DEPTH + 1));
    expectProblem(over, 400, 'VALIDATION_FAILED');
    expect(paths(over)).toEqual(['']);
    expect(over.body.detail).toContain(`deeper than ${MAX_JSON_DEPTH}`);
  });

  it.each([
    ['cut short', '{"name": '],
    ['trailing garbage', '{"name":"lb-x"} x'],
    ['empty', ''],
    ['prototype poisoning', '{"name":"lb-x","__proto__":{"admin":true}}'],
  ])('JSON that is %s is a 400 VALIDATION_FAILED', async (_why, body) => {
    expectProblem(await send('POST', '/v1/load-balancers', JSON_AUTH, body), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['no Content-Type', undefined],
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a charset other than UTF-8', 'application/json; charset=iso-8859-1'],
    ['a malformed media type', 'json'],
  ])('a body with %s is 415 UNSUPPORTED_MEDIA_TYPE, on POST and PUT', async (_why, type) => {
    const headers: Record<string, string> = { ...AUTH, ...(type === undefined ? {} : { 'content-type': type }) };
    expectProblem(await send('POST', '/v1/load-balancers', headers, '{"name":"lb-ct"}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await send('PUT', '/v1/load-balancers/alb-aaaaaaaaaaaaaaaaaaaa', headers, '{"name":"lb-ct"}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a content-coded body is 415: it would be read as bytes it is not', async () => {
    const res = await send('POST', '/v1/load-balancers', { ...JSON_AUTH, 'content-encoding': 'gzip' }, '{"name":"lb-gz"}');
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('application/json with charset=UTF-8 is accepted', async () => {
    const res = await send('POST', '/v1/load-balancers', { ...AUTH, 'content-type': 'application/json; charset=UTF-8' }, '{"name":"lb-charset"}');
    expect(res.status, res.raw).toBe(201);
  });
});

describe('free text: names, descriptions and tags', () => {
  const refused: [string, string, Record<string, unknown>, string][] = [
    ['a NUL in a name', 'load-balancers', { name: 'lb\u0000x' }, 'name'],
    ['a tab in a name', 'load-balancers', { name: 'lb\tx' }, 'name'],
    ['a newline in a name', 'load-balancers', { name: 'lb\nforged log line' }, 'name'],
    ['ESC in a name', 'load-balancers', { name: '\u001b[31mred' }, 'name'],
    ['DEL in a name', 'load-balancers', { name: 'lb\u007f' }, 'name'],
    ['a C1 control in a name', 'load-balancers', { name: 'lb\u0085x' }, 'name'],
    ['an unpaired high surrogate in a name', 'load-balancers', { name: 'lb\ud800' }, 'name'],
    ['an unpaired low surrogate in a name', 'load-balancers', { name: '\udc00lb' }, 'name'],
    ['a control character in a tag value', 'load-balancers', { name: 'lb-tags', tags: { env: 'prod\u0000' } }, 'tags.env'],
    ['an unpaired surrogate in a tag value', 'load-balancers', { name: 'lb-tags', tags: { env: 'x\ud83d' } }, 'tags.env'],
    ['a control character in a tag key', 'load-balancers', { name: 'lb-tags', tags: { 'bad\u0001key': 'v' } }, 'tags["bad\\u0001key"]'],
    ['a control character in a server-group name', 'server-groups', { name: 'sg\rx' }, 'name'],
    ['a control character in a server description', 'server-groups', { name: 'sg-ok', servers: [{ address: '127.0.0.1', port: 80, description: 'rack\u00071' }] }, 'servers[0].description'],
    ['a tab in a server description', 'server-groups', { name: 'sg-ok', servers: [{ address: '127.0.0.1', port: 80, description: 'a\tb' }] }, 'servers[0].description'],
    ['a control character in a server-group tag', 'server-groups', { name: 'sg-ok', tags: { team: 'a\nb' } }, 'tags.team'],
    [
      'a control character in a listener description',
      'listeners',
      { loadBalancerId: 'alb-aaaaaaaaaaaaaaaaaaaa', protocol: 'HTTP', port: 8080, defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa', description: 'front\u0000door' },
      'description',
    ],
    [
      'an unpaired surrogate in a QUIC listener description',
      'quic-listeners',
      { loadBalancerId: 'alb-aaaaaaaaaaaaaaaaaaaa', port: 8443, defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa', description: 'quic\udfff' },
      'description',
    ],
    ['a control character in a TLS policy tag', 'tls-policies', { name: 'custom-policy', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_128_GCM_SHA256'], tags: { env: '\u0000' } }, 'tags.env'],
  ];

  it.each(refused)('%s is a 400 VALIDATION_FAILED at the field, and nothing is stored', async (_why, collection, body, path) => {
    const events = (await api.eventCount());
    const res = await send('POST', `/v1/${collection}`, JSON_AUTH, JSON.stringify(body));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toContain(path);
    expect((await api.eventCount())).toBe(events);
  });

  it('a certificate name with a control character is refused at name', async () => {
    const res = await send('POST', '/v1/certificates', JSON_AUTH, JSON.stringify({ name: 'www\u001b', certificatePem: pki.server.certPem, privateKeyPem: pki.server.keyPem }));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toEqual(['name']);
  });

  it('the same rule holds on PUT, and the stored resource stays as it was', async () => {
    const created = await api.create('load-balancers', { name: 'put-target', tags: { env: 'prod' } });
    const res = await send('PUT', `/v1/load-balancers/${created.id}`, JSON_AUTH, JSON.stringify({ name: 'put-target', tags: { env: 'prod\u0000' } }));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toEqual(['tags.env']);
    expect((await api.call('GET', `/v1/load-balancers/${created.id}`)).body).toEqual(created);
  });

  it('printable text beyond ASCII (accents, CJK, emoji as surrogate pairs) is stored and echoed as sent', async () => {
    const body = { name: 'Équilibreur 負載 🚀', tags: { 'équipe 🚀': 'plateforme · 東京', empty: '' } };
    const res = await send('POST', '/v1/load-balancers', JSON_AUTH, JSON.stringify(body));
    expect(res.status, res.raw).toBe(201);
    expect(res.body).toMatchObject(body);
  });

  it('the rule lives in the schema: parseResource (the provider Check and the SDK use it) reports the same paths', () => {
    const result = parseResource('ServerGroup', 'create', { name: 'sg\u0000', servers: [{ address: '127.0.0.1', port: 80, description: '\ud800' }], tags: { env: '\t' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path).sort()).toEqual(['name', 'servers[0].description', 'tags.env']);
  });
});

describe('bodies that are not valid UTF-8', () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('are refused at the field holding the bad bytes, and nothing is stored', async () => {
    const events = (await api.eventCount());
    const res = await send('POST', '/v1/load-balancers', JSON_AUTH, bytes('{"name":"lb', [0xff], 'x"}'));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toEqual(['name']);
    expect((await api.eventCount())).toBe(events);
  });

  it('name every field that holds bad bytes: a tag value, a nested description', async () => {
    const body = bytes('{"name":"sg-utf8","tags":{"env":"pr', [0xc3], 'od"},"servers":[{"address":"127.0.0.1","port":80,"description":"r', [0xed, 0xa0, 0x80], '"}]}');
    const res = await send('POST', '/v1/server-groups', JSON_AUTH, body);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toEqual(['tags.env', 'servers[0].description']);
  });

  it('a tag key with bad bytes is named by its own path', async () => {
    const res = await send('POST', '/v1/load-balancers', JSON_AUTH, bytes('{"name":"lb-key","tags":{"k', [0x80], '":"v"}}'));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toHaveLength(1);
    expect(paths(res)[0]).toMatch(/^tags\["k/);
  });

  it('bad bytes outside any string are a 400 at path ""', async () => {
    const res = await send('POST', '/v1/load-balancers', JSON_AUTH, bytes('{"name":"lb-outside"}', [0xfe]));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(paths(res)).toEqual(['']);
    expect(res.body.detail).toMatch(/UTF-8/);
  });
});

describe('paths are taken as sent or refused, never normalised', () => {
  let lbId: string;
  beforeAll(async () => {
    lbId = (await api.create('load-balancers', { name: 'path-lb' })).id;
  });

  const refused = (id: () => string): [string, () => string][] => [
    ['a .. segment', () => `/v1/load-balancers/${id()}/../${id()}`],
    ['a trailing .. segment', () => '/v1/load-balancers/..'],
    ['a . segment', () => `/v1/./load-balancers/${id()}`],
    ['a percent-encoded .. segment', () => `/v1/load-balancers/%2e%2e/load-balancers/${id()}`],
    ['an upper-case percent-encoded . segment', () => `/v1/load-balancers/%2E/${id()}`],
    ['a half-encoded .. segment', () => `/v1/x/.%2e/load-balancers`],
    ['//', () => `/v1//load-balancers/${id()}`],
    ['a leading //', () => `//v1/load-balancers`],
    ['an encoded slash', () => `/v1/load-balancers/a%2Fb`],
    ['a backslash', () => `/v1/load-balancers\\${id()}`],
    ['a malformed percent-encoding', () => `/v1/load-balancers/%zz`],
  ];

  it.each(refused(() => lbId))('%s is a 400 problem+json', async (_why, target) => {
    for (const method of ['GET', 'DELETE']) {
      const res = await send(method, target(), AUTH);
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
    // Nothing was deleted through a path that resolves to the load balancer.
    expect((await api.call('GET', `/v1/load-balancers/${lbId}`)).status).toBe(200);
  });

  it('plain paths, a trailing slash and a query with dots still work', async () => {
    expect((await send('GET', `/v1/load-balancers/${lbId}`, AUTH)).status).toBe(200);
    expect((await send('GET', '/v1/load-balancers/', AUTH)).status).toBe(200);
    expect((await send('GET', '/v1/load-balancers?tag.a=..', AUTH)).status).toBe(200);
  });
});

describe('request deadlines', () => {
  const SHORT = { headersMs: 600, requestMs: 1200, checkIntervalMs: 100 };
  let slow: TestApi;
  let slowPort: number;
  beforeAll(async () => {
    slow = await TestApi.open({ timeouts: SHORT });
    slowPort = await slow.listen();
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('the defaults are a 10 s head, a 30 s request, checked every second', () => {
    expect(API_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, checkIntervalMs: 1_000 });
    expect(api.app.server.headersTimeout).toBe(10_000);
    expect(api.app.server.requestTimeout).toBe(30_000);
  });

  it('a client that sends half a request head is cut off after the head deadline', async () => {
    const res = await rawExchange(slowPort, 'GET /v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', { end: false, waitMs: 5000 });
    expect(res.closed).toBe(true);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(SHORT.headersMs - 50);
    expect(res.elapsedMs).toBeLessThan(SHORT.headersMs + 1500);
  });

  it('a client that connects and sends nothing is cut off too', async () => {
    const res = await rawExchange(slowPort, '', { end: false, waitMs: 5000 });
    expect(res.closed).toBe(true);
    expect(res.elapsedMs).toBeLessThan(SHORT.headersMs + 1500);
  });

  it('a client that sends the head but stalls in the body is cut off after the request deadline', async () => {
    const head = rawRequest('POST', '/v1/load-balancers', { ...JSON_AUTH, 'content-length': '100' });
    const res = await rawExchange(slowPort, Buffer.concat([head, Buffer.from('{"name":')]), { end: false, waitMs: 6000 });
    expect(res.closed).toBe(true);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(SHORT.requestMs - 50);
    expect(res.elapsedMs).toBeLessThan(SHORT.requestMs + 1500);
  });

  it('a prompt client is not affected', async () => {
    const res = await rawExchange(slowPort, rawRequest('GET', '/v1/healthz'));
    expect(res.status).toBe(200);
  });
});
