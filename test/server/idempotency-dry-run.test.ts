/**
 * SPEC §3: Idempotency-Key (same key + same body → the same resource, not a second one; same
 * key + other body → 422) and ?dryRun=true (every check of the write, nothing changed: no row,
 * no event, no revision, no idempotency record).
 */
import { describe, expect, it } from 'vitest';
import { httpListener, httpsListener, useBaseWorld } from './support/api.ts';

const w = useBaseWorld();

async function sideEffects() {
  return {
    revision: w.api.store.revision(),
    events: (await w.api.eventCount()),
    counts: JSON.stringify([...w.api.store.resources.counts()].sort()),
  };
}

describe('Idempotency-Key', () => {
  it('a repeated create returns the same resource and creates nothing more', async () => {
    const body = { name: 'idem-group', servers: [{ address: '10.0.0.9', port: 80 }] };
    const first = await w.api.call('POST', '/v1/server-groups', body, { headers: { 'idempotency-key': 'abc-1' } });
    expect(first.status).toBe(201);
    const before = (await sideEffects());
    // Key order in the body does not make it another request.
    const again = await w.api.call('POST', '/v1/server-groups', { servers: body.servers, name: body.name }, { headers: { 'idempotency-key': 'abc-1' } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe('"1"');
    expect((await sideEffects())).toEqual(before);
  });

  it('the key is scoped to the collection', async () => {
    const a = await w.api.call('POST', '/v1/load-balancers', { name: 'scoped' }, { headers: { 'idempotency-key': 'shared' } });
    const b = await w.api.call('POST', '/v1/server-groups', { name: 'scoped' }, { headers: { 'idempotency-key': 'shared' } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toMatch(/^sgp-/);
  });

  it('another body under a used key is 422 and changes nothing', async () => {
    await w.api.call('POST', '/v1/load-balancers', { name: 'first-body' }, { headers: { 'idempotency-key': 'k-422' } });
    const before = (await sideEffects());
    const res = await w.api.call('POST', '/v1/load-balancers', { name: 'second-body' }, { headers: { 'idempotency-key': 'k-422' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await sideEffects())).toEqual(before);
  });

  it('a create that failed does not consume its key', async () => {
    const bad = await w.api.call('POST', '/v1/load-balancers', { name: 'x' }, { headers: { 'idempotency-key': 'retry-me' } });
    expect(bad.status).toBe(400);
    const good = await w.api.call('POST', '/v1/load-balancers', { name: 'fixed' }, { headers: { 'idempotency-key': 'retry-me' } });
    expect(good.status).toBe(201);
  });

  it('parallel creates with one key make one resource', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => w.api.call('POST', '/v1/load-balancers', { name: 'parallel-idem' }, { headers: { 'idempotency-key': 'par-1' } })),
    );
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    const list = await w.api.call('GET', '/v1/load-balancers?limit=100');
    expect(list.body.items.filter((i: { name: string }) => i.name === 'parallel-idem')).toHaveLength(1);
  });

  it('a malformed key is a 400', async () => {
    const res = await w.api.call('POST', '/v1/load-balancers', { name: 'k' }, { headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(res.status).toBe(400);
  });
});

describe('?dryRun=true', () => {
  it('a valid create answers 200 {"valid": true} and stores nothing', async () => {
    const before = (await sideEffects());
    const res = await w.api.call('POST', '/v1/listeners?dryRun=true', httpsListener(w, 9443));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true });
    expect((await sideEffects())).toEqual(before);
    // The port is still free: the dry run held nothing.
    expect((await w.api.call('POST', '/v1/listeners', httpsListener(w, 9443))).status).toBe(201);
  });

  it('gives the same error the write would give, for rules that need live state', async () => {
    const before = (await sideEffects());
    const conflict = await w.api.call('POST', '/v1/listeners?dryRun=true', httpListener(w, 9443));
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('PORT_CONFLICT');
    const real = await w.api.call('POST', '/v1/listeners', httpListener(w, 9443));
    expect(real.body).toEqual(conflict.body);
    const missing = await w.api.call('POST', '/v1/listeners?dryRun=true', httpListener(w, 9444, { defaultServerGroupId: 'sgp-bbbbbbbbbbbbbbbbbbbb' }));
    expect(missing.body.code).toBe('REFERENCE_NOT_FOUND');
    expect((await sideEffects())).toEqual(before);
  });

  it('a valid PUT answers {"valid": true} and leaves the resource at its version', async () => {
    const sg = await w.api.create('server-groups', { name: 'dry-put' });
    const before = (await sideEffects());
    const res = await w.api.call('PUT', `/v1/server-groups/${sg.id}?dryRun=true`, { name: 'dry-put-2' }, { headers: { 'if-match': '"1"' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true });
    expect((await sideEffects())).toEqual(before);
    expect((await w.api.call('GET', `/v1/server-groups/${sg.id}`)).body).toMatchObject({ name: 'dry-put', version: 1 });
    const stale = await w.api.call('PUT', `/v1/server-groups/${sg.id}?dryRun=true`, { name: 'dry-put-2' }, { headers: { 'if-match': '"5"' } });
    expect(stale.status).toBe(412);
  });

  it('a dry-run DELETE checks IN_USE without deleting', async () => {
    const before = (await sideEffects());
    const inUse = await w.api.call('DELETE', `/v1/server-groups/${w.sg.id}?dryRun=true`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('IN_USE');
    const sg = await w.api.create('server-groups', { name: 'dry-del' });
    const ok = await w.api.call('DELETE', `/v1/server-groups/${sg.id}?dryRun=true`);
    expect(ok.status).toBe(200);
    expect((await w.api.call('GET', `/v1/server-groups/${sg.id}`)).status).toBe(200);
    expect(w.api.store.revision()).toBe(before.revision + 1);
  });

  it('a dry run with an idempotency key records nothing under the key', async () => {
    const dry = await w.api.call('POST', '/v1/load-balancers?dryRun=true', { name: 'dry-key' }, { headers: { 'idempotency-key': 'dry-k' } });
    expect(dry.body).toEqual({ valid: true });
    const real = await w.api.call('POST', '/v1/load-balancers', { name: 'other-body' }, { headers: { 'idempotency-key': 'dry-k' } });
    expect(real.status).toBe(201);
  });

  it('dryRun takes only true or false', async () => {
    expect((await w.api.call('POST', '/v1/load-balancers?dryRun=yes', { name: 'q1' })).status).toBe(400);
    expect((await w.api.call('POST', '/v1/load-balancers?dryRun=false', { name: 'q1' })).status).toBe(201);
  });
});
