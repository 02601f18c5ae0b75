/**
 * Conditional reads (SPEC §3): a list answers with a strong ETag over the body it sends, and an
 * If-None-Match naming it gets 304 without a body; the tag changes when a resource does and when
 * a listener's status does (no write). A read of a kind whose body the version fixes answers 304
 * to its version tag; a listener's or a certificate's read never does. HEAD carries the same
 * tag, and every answer still needs the token. Each answer is one the OpenAPI document lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETACHED_RUNTIME, type RuntimeView } from '../../server/service/runtime-view.ts';
import type { ListenerStatus } from '../../server/runtime/listener-status.ts';
import { httpListener, makeBaseWorld, makePki, TestApi, type BaseWorld, type Reply } from './support/api.ts';
import { ResponseValidator, type OpenApiDocument } from './support/openapi-check.ts';

/** statuses is what the fake engine reports per listener id (Provisioning when absent). */
const statuses = new Map<string, ListenerStatus>();
const runtime: RuntimeView = { ...DETACHED_RUNTIME, listenerStatus: (id) => statuses.get(id) ?? { status: 'Provisioning' } };

let api: TestApi;
let w: BaseWorld;
let validator: ResponseValidator;

beforeAll(async () => {
  api = await TestApi.open({ runtime });
  w = await makeBaseWorld(api, await makePki());
  validator = new ResponseValidator((await api.call('GET', '/v1/openapi.json')).body as OpenApiDocument);
});
afterAll(async () => {
  await api?.close();
});

function documented(method: string, path: string, reply: Reply): Reply {
  expect(validator.check(method, path, reply).problems).toEqual([]);
  return reply;
}

const tagOf = (reply: Reply): string => String(reply.headers.etag);
const ifNoneMatch = (tag: string) => ({ headers: { 'if-none-match': tag } });

describe('lists', () => {
  it('answer a strong ETag, and 304 without a body to If-None-Match naming it', async () => {
    const first = documented('GET', '/v1/load-balancers', await api.call('GET', '/v1/load-balancers'));
    expect(first.status).toBe(200);
    expect(tagOf(first)).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = documented('GET', '/v1/load-balancers', await api.call('GET', '/v1/load-balancers', undefined, ifNoneMatch(tagOf(first))));
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(tagOf(again)).toBe(tagOf(first));
    // A weak form, a list of tags and `*` all match; another tag does not.
    expect((await api.call('GET', '/v1/load-balancers', undefined, ifNoneMatch(`W/${tagOf(first)}`))).status).toBe(304);
    expect((await api.call('GET', '/v1/load-balancers', undefined, ifNoneMatch(`"other", ${tagOf(first)}`))).status).toBe(304);
    expect((await api.call('GET', '/v1/load-balancers', undefined, ifNoneMatch('*'))).status).toBe(304);
    const other = await api.call('GET', '/v1/load-balancers', undefined, ifNoneMatch('"other"'));
    expect(other.status).toBe(200);
    expect(other.body).toEqual(first.body);
  });

  it('the tag is per page and query: another limit is another body and another tag', async () => {
    const all = await api.call('GET', '/v1/tls-policies');
    const one = await api.call('GET', '/v1/tls-policies?limit=1');
    expect(tagOf(one)).not.toBe(tagOf(all));
    expect((await api.call('GET', '/v1/tls-policies?limit=1', undefined, ifNoneMatch(tagOf(all)))).status).toBe(200);
  });

  it('a new, changed or deleted resource changes the tag', async () => {
    const before = tagOf(await api.call('GET', '/v1/server-groups'));
    const sg = await api.create('server-groups', { name: 'etag-group', servers: [{ address: '10.0.0.1', port: 80 }] });
    const created = await api.call('GET', '/v1/server-groups', undefined, ifNoneMatch(before));
    expect(created.status).toBe(200);
    expect(tagOf(created)).not.toBe(before);
    const put = await api.call('PUT', `/v1/server-groups/${sg.id}`, { ...sg, name: 'etag-group-2' });
    expect(put.status).toBe(200);
    const changed = await api.call('GET', '/v1/server-groups', undefined, ifNoneMatch(tagOf(created)));
    expect(changed.status).toBe(200);
    expect(changed.body.items.find((g: { id: string }) => g.id === sg.id).name).toBe('etag-group-2');
    expect((await api.call('DELETE', `/v1/server-groups/${sg.id}`)).status).toBe(204);
    const deleted = await api.call('GET', '/v1/server-groups', undefined, ifNoneMatch(tagOf(changed)));
    expect(deleted.status).toBe(200);
    expect(tagOf(deleted)).toBe(before);
  });

  it("a listener's status changing in the engine changes the tag, with no write", async () => {
    const listener = await api.create('listeners', httpListener(w, 8280));
    const provisioning = await api.call('GET', '/v1/listeners');
    expect(provisioning.body.items[0].status).toBe('Provisioning');
    expect((await api.call('GET', '/v1/listeners', undefined, ifNoneMatch(tagOf(provisioning)))).status).toBe(304);
    statuses.set(listener.id, { status: 'Failed', statusReason: 'listen EADDRINUSE 0.0.0.0:8280' });
    const failed = documented('GET', '/v1/listeners', await api.call('GET', '/v1/listeners', undefined, ifNoneMatch(tagOf(provisioning))));
    expect(failed.status).toBe(200);
    expect(failed.body.items[0]).toMatchObject({ status: 'Failed', statusReason: 'listen EADDRINUSE 0.0.0.0:8280' });
    expect(tagOf(failed)).not.toBe(tagOf(provisioning));
    statuses.set(listener.id, { status: 'Running' });
    const running = await api.call('GET', '/v1/listeners', undefined, ifNoneMatch(tagOf(failed)));
    expect(running.status).toBe(200);
    expect(running.body.items[0].status).toBe('Running');
    expect((await api.call('GET', '/v1/listeners', undefined, ifNoneMatch(tagOf(running)))).status).toBe(304);
  });

  it('HEAD answers the same tag as GET, and 304 on a match', async () => {
    const get = await api.call('GET', '/v1/certificates');
    const head = documented('HEAD', '/v1/certificates', await api.call('HEAD', '/v1/certificates'));
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(tagOf(head)).toBe(tagOf(get));
    expect((await api.call('HEAD', '/v1/certificates', undefined, ifNoneMatch(tagOf(get)))).status).toBe(304);
  });

  it('still need the token: no tag, no 304 without it', async () => {
    const tag = tagOf(await api.call('GET', '/v1/load-balancers'));
    for (const token of [null, 'wrong-token-0123456789']) {
      const reply = await api.call('GET', '/v1/load-balancers', undefined, { ...ifNoneMatch(tag), token });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('UNAUTHENTICATED');
      expect(reply.headers.etag).toBeUndefined();
    }
  });
});

describe('reads', () => {
  it('a kind whose body its version fixes: 304 to the version tag, 200 once it changed', async () => {
    const path = `/v1/load-balancers/${w.lb.id}`;
    const read = documented('GET', '/v1/load-balancers/{id}', await api.call('GET', path));
    expect(tagOf(read)).toBe(`"${read.body.version}"`);
    const same = documented('GET', '/v1/load-balancers/{id}', await api.call('GET', path, undefined, ifNoneMatch(tagOf(read))));
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    expect((await api.call('HEAD', path, undefined, ifNoneMatch(tagOf(read)))).status).toBe(304);
    expect((await api.call('PUT', path, { ...read.body, name: 'lb-renamed' })).status).toBe(200);
    const changed = await api.call('GET', path, undefined, ifNoneMatch(tagOf(read)));
    expect(changed.status).toBe(200);
    expect(changed.body.name).toBe('lb-renamed');
    expect((await api.call('GET', '/v1/tls-policies/tls_cipher_policy_1_2', undefined, ifNoneMatch('"1"'))).status).toBe(304);
    expect((await api.call('GET', path, undefined, { ...ifNoneMatch(tagOf(changed)), token: null })).status).toBe(401);
  });

  it("a listener's read (status) and a certificate's (expired) always carry the body", async () => {
    const listener = (await api.call('GET', '/v1/listeners')).body.items[0];
    const l = await api.call('GET', `/v1/listeners/${listener.id}`, undefined, ifNoneMatch(`"${listener.version}"`));
    expect(l.status).toBe(200);
    expect(l.body.id).toBe(listener.id);
    const c = await api.call('GET', `/v1/certificates/${w.cert.id}`, undefined, ifNoneMatch(`"${w.cert.version}"`));
    expect(c.status).toBe(200);
    expect(c.body.expired).toBe(false);
  });
});
