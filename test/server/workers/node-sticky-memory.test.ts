/**
 * The node's copy of Server-mode sticky values: kept per group with Server stickiness, bounded
 * (oldest out first), values past the group's cookie timeout left out of a resync, forgotten
 * values and groups that leave the configuration dropped.
 */
import { describe, expect, it } from 'vitest';
import { NodeStickyMemory } from '../../../server/workers/node-sticky-memory.ts';
import type { EngineSnapshot } from '../../../schema/snapshot.ts';

function snapshotWith(groups: { id: string; type: 'Insert' | 'Server'; timeout: number }[]): EngineSnapshot {
  return {
    serverGroups: groups.map((g) => ({ id: g.id, stickySession: { enabled: true, type: g.type, cookieTimeout: g.timeout, cookie: 'sess' } })),
  } as unknown as EngineSnapshot;
}

describe('NodeStickyMemory', () => {
  it('keeps values of Server-mode groups only, and lists them for a resync', () => {
    const m = new NodeStickyMemory();
    m.configure(snapshotWith([{ id: 'sgp-s', type: 'Server', timeout: 60 }, { id: 'sgp-i', type: 'Insert', timeout: 60 }]));
    m.learned({ groupId: 'sgp-s', value: 'v1', server: '10.0.0.1:80' }, 1000);
    m.learned({ groupId: 'sgp-i', value: 'v2', server: '10.0.0.2:80' }, 1000);
    m.learned({ groupId: 'sgp-unknown', value: 'v3', server: '10.0.0.3:80' }, 1000);
    expect(m.values(2000)).toEqual([{ groupId: 'sgp-s', value: 'v1', server: '10.0.0.1:80' }]);
  });

  it('leaves out values past the timeout, drops forgotten ones, and a refresh renews a value', () => {
    const m = new NodeStickyMemory();
    m.configure(snapshotWith([{ id: 'g', type: 'Server', timeout: 10 }]));
    m.learned({ groupId: 'g', value: 'old', server: 's1' }, 0);
    m.learned({ groupId: 'g', value: 'kept', server: 's1' }, 0);
    m.learned({ groupId: 'g', value: 'gone', server: 's2' }, 0);
    m.learned({ groupId: 'g', value: 'gone', server: undefined }, 1);
    m.learned({ groupId: 'g', value: 'kept', server: 's2' }, 5000);
    expect(m.values(11_000)).toEqual([{ groupId: 'g', value: 'kept', server: 's2' }]);
  });

  it('holds at most its bound per group, the least recently shared out first', () => {
    const m = new NodeStickyMemory(3);
    m.configure(snapshotWith([{ id: 'g', type: 'Server', timeout: 600 }]));
    for (const v of ['a', 'b', 'c']) m.learned({ groupId: 'g', value: v, server: 's' }, 0);
    m.learned({ groupId: 'g', value: 'a', server: 's' }, 1);
    m.learned({ groupId: 'g', value: 'd', server: 's' }, 2);
    expect(m.values(3).map((c) => c.value)).toEqual(['c', 'a', 'd']);
  });

  it('forgets the groups a new configuration no longer holds with Server stickiness', () => {
    const m = new NodeStickyMemory();
    m.configure(snapshotWith([{ id: 'g', type: 'Server', timeout: 600 }]));
    m.learned({ groupId: 'g', value: 'v', server: 's' }, 0);
    m.configure(snapshotWith([{ id: 'g', type: 'Insert', timeout: 600 }]));
    m.configure(snapshotWith([{ id: 'g', type: 'Server', timeout: 600 }]));
    expect(m.values(1)).toEqual([]);
  });
});
