/**
 * EngineOptions.externalHealth: an engine whose server states come only from
 * Engine.setServerHealth (a supervisor probes once per node and reports to every worker's
 * engine). It never probes a backend itself, moves servers in and out of rotation as a probe's
 * transition would (metric included), honours a state reported before the group runs, and
 * drops the reports of servers that left the group. Without the option, setServerHealth throws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildSnapshotParts } from '../support/snapshots.ts';
import { okResponse, type RawBackend } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { eventually, sleep } from '../../helpers/eventually.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

/** Health checks every 50 ms (one configured second lasts 50 ms), thresholds of one. */
const FAST_SECOND_MS = 50;
const CHECKS = { protocol: 'HTTP' as const, interval: 1, timeout: 1, healthyThreshold: 1, unhealthyThreshold: 1 };

async function names(port: number, count: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    client.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const r = await client.response();
    seen.push(r.status === 200 ? r.body.toString() : String(r.status));
  }
  client.close();
  return seen;
}

function probes(b: RawBackend): number {
  return b.requests.filter((r) => r.requestLine.startsWith('HEAD ')).length;
}

function healthLine(port: number, value: 0 | 1): string {
  return `gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:${port}"} ${value}`;
}

describe('externalHealth: server states come from setServerHealth', () => {
  it('runs no probe and follows the reported states, including one reported before the group runs', async () => {
    fx = new ProxyFixture({ externalHealth: true, healthCheckSecondMs: FAST_SECOND_MS });
    const a = await fx.backend(() => okResponse('a'));
    const b = await fx.backend(() => okResponse('b'));
    // Reported before the engine runs the group: the runtime built later starts with it.
    fx.engine.setServerHealth('sgp-1', '127.0.0.1', a.port, 'Unhealthy');
    await fx.apply(buildSnapshotParts({ backends: [a.port, b.port], health: CHECKS }));
    const port = fx.port('lsn-1');
    const health = () => fx.engine.serverGroupHealth('sgp-1');

    expect(health()).toEqual([
      { address: '127.0.0.1', port: a.port, state: 'Unhealthy' },
      { address: '127.0.0.1', port: b.port, state: 'Unchecked' },
    ]);
    expect(await names(port, 6)).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
    expect(await fx.registry.metrics()).toContain(healthLine(a.port, 0));

    fx.engine.setServerHealth('sgp-1', '127.0.0.1', a.port, 'Healthy');
    expect(health()![0]).toEqual({ address: '127.0.0.1', port: a.port, state: 'Healthy' });
    expect(new Set(await names(port, 4))).toEqual(new Set(['a', 'b']));
    expect(await fx.registry.metrics()).toContain(healthLine(a.port, 1));

    fx.engine.setServerHealth('sgp-1', '127.0.0.1', b.port, 'Unhealthy');
    expect(await names(port, 4)).toEqual(['a', 'a', 'a', 'a']);
    expect(await fx.registry.metrics()).toContain(healthLine(b.port, 0));

    // Twenty check intervals went by at least: not one probe reached either backend.
    await sleep(20 * FAST_SECOND_MS);
    expect(probes(a) + probes(b)).toBe(0);
    expect(a.requests.every((r) => r.requestLine.startsWith('GET '))).toBe(true);
  });

  it('applies to every live runtime across a reconfiguration and drops the reports of servers that left', async () => {
    fx = new ProxyFixture({ externalHealth: true });
    const a = await fx.backend(() => okResponse('a'));
    const b = await fx.backend(() => okResponse('b'));
    await fx.apply(buildSnapshotParts({ backends: [a.port, b.port], health: CHECKS }));
    fx.engine.setServerHealth('sgp-1', '127.0.0.1', a.port, 'Unhealthy');
    // A changed group (a weight) gets a new runtime that keeps the reported state.
    await fx.apply(buildSnapshotParts({ backends: [{ port: a.port, weight: 2 }, b.port], health: CHECKS, version: 2 }));
    expect(await names(fx.port('lsn-1'), 4)).toEqual(['b', 'b', 'b', 'b']);

    // a leaves the group: its report goes; when it comes back it starts Unchecked, in rotation.
    await fx.apply(buildSnapshotParts({ backends: [b.port], health: CHECKS, version: 3 }));
    expect(fx.engine.serverGroupHealth('sgp-1')).toEqual([{ address: '127.0.0.1', port: b.port, state: 'Unchecked' }]);
    expect(await fx.registry.metrics()).not.toContain(`server="127.0.0.1:${a.port}"`);
    await fx.apply(buildSnapshotParts({ backends: [a.port, b.port], health: CHECKS, version: 4 }));
    expect(fx.engine.serverGroupHealth('sgp-1')![0]).toEqual({ address: '127.0.0.1', port: a.port, state: 'Unchecked' });
    expect(new Set(await names(fx.port('lsn-1'), 4))).toEqual(new Set(['a', 'b']));
    // A report for a group the engine does not run changes nothing that runs.
    fx.engine.setServerHealth('sgp-other', '127.0.0.1', a.port, 'Unhealthy');
    expect(new Set(await names(fx.port('lsn-1'), 4))).toEqual(new Set(['a', 'b']));
  });

  it('control: without externalHealth the engine probes itself and setServerHealth throws', async () => {
    fx = new ProxyFixture({ healthCheckSecondMs: FAST_SECOND_MS });
    const a = await fx.backend(() => okResponse('a'));
    await fx.apply(buildSnapshotParts({ backends: [a.port], health: CHECKS }));
    await eventually(() => expect(probes(a)).toBeGreaterThan(0), 5000, 20);
    await eventually(() => expect(fx.engine.serverGroupHealth('sgp-1')![0]).toMatchObject({ state: 'Healthy', lastCheck: { ok: true } }), 5000, 20);
    expect(() => fx.engine.setServerHealth('sgp-1', '127.0.0.1', a.port, 'Unhealthy')).toThrow(/checks server health itself/);
    expect(fx.engine.serverGroupHealth('sgp-1')![0]!.state).toBe('Healthy');
  });
});
