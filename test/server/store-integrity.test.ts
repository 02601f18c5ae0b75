/**
 * Store.checkIntegrity, the one integrity check of the store: a store written through the API
 * is sound, and each kind of damage is named — a reference that no longer resolves, a body that
 * disagrees with its row or its kind, a sealed key that does not open, a revision without its
 * audit event.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResourceRow } from '../../server/store/resource-repo.ts';
import { httpsListener, makeBaseWorld, makePki, TestApi, type BaseWorld } from './support/api.ts';

let api: TestApi;
let w: BaseWorld;
let listenerId: string;

beforeEach(async () => {
  api = await TestApi.open();
  w = await makeBaseWorld(api, await makePki());
  listenerId = (await api.create('listeners', httpsListener(w, 8443))).id;
});
afterEach(async () => {
  await api?.close();
});

/** rewrite stores a row again with a changed body or secret, bypassing the API's checks. */
function rewrite(id: string, change: (row: ResourceRow) => Partial<Pick<ResourceRow, 'body' | 'secret' | 'version'>>): void {
  const row = api.store.resources.get(id)!;
  api.store.write(() => api.store.resources.update({ ...row, ...change(row) }));
}

describe('Store.checkIntegrity', () => {
  it('finds nothing wrong with a store written through the API', () => {
    expect(api.store.checkIntegrity()).toEqual([]);
  });

  it('names a reference that no longer resolves', () => {
    rewrite(listenerId, (row) => ({ body: { ...row.body, defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa' } }));
    expect(api.store.checkIntegrity()).toEqual([`${listenerId} defaultServerGroupId: server group sgp-aaaaaaaaaaaaaaaaaaaa does not exist`]);
  });

  it('names a body that disagrees with its row, and one that is not a valid resource of its kind', () => {
    rewrite(w.sg.id, (row) => ({ version: row.version + 1 }));
    rewrite(w.lb.id, (row) => ({ body: { ...row.body, edition: 'Platinum' } }));
    const problems = api.store.checkIntegrity();
    expect(problems).toContain(`${w.sg.id}: body id/version disagree with the row`);
    expect(problems.some((p) => p.startsWith(`${w.lb.id}: stored body is not a valid LoadBalancer`))).toBe(true);
  });

  it('names a Server certificate whose sealed key does not open', () => {
    rewrite(w.cert.id, () => ({ secret: new Uint8Array(64) }));
    expect(api.store.checkIntegrity()).toEqual([`${w.cert.id}: the sealed key does not open under the master key`]);
  });

  it('names a Server certificate without a sealed key, and a CA certificate with one, by the rules on the secret field', () => {
    rewrite(w.cert.id, () => ({ secret: null }));
    expect(api.store.checkIntegrity()).toEqual([`${w.cert.id} privateKeyPem: is required for a Server certificate (sealed key absent)`]);
    rewrite(w.cert.id, (row) => ({ body: { ...row.body, type: 'CA' }, secret: api.store.secrets.seal('key', `resource:${w.cert.id}`) }));
    expect(api.store.checkIntegrity()).toContain(`${w.cert.id} privateKeyPem: a CA certificate may not carry a private key (sealed key present)`);
  });

  it('names a revision without its audit event', () => {
    api.store.write(() => api.store.bumpRevision());
    const revision = api.store.revision();
    expect(api.store.checkIntegrity()).toEqual([`revision ${revision} but ${revision - 1} audit events`]);
  });
});
