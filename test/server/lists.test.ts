/**
 * SPEC §3 lists: ?limit= (1–100, default 50), ?nextToken=, ?tag.<key>=<value>,
 * ?loadBalancerId= → {items, nextToken}; unknown query parameters are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpListener, makeBaseWorld, makePki, TestApi, type BaseWorld } from './support/api.ts';

let api: TestApi;
let w: BaseWorld;
const created: string[] = [];
const parity = new Map<string, string>();

beforeAll(async () => {
  api = await TestApi.open();
  w = await makeBaseWorld(api, await makePki());
  for (let i = 0; i < 120; i++) {
    const sg = await api.create('server-groups', { name: `group-${i}`, tags: { parity: i % 2 === 0 ? 'even' : 'odd', 'team.name': i < 10 ? 'edge' : 'core' } });
    created.push(sg.id);
    parity.set(sg.id, i % 2 === 0 ? 'even' : 'odd');
  }
});
afterAll(async () => {
  await api?.close();
});

async function all(url: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await api.call('GET', `${url}${sep}limit=${limit}${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((i: { id: string }) => i.id));
    token = res.body.nextToken;
    pages++;
  } while (token !== null);
  return { ids, pages };
}

describe('paging', () => {
  it('defaults to 50 items with a nextToken', async () => {
    const res = await api.call('GET', '/v1/server-groups');
    expect(res.body.items).toHaveLength(50);
    expect(typeof res.body.nextToken).toBe('string');
  });

  it('walks every item once, in creation order', async () => {
    const { ids, pages } = await all('/v1/server-groups', 17);
    expect(ids).toEqual([w.sg.id, ...created]);
    expect(pages).toBe(Math.ceil(121 / 17));
  });

  it('a page exactly at the end has no nextToken', async () => {
    const res = await api.call('GET', '/v1/load-balancers?limit=1');
    expect(res.body.items).toHaveLength(1);
    expect(res.body.nextToken).toBeNull();
  });

  it('is stable when items are deleted between pages', async () => {
    const first = await api.call('GET', '/v1/server-groups?limit=10');
    const victim = created[115]!;
    expect((await api.call('DELETE', `/v1/server-groups/${victim}`)).status).toBe(204);
    const second = await api.call('GET', `/v1/server-groups?limit=10&nextToken=${first.body.nextToken}`);
    expect(second.body.items[0].id).toBe(created[9]);
    created.splice(115, 1);
  });

  it.each(['0', '101', 'ten', '-1', '1.5'])('limit=%s is a 400', async (limit) => {
    const res = await api.call('GET', `/v1/server-groups?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('limit');
  });

  it('a forged nextToken is a 400', async () => {
    const res = await api.call('GET', '/v1/server-groups?nextToken=bm9wZQ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('nextToken');
  });

  it('TLS policies page through the system policies into the custom ones', async () => {
    const custom = await api.create('tls-policies', { name: 'custom-1', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_128_GCM_SHA256'] });
    const { ids } = await all('/v1/tls-policies', 2);
    expect(ids).toEqual(['tls_cipher_policy_1_0', 'tls_cipher_policy_1_1', 'tls_cipher_policy_1_2', 'tls_cipher_policy_1_2_strict', 'tls_cipher_policy_1_2_strict_with_1_3', custom.id]);
  });
});

describe('filters', () => {
  it('tag.<key>=<value> keeps the matching items; several tags all must match', async () => {
    const even = await all('/v1/server-groups?tag.parity=even', 100);
    expect(even.ids).toEqual(created.filter((id) => parity.get(id) === 'even'));
    const both = await all('/v1/server-groups?tag.parity=odd&tag.team.name=edge', 100);
    expect(both.ids).toEqual([created[1], created[3], created[5], created[7], created[9]]);
    const none = await api.call('GET', '/v1/server-groups?tag.parity=prime');
    expect(none.body).toEqual({ items: [], nextToken: null });
  });

  it('loadBalancerId filters listeners', async () => {
    const lb2 = await api.create('load-balancers', { name: 'second' });
    const a = await api.create('listeners', httpListener(w, 8081));
    // Both load balancers bind 127.0.0.1, so rule P needs another port on the second one.
    const b = await api.create('listeners', { ...httpListener(w, 8082), loadBalancerId: lb2.id });
    const res = await api.call('GET', `/v1/listeners?loadBalancerId=${lb2.id}`);
    expect(res.body.items.map((l: { id: string }) => l.id)).toEqual([b.id]);
    const res1 = await api.call('GET', `/v1/listeners?loadBalancerId=${w.lb.id}`);
    expect(res1.body.items.map((l: { id: string }) => l.id)).toEqual([a.id]);
  });

  it('refuses loadBalancerId where it means nothing, and unknown parameters', async () => {
    expect((await api.call('GET', '/v1/certificates?loadBalancerId=x')).status).toBe(400);
    expect((await api.call('GET', '/v1/certificates?sort=name')).status).toBe(400);
    expect((await api.call('GET', `/v1/server-groups/${w.sg.id}?verbose=1`)).status).toBe(400);
  });
});
