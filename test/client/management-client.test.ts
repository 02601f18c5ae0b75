/**
 * ManagementClient against a scripted stand-in API on 127.0.0.1: what goes out (token, JSON,
 * Idempotency-Key, pages), what comes back (JSON, a registry problem as GatehouseError, anything
 * else as API_OFF_CONTRACT), and the failures before an answer (API_UNREACHABLE, API_TIMEOUT,
 * API_CANCELLED) with the retry policy: idempotent calls only, retryable causes only, bounded
 * waits. Every test is bounded in time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientError } from '../../client/client-error.ts';
import { DEFAULT_ENDPOINT, ManagementClient, PAGE_LIMIT, queryString, resourcePath } from '../../client/management-client.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../client/retry-policy.ts';
import { GatehouseError } from '../../schema/errors.ts';
import { freePort } from '../helpers/free-port.ts';
import { cut, json, ScriptedApi } from './support/scripted-api.ts';

/** FAST keeps the default policy's shape with waits short enough for a unit test. */
const FAST: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 10, maxDelayMs: 40 };
const BOUND = { timeout: 10_000 };

let api: ScriptedApi;
const clients: ManagementClient[] = [];

function client(opts: { retry?: RetryPolicy; timeoutMs?: number; token?: string | undefined; endpoint?: string } = {}): ManagementClient {
  const c = new ManagementClient({ endpoint: opts.endpoint ?? api.url, token: 'token' in opts ? opts.token : 'secret-token', retry: opts.retry ?? FAST, timeoutMs: opts.timeoutMs });
  clients.push(c);
  return c;
}

/** failure runs a call that must fail and returns what it threw. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (err: unknown) => err,
  );
}

beforeAll(async () => {
  api = await ScriptedApi.start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  api.seen.length = 0;
  api.script = (_req, res) => json(res, 200, {});
});
afterAll(async () => {
  await api.close();
});

describe('what goes out', BOUND, () => {
  it('the bearer token, JSON in both directions, and the default endpoint of SPEC §3', async () => {
    api.script = (_req, res) => json(res, 201, { id: 'alb-1', name: 'a' });
    const res = await client().post('/v1/load-balancers', { name: 'a' });
    expect(res).toMatchObject({ status: 201, body: { id: 'alb-1', name: 'a' } });
    const seen = api.seen[0]!;
    expect(seen.headers.authorization).toBe('Bearer secret-token');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ name: 'a' });
    expect(DEFAULT_ENDPOINT).toBe('http://127.0.0.1:9080');
    expect(new ManagementClient({ token: undefined }).endpoint).toBe(DEFAULT_ENDPOINT);
  });

  it('a POST carries a fresh Idempotency-Key unless it gives one or says null; other methods carry none', async () => {
    const c = client();
    await c.post('/v1/load-balancers', {});
    await c.post('/v1/load-balancers', {});
    await c.post('/v1/load-balancers', {}, { idempotencyKey: 'mine' });
    await c.post('/v1/load-balancers?dryRun=true', {}, { idempotencyKey: null });
    await c.put('/v1/load-balancers/alb-1', {});
    const keys = api.seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys.slice(2)).toEqual(['mine', undefined, undefined]);
  });

  it('without a token no Authorization goes out; a GET has no body and no content type', async () => {
    await client({ token: undefined }).get('/v1/healthz');
    expect(api.seen[0]!.headers.authorization).toBeUndefined();
    expect(api.seen[0]!.headers['content-type']).toBeUndefined();
    expect(api.seen[0]!.body).toBe('');
  });

  it('a 204 answer decodes to a null body', async () => {
    api.script = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    expect(await client().delete('/v1/listeners/lsn-1')).toMatchObject({ status: 204, body: null });
  });

  it('pages follow nextToken with the largest page, keeping the query on every page', async () => {
    const all = Array.from({ length: 250 }, (_, i) => ({ id: `lsn-${i}` }));
    api.script = (req, res) => {
      const url = new URL(req.url, 'http://x');
      const from = Number(url.searchParams.get('nextToken') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const next = from + limit < all.length ? String(from + limit) : null;
      json(res, 200, { items: all.slice(from, from + limit), nextToken: next });
    };
    const items = await client().listAll('listeners', { loadBalancerId: 'alb-1', 'tag.team': 'a b' });
    expect(items).toEqual(all);
    expect(api.seen.map((s) => s.url)).toEqual([
      `/v1/listeners?loadBalancerId=alb-1&tag.team=a%20b&limit=${PAGE_LIMIT}`,
      `/v1/listeners?loadBalancerId=alb-1&tag.team=a%20b&limit=${PAGE_LIMIT}&nextToken=100`,
      `/v1/listeners?loadBalancerId=alb-1&tag.team=a%20b&limit=${PAGE_LIMIT}&nextToken=200`,
    ]);
  });

  it('pages can stop early: a caller that found what it wanted reads no further page', async () => {
    api.script = (_req, res, n) => json(res, 200, { items: [{ id: `x-${n}` }], nextToken: 'more' });
    for await (const page of client().pages('listeners')) {
      expect(page).toEqual([{ id: 'x-0' }]);
      break;
    }
    expect(api.seen).toHaveLength(1);
  });

  it('resourcePath escapes the id; queryString keeps the order given', () => {
    expect(resourcePath('listeners', 'a/b')).toBe('/v1/listeners/a%2Fb');
    expect(resourcePath('listeners', undefined, 'dryRun=true')).toBe('/v1/listeners?dryRun=true');
    expect(queryString({ b: '1', a: 'x&y' })).toBe('b=1&a=x%26y');
  });
});

describe('the API’s verdicts: problem+json with a registry code', BOUND, () => {
  it('becomes a GatehouseError with the code, the detail, the field paths and the call', async () => {
    api.script = (_req, res) =>
      json(
        res,
        400,
        {
          type: 'https://gatehouse.dev/errors/VALIDATION_FAILED',
          status: 400,
          code: 'VALIDATION_FAILED',
          title: 'The request does not satisfy the resource schema',
          detail: 'two fields are wrong',
          errors: [
            { path: 'forwardedHeaders.clientIp.trustedProxies[1]', message: 'not a CIDR', code: 'VALIDATION_FAILED' },
            { path: 'port', message: 'taken', code: 'NOT_A_REGISTRY_CODE' },
          ],
        },
        'application/problem+json; charset=utf-8',
      );
    const err = await failure(client().post('/v1/listeners?dryRun=true', {}, { idempotencyKey: null, idempotent: true }));
    expect(err).toBeInstanceOf(GatehouseError);
    const g = err as GatehouseError;
    expect(g.code).toBe('VALIDATION_FAILED');
    expect(g.status).toBe(400);
    expect(g.detail).toBe('two fields are wrong');
    expect(g.errors).toEqual([
      { path: 'forwardedHeaders.clientIp.trustedProxies[1]', message: 'not a CIDR', code: 'VALIDATION_FAILED' },
      { path: 'port', message: 'taken' },
    ]);
    expect(g.call).toEqual({ method: 'POST', path: '/v1/listeners?dryRun=true' });
    // A verdict is final: never repeated, idempotent or not.
    expect(api.seen).toHaveLength(1);
  });

  it('a 404 and a 401 keep their codes (what callers branch on)', async () => {
    api.script = (req, res) => json(res, req.url.includes('missing') ? 404 : 401, { code: req.url.includes('missing') ? 'NOT_FOUND' : 'UNAUTHENTICATED', detail: 'x', errors: [] });
    expect(await failure(client().get('/v1/listeners/missing'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failure(client().get('/v1/listeners'))).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });
});

describe('API_OFF_CONTRACT: an answer that is not the API’s', BOUND, () => {
  it('a proxy’s HTML error page: the status, the call and the text, and no repetition', async () => {
    api.script = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    };
    const err = await failure(client().get('/v1/load-balancers/alb-1'));
    expect(err).toBeInstanceOf(ApiClientError);
    expect(err).toMatchObject({ code: 'API_OFF_CONTRACT', answer: { status: 502, text: '<html>Bad Gateway</html>' }, call: { method: 'GET', path: '/v1/load-balancers/alb-1' } });
    expect((err as Error).message).toBe('the Gatehouse API answered 502 to GET /v1/load-balancers/alb-1');
    expect(api.seen).toHaveLength(1);
  });

  it.each([
    ['a success that is not JSON', 200, 'application/json', '{"id": ', 'not valid JSON'],
    ['a success of another content type', 200, 'text/html', '<html>hi</html>', 'text/html, not JSON'],
    ['a redirect', 302, 'text/plain', '', 'a status the API never answers with'],
  ])('%s', async (_name, status, contentType, body, defect) => {
    api.script = (_req, res) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    };
    const err = await failure(client().get('/v1/listeners/lsn-1'));
    expect(err).toMatchObject({ code: 'API_OFF_CONTRACT', answer: { status } });
    expect((err as ApiClientError).answer?.defect).toContain(defect);
  });

  it('a problem whose code is not in the registry: its code and detail are kept, it is no verdict', async () => {
    api.script = (_req, res) => json(res, 500, { code: 'SOMETHING_NEW', detail: 'the server changed' }, 'application/problem+json');
    const err = await failure(client().put('/v1/listeners/lsn-1', {}));
    expect(err).not.toBeInstanceOf(GatehouseError);
    expect(err).toMatchObject({ code: 'API_OFF_CONTRACT', answer: { status: 500, problemCode: 'SOMETHING_NEW', problemDetail: 'the server changed' } });
    expect((err as Error).message).toBe('the Gatehouse API answered 500 to PUT /v1/listeners/lsn-1: the server changed');
  });

  it('a list answer that is not a page', async () => {
    api.script = (_req, res) => json(res, 200, { listeners: [] });
    expect(await failure(client().listAll('listeners'))).toMatchObject({ code: 'API_OFF_CONTRACT' });
  });
});

describe('failures before an answer', BOUND, () => {
  it('connection refused → API_UNREACHABLE naming the endpoint, the call and the cause', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const err = await failure(client({ endpoint }).get('/v1/listeners'));
    expect(err).toBeInstanceOf(ApiClientError);
    expect(err).toMatchObject({ code: 'API_UNREACHABLE', reason: 'ECONNREFUSED', endpoint });
    expect((err as Error).message).toMatch(new RegExp(`^cannot reach the Gatehouse API at ${endpoint} \\(GET /v1/listeners\\): connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+$`));
  });

  it('no answer within the deadline → API_TIMEOUT, not repeated', async () => {
    api.script = () => {}; // never answers
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 300 }).get('/v1/listeners'));
    expect(err).toMatchObject({ code: 'API_TIMEOUT', timeoutMs: 300 });
    expect((err as Error).message).toBe(`the Gatehouse API at ${api.url} did not answer GET /v1/listeners within 300 ms`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(api.seen).toHaveLength(1);
  });

  it('a call’s own deadline wins over the client’s, and covers its repetitions and waits', async () => {
    api.script = () => {};
    expect(await failure(client({ timeoutMs: 20_000 }).get('/v1/listeners', { timeoutMs: 200 }))).toMatchObject({ code: 'API_TIMEOUT', timeoutMs: 200 });
    api.script = (_req, res) => cut(res);
    const started = Date.now();
    const patient: RetryPolicy = { ...FAST, attempts: 1000, baseDelayMs: 50, maxDelayMs: 50 };
    expect(await failure(client({ retry: patient }).get('/v1/listeners', { timeoutMs: 400 }))).toMatchObject({ code: 'API_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('the caller’s signal → API_CANCELLED, at once', async () => {
    api.script = () => {};
    const abort = new AbortController();
    const pending = failure(client().get('/v1/listeners', { signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 100));
    const at = Date.now();
    abort.abort();
    const err = await pending;
    expect(err).toMatchObject({ code: 'API_CANCELLED', reason: 'cancelled by the caller' });
    expect((err as Error).message).toBe('GET /v1/listeners was cancelled');
    expect(Date.now() - at).toBeLessThan(500);
  });

  it('a signal aborted before the call → API_CANCELLED without sending anything', async () => {
    const err = await failure(client().get('/v1/listeners', { signal: AbortSignal.abort() }));
    expect(err).toMatchObject({ code: 'API_CANCELLED' });
    expect(api.seen).toHaveLength(0);
  });

  it('cancelled during the wait before a repetition → API_CANCELLED, with no further attempt', async () => {
    api.script = (_req, res) => cut(res);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const started = Date.now();
    const err = await failure(client({ retry: DEFAULT_RETRY_POLICY }).get('/v1/listeners', { signal: abort.signal }));
    expect(err).toMatchObject({ code: 'API_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(600);
    expect(api.seen).toHaveLength(1);
  });

  it('close() ends the calls in flight as API_CANCELLED, and later calls too', async () => {
    api.script = () => {};
    const c = client();
    const pending = failure(c.get('/v1/listeners'));
    await new Promise((r) => setTimeout(r, 100));
    await c.close();
    expect(await pending).toMatchObject({ code: 'API_CANCELLED', reason: 'the client was closed' });
    expect(await failure(c.get('/v1/listeners'))).toMatchObject({ code: 'API_CANCELLED' });
    await c.close(); // idempotent
  });
});

describe('the retry policy at work', BOUND, () => {
  /** cutFirst cuts the connection of the first n requests, then answers 200. */
  const cutFirst = (n: number) => {
    api.script = (_req, res, i) => (i < n ? cut(res) : json(res, 200, { ok: true }));
  };

  it('an idempotent call (GET, PUT, DELETE) is repeated after a cut connection and succeeds', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      api.seen.length = 0;
      cutFirst(2);
      const res = await client().request(method, '/v1/listeners/lsn-1', method === 'PUT' ? {} : undefined);
      expect(res.status, method).toBe(200);
      expect(api.seen, method).toHaveLength(3);
    }
  });

  it('a POST is repeated with its Idempotency-Key (the same key each time) but not without one', async () => {
    cutFirst(1);
    await client().post('/v1/load-balancers', { name: 'a' });
    expect(api.seen).toHaveLength(2);
    expect(api.seen[1]!.headers['idempotency-key']).toBe(api.seen[0]!.headers['idempotency-key']);

    api.seen.length = 0;
    cutFirst(1);
    const err = await failure(client().post('/v1/load-balancers', { name: 'a' }, { idempotencyKey: null }));
    expect(err).toMatchObject({ code: 'API_UNREACHABLE' });
    expect(api.seen).toHaveLength(1);
  });

  it('the caller’s word decides: a keyless dry run says idempotent, a GET may say it is not', async () => {
    cutFirst(1);
    await client().post('/v1/listeners?dryRun=true', {}, { idempotencyKey: null, idempotent: true });
    expect(api.seen).toHaveLength(2);

    api.seen.length = 0;
    cutFirst(1);
    expect(await failure(client().get('/v1/listeners', { idempotent: false }))).toMatchObject({ code: 'API_UNREACHABLE' });
    expect(api.seen).toHaveLength(1);
  });

  it('the path never decides: a POST to ?dryRun=true without the flag or a key is sent once', async () => {
    cutFirst(1);
    expect(await failure(client().post('/v1/listeners?dryRun=true', {}, { idempotencyKey: null }))).toMatchObject({ code: 'API_UNREACHABLE' });
    expect(api.seen).toHaveLength(1);
  });

  it('gives up after the policy’s attempts', async () => {
    api.script = (_req, res) => cut(res);
    expect(await failure(client().get('/v1/listeners'))).toMatchObject({ code: 'API_UNREACHABLE' });
    expect(api.seen).toHaveLength(FAST.attempts);
  });

  it('an answer is never repeated: a 503 is sent once', async () => {
    api.script = (_req, res) => json(res, 503, { detail: 'busy' });
    expect(await failure(client().get('/v1/listeners'))).toMatchObject({ code: 'API_OFF_CONTRACT' });
    expect(api.seen).toHaveLength(1);
  });

  it('the default policy waits 200, 500 and 1000 ms between four attempts on a refused connection', { timeout: 15_000 }, async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const c = client({ endpoint, retry: DEFAULT_RETRY_POLICY });
    let started = Date.now();
    expect(await failure(c.get('/v1/listeners'))).toMatchObject({ code: 'API_UNREACHABLE', reason: 'ECONNREFUSED' });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1700 - 50);
    expect(waited).toBeLessThan(4000);
    started = Date.now();
    expect(await failure(c.post('/v1/listeners', {}, { idempotencyKey: null }))).toMatchObject({ code: 'API_UNREACHABLE' });
    expect(Date.now() - started).toBeLessThan(200);
  });
});
