/**
 * E15, E16 and SPEC 1.6 connectionDrain through a real engine: a backend that goes down leaves
 * rotation after unhealthyThreshold failed checks and comes back after healthyThreshold good
 * ones, visible in Engine.serverGroupHealth and the health metric; a server removed from a
 * group lets its in-flight requests finish (E16), for at most connectionDrain.timeout when
 * drain is enabled, after which they are cut.
 *
 * Health checks run with `healthCheckSecondMs: 100` (one configured second lasts 100 ms), so
 * intervals and thresholds keep their meaning at ten times the speed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildSnapshotParts } from '../support/snapshots.ts';
import { okResponse, type RawBackend } from '../support/raw-backend.ts';
import { RawClient } from '../support/raw-client.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { eventually } from '../../helpers/eventually.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

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

describe('E15: health checks take servers out of rotation and back', () => {
  it('a backend that goes down leaves rotation after the unhealthy threshold and returns after the healthy threshold', async () => {
    fx = new ProxyFixture({ healthCheckSecondMs: 100 });
    const a = await fx.backend(() => okResponse('a'));
    const b = await fx.backend(() => okResponse('b'));
    await fx.apply(buildSnapshotParts({ backends: [a.port, b.port], health: { protocol: 'HTTP', interval: 1, timeout: 1, healthyThreshold: 3, unhealthyThreshold: 2 } }));
    const port = fx.port('lsn-1');
    const health = () => fx.engine.serverGroupHealth('sgp-1')!;
    await eventually(() => expect(health().map((s) => s.state)).toEqual(['Healthy', 'Healthy']), 5000, 25);
    expect(health()[0]).toMatchObject({ address: '127.0.0.1', port: a.port, lastCheck: { ok: true, detail: 'HTTP 200' } });
    expect(new Set(await names(port, 4))).toEqual(new Set(['a', 'b']));

    await a.down();
    await eventually(() => expect(health()[0]!.state).toBe('Unhealthy'), 5000, 25);
    expect(health()[0]!.lastCheck).toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') });
    expect(await names(port, 6)).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
    expect(await fx.registry.metrics()).toContain(`gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:${a.port}"} 0`);

    await a.up();
    const upAt = Date.now();
    await eventually(() => expect(health()[0]!.state).toBe('Healthy'), 5000, 25);
    // Three good checks 100 ms apart: not before ~200 ms.
    expect(Date.now() - upAt).toBeGreaterThanOrEqual(150);
    expect(new Set(await names(port, 4))).toEqual(new Set(['a', 'b']));
    expect(await fx.registry.metrics()).toContain(`gatehouse_backend_health{server_group="sgp-1",server="127.0.0.1:${a.port}"} 1`);
  });

  it('with health checks off every server is Unchecked and in rotation', async () => {
    fx = new ProxyFixture({ healthCheckSecondMs: 100 });
    const a = await fx.backend(() => okResponse('a'));
    await fx.apply(buildSnapshotParts({ backends: [a.port] }));
    await new Promise((r) => setTimeout(r, 300));
    expect(fx.engine.serverGroupHealth('sgp-1')).toEqual([{ address: '127.0.0.1', port: a.port, state: 'Unchecked' }]);
    expect(fx.engine.serverGroupHealth('sgp-unknown')).toBeUndefined();
    expect(await names(fx.port('lsn-1'), 1)).toEqual(['a']);
  });

  it('a 5xx answer to the check counts as a failure unless http_5xx is among the codes', async () => {
    fx = new ProxyFixture({ healthCheckSecondMs: 100 });
    const sick = await fx.backend((req) => (req.requestLine.startsWith('HEAD') ? 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n' : okResponse('sick')));
    const tolerant = await fx.backend((req) => (req.requestLine.startsWith('HEAD') ? 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n' : okResponse('tolerant')));
    await fx.apply({
      ...buildSnapshotParts({ backends: [sick.port], health: { interval: 1, timeout: 1, unhealthyThreshold: 2 } }),
    });
    await eventually(() => expect(fx.engine.serverGroupHealth('sgp-1')![0]!.state).toBe('Unhealthy'), 5000, 25);
    await fx.apply({ ...buildSnapshotParts({ backends: [tolerant.port], health: { interval: 1, timeout: 1, unhealthyThreshold: 2, codes: ['http_2xx', 'http_5xx'] } }), version: 2 });
    await eventually(() => expect(fx.engine.serverGroupHealth('sgp-1')![0]).toMatchObject({ state: 'Healthy', lastCheck: { ok: true, detail: 'HTTP 503' } }), 5000, 25);
  });
});

describe('E16 / connectionDrain: removing a server with a request in flight', () => {
  async function inFlightThenRemove(drain: { enabled: boolean; timeout: number }): Promise<{ slow: RawBackend; answer: Promise<{ status: number; body: string; ms: number }> }> {
    fx = new ProxyFixture({ drainTimeoutMs: 10_000 });
    const slow = await fx.backend(() => ({ delayMs: 1500, reply: okResponse('finished') }));
    const other = await fx.backend(() => okResponse('other'));
    const group = { connectionDrain: drain };
    await fx.apply(buildSnapshotParts({ backends: [slow.port], group }));
    const client = await RawClient.connect(fx.port('lsn-1'));
    const started = Date.now();
    client.send('GET /long HTTP/1.1\r\nHost: a\r\n\r\n');
    await slow.waitForRequests(1);
    await fx.apply({ ...buildSnapshotParts({ backends: [other.port], group }), version: 2 });
    expect(await names(fx.port('lsn-1'), 2)).toEqual(['other', 'other']);
    const answer = client
      .response(5000)
      .then((r) => ({ status: r.status, body: r.body.toString(), ms: Date.now() - started }))
      .finally(() => client.close());
    return { slow, answer };
  }

  it('drain disabled: the in-flight request finishes (configuration changes fail no in-flight request)', async () => {
    const { answer } = await inFlightThenRemove({ enabled: false, timeout: 300 });
    expect(await answer).toMatchObject({ status: 200, body: 'finished' });
  });

  it('drain enabled with a timeout longer than the request: it finishes', async () => {
    const { answer } = await inFlightThenRemove({ enabled: true, timeout: 5 });
    expect(await answer).toMatchObject({ status: 200, body: 'finished' });
  });

  it('drain enabled with timeout 0: the in-flight request is cut at once (502)', async () => {
    const { answer } = await inFlightThenRemove({ enabled: true, timeout: 0 });
    const r = await answer;
    expect(r.status).toBe(502);
    expect(r.ms).toBeLessThan(1400);
  });
});
