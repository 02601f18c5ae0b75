/**
 * GroupHealthChecks: the health checks of every server group of a snapshot, run without an
 * engine (a supervisor runs them once per node and reports transitions to its workers'
 * engines). It probes at once, reports transitions, lists every server's state for a resync,
 * follows changed groups keeping states, stops the checks of groups that left, and closes
 * cleanly (idempotent, no probe afterwards).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GroupHealthChecks, type HealthTransition } from '../../../engine/index.ts';
import type { SnapshotServerGroup } from '../../../schema/snapshot.ts';
import { RawBackend, okResponse } from '../support/raw-backend.ts';
import { healthConfig, serverGroup } from '../support/snapshots.ts';
import { eventually, sleep } from '../../helpers/eventually.ts';

const SECOND_MS = 50;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function backend(): Promise<RawBackend> {
  const b = await RawBackend.start(() => okResponse('ok'));
  cleanups.push(() => b.close());
  return b;
}

function checked(id: string, ports: number[]): SnapshotServerGroup {
  return serverGroup(id, ports.map((port) => ({ port })), {
    healthCheck: healthConfig({ interval: 1, timeout: 1, healthyThreshold: 1, unhealthyThreshold: 1 }),
  });
}

function start(): { checks: GroupHealthChecks; transitions: HealthTransition[] } {
  const transitions: HealthTransition[] = [];
  const checks = new GroupHealthChecks({ secondMs: SECOND_MS, onTransition: (t) => transitions.push(t) });
  cleanups.push(() => checks.close());
  return { checks, transitions };
}

describe('GroupHealthChecks', () => {
  it('probes every group at once, reports transitions and lists every state', async () => {
    const { checks, transitions } = start();
    const a = await backend();
    const gone = await backend();
    await gone.down();
    const c = await backend();
    checks.update([checked('g1', [a.port, gone.port]), checked('g2', [c.port])]);
    // The first check runs at once: well within one interval.
    await eventually(() => expect(transitions).toHaveLength(3), 2000, 5);
    expect(transitions).toEqual(
      expect.arrayContaining([
        { groupId: 'g1', address: '127.0.0.1', port: a.port, from: 'Unchecked', to: 'Healthy', available: true },
        { groupId: 'g1', address: '127.0.0.1', port: gone.port, from: 'Unchecked', to: 'Unhealthy', available: false },
        { groupId: 'g2', address: '127.0.0.1', port: c.port, from: 'Unchecked', to: 'Healthy', available: true },
      ]),
    );
    expect(checks.states()).toEqual([
      { groupId: 'g1', address: '127.0.0.1', port: a.port, state: 'Healthy' },
      { groupId: 'g1', address: '127.0.0.1', port: gone.port, state: 'Unhealthy' },
      { groupId: 'g2', address: '127.0.0.1', port: c.port, state: 'Healthy' },
    ]);
    expect(checks.health('g1')![0]).toMatchObject({ port: a.port, state: 'Healthy', lastCheck: { ok: true, detail: 'HTTP 200' } });
    expect(checks.health('nope')).toBeUndefined();

    // The gone server comes back: one more transition.
    await gone.up();
    await eventually(() => expect(transitions.at(-1)).toMatchObject({ port: gone.port, from: 'Unhealthy', to: 'Healthy' }), 2000, 10);
  });

  it('keeps states of servers that stay, checks new ones, and stops the checks of groups that left', async () => {
    const { checks, transitions } = start();
    const a = await backend();
    const b = await backend();
    const c = await backend();
    const g1 = checked('g1', [a.port]);
    checks.update([g1, checked('g2', [c.port])]);
    await eventually(() => expect(transitions).toHaveLength(2), 2000, 5);

    // g1 gains b; g2 leaves.
    checks.update([checked('g1', [a.port, b.port])]);
    await eventually(() => expect(transitions).toHaveLength(3), 2000, 5);
    expect(transitions[2]).toMatchObject({ groupId: 'g1', port: b.port, to: 'Healthy' });
    expect(checks.health('g2')).toBeUndefined();
    expect(checks.states().map((s) => [s.groupId, s.port, s.state])).toEqual([
      ['g1', a.port, 'Healthy'],
      ['g1', b.port, 'Healthy'],
    ]);
    const probesOfC = c.requests.length;
    const probesOfA = a.requests.length;
    await sleep(6 * SECOND_MS);
    expect(c.requests.length).toBe(probesOfC);
    // Control: the group that stayed is still probed.
    expect(a.requests.length).toBeGreaterThan(probesOfA);
  });

  it('close stops every probe, is idempotent, and later updates do nothing', async () => {
    const { checks, transitions } = start();
    const a = await backend();
    checks.update([checked('g1', [a.port])]);
    await eventually(() => expect(transitions).toHaveLength(1), 2000, 5);
    await Promise.all([checks.close(), checks.close()]);
    await checks.close();
    const probes = a.requests.length;
    const connections = a.connections;
    checks.update([checked('g1', [a.port]), checked('g2', [a.port])]);
    await sleep(6 * SECOND_MS);
    expect(a.requests.length).toBe(probes);
    expect(a.connections).toBe(connections);
    expect(checks.states()).toEqual([]);
    expect(transitions).toHaveLength(1);
  });
});
