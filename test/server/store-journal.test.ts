/**
 * The two store operations a shared store of record (PostgreSQL) is built on: a write run as a
 * journal (every check, every row change recorded, nothing kept) and a replica delta that brings
 * the node's copy to a newer revision.
 */
import { describe, expect, it } from 'vitest';
import { Store } from '../../server/store/store.ts';
import type { ReplicaDelta, ReplicaResourceRow } from '../../server/store/replica-writer.ts';

const STAMP = '2026-12-07T00:00:00.000Z';

function lbRow(seq: number, id: string, name: string, version = 1): ReplicaResourceRow {
  const body = { id, version, createdAt: STAMP, updatedAt: STAMP, name, edition: 'Standard', address: '127.0.0.1', tags: {}, deletionProtection: false };
  return { seq, id, kind: 'LoadBalancer', version, createdAt: STAMP, updatedAt: STAMP, bodyText: JSON.stringify(body), secret: null };
}

function delta(over: Partial<ReplicaDelta> & { revision: number }): ReplicaDelta {
  return { full: false, resources: [], deletedIds: [], idempotency: [], ...over };
}

describe('Store.journal', () => {
  it('records every row change of a write and keeps none of them', () => {
    const store = Store.open({ env: {} });
    const { value, mutations } = store.journal(() => {
      store.resources.insert({ id: 'alb-1', kind: 'LoadBalancer', version: 1, createdAt: STAMP, updatedAt: STAMP, body: { id: 'alb-1' }, secret: null });
      const revision = store.bumpRevision();
      store.events.append({ time: STAMP, action: 'create', kind: 'LoadBalancer', resourceId: 'alb-1', version: 1, sourceAddress: '127.0.0.1', revision });
      store.idempotency.remember('POST /v1/load-balancers', 'k1', { requestHash: 'h', status: 201, body: { id: 'alb-1' } }, new Date(STAMP));
      return 'done';
    });
    expect(value).toBe('done');
    expect(mutations.map((m) => m.op)).toEqual(['insertResource', 'setRevision', 'appendEvent', 'rememberIdempotency']);
    expect(mutations[1]).toEqual({ op: 'setRevision', revision: 1 });
    expect(store.resources.get('alb-1')).toBeUndefined();
    expect(store.revision()).toBe(0);
    expect(store.events.read({ limit: 10 })).toEqual([]);
    // Recording stops with the journal: a later write on the store itself records nothing.
    store.write(() => store.bumpRevision());
    expect(store.journal(() => 1).mutations).toEqual([]);
  });

  it('a write that throws leaves the journal closed and nothing written', () => {
    const store = Store.open({ env: {} });
    expect(() =>
      store.journal(() => {
        store.bumpRevision();
        throw new Error('rule failed');
      }),
    ).toThrow('rule failed');
    expect(store.revision()).toBe(0);
    expect(store.journal(() => store.bumpRevision()).mutations).toEqual([{ op: 'setRevision', revision: 1 }]);
  });
});

describe('Store.applyReplica', () => {
  it('applies rows with their sequence numbers, deletes, and ignores deltas that are not newer', () => {
    const store = Store.open({ env: {} });
    expect(store.applyReplica(delta({ full: true, revision: 3, resources: [lbRow(5, 'alb-a', 'a'), lbRow(9, 'alb-b', 'b')] }))).toBe(true);
    expect(store.revision()).toBe(3);
    expect(store.resources.all('LoadBalancer').map((r) => [r.seq, r.id])).toEqual([[5, 'alb-a'], [9, 'alb-b']]);

    expect(store.applyReplica(delta({ revision: 5, resources: [lbRow(5, 'alb-a', 'a2', 2)], deletedIds: ['alb-b'] }))).toBe(true);
    expect(store.resources.get('alb-a')?.body.name).toBe('a2');
    expect(store.resources.get('alb-a')?.version).toBe(2);
    expect(store.resources.get('alb-b')).toBeUndefined();

    // An older delta (fetched before the newer one was applied) changes nothing.
    expect(store.applyReplica(delta({ revision: 4, resources: [lbRow(9, 'alb-b', 'b')] }))).toBe(false);
    expect(store.resources.get('alb-b')).toBeUndefined();
    expect(store.revision()).toBe(5);

    // A full reload replaces everything, even at the same revision; an older one (fetched before a
    // newer delta was applied) does not.
    expect(store.applyReplica(delta({ full: true, revision: 4, resources: [] }))).toBe(false);
    expect(store.resources.all('LoadBalancer').map((r) => r.id)).toEqual(['alb-a']);
    store.applyReplica(delta({ full: true, revision: 5, resources: [lbRow(12, 'alb-c', 'c')] }));
    expect(store.resources.all('LoadBalancer').map((r) => r.id)).toEqual(['alb-c']);

    // A store of record restored to an older revision is taken as it is.
    expect(store.applyReplica(delta({ full: true, rewound: true, revision: 2, resources: [lbRow(3, 'alb-old', 'old')] }))).toBe(true);
    expect(store.revision()).toBe(2);
    expect(store.resources.all('LoadBalancer').map((r) => r.id)).toEqual(['alb-old']);
  });

  it('copies remembered Idempotency-Key answers', () => {
    const store = Store.open({ env: {} });
    const now = new Date();
    store.applyReplica(
      delta({
        revision: 1,
        idempotency: [{ scope: 'POST /v1/load-balancers', key: 'k', requestHash: 'h', status: 201, responseText: '{"id":"alb-x"}', createdAt: now.toISOString() }],
      }),
    );
    expect(store.idempotency.find('POST /v1/load-balancers', 'k', now)).toEqual({ requestHash: 'h', status: 201, body: { id: 'alb-x' } });
  });
});
