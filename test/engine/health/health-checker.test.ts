/**
 * SPEC 1.6 / E15: a server enters and leaves rotation after the thresholds; runtime states
 * Healthy / Unhealthy / Unchecked with the last check result; checks off = every server counts
 * healthy (Unchecked); a configuration update keeps the state of servers that remain. Real
 * backends go down and come back. Most tests run with `secondMs: 100` (one configured second
 * lasts 100 ms) so thresholds and intervals keep their meaning at ten times the speed.
 */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecker, type HealthTransition } from '../../../engine/health/index.ts';
import { waitUntil } from '../../helpers/eventually.ts';
import { healthConfig } from '../support/snapshots.ts';

const FAST = 100;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Backend is a real HTTP server whose answer can be switched, or which can be stopped and restarted on its port. */
class Backend {
  status = 200;
  hits = 0;
  port = 0;
  private server: http.Server | undefined;

  async start(port = 0): Promise<this> {
    this.server = http.createServer((_req, res) => {
      this.hits++;
      res.writeHead(this.status).end();
    });
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function backend(): Promise<Backend> {
  const b = await new Backend().start();
  cleanups.push(() => b.stop());
  return b;
}

function checker(...args: ConstructorParameters<typeof HealthChecker>): HealthChecker {
  const c = new HealthChecker(...args);
  cleanups.push(() => c.close());
  return c;
}

/** POLL: wait for the checker's state quickly (every 10 ms), so tests do not depend on exact timings. */
const POLL = { intervalMs: 10, message: 'condition not reached in time' };

describe('HealthChecker', () => {
  it('leaves rotation after unhealthyThreshold failures and returns after healthyThreshold successes', async () => {
    const b = await backend();
    const transitions: HealthTransition[] = [];
    const hitsAt: number[] = [];
    const c = checker('sgp-a', healthConfig({ interval: 1, healthyThreshold: 3, unhealthyThreshold: 2 }), [{ address: '127.0.0.1', port: b.port, weight: 1 }], {
      secondMs: FAST,
      onTransition: (t) => {
        transitions.push(t);
        hitsAt.push(b.hits);
      },
    });
    expect(c.stateOf('127.0.0.1', b.port)).toBe('Unchecked');
    expect(c.isAvailable('127.0.0.1', b.port)).toBe(true);
    c.start();
    await waitUntil(() => transitions.length === 1, POLL);
    expect(transitions[0]).toMatchObject({ groupId: 'sgp-a', from: 'Unchecked', to: 'Healthy', available: true });
    expect(c.health()[0]!.lastCheck).toMatchObject({ ok: true, detail: 'HTTP 200' });

    b.status = 500;
    const failFrom = b.hits;
    await waitUntil(() => transitions.length === 2, POLL);
    expect(transitions[1]).toMatchObject({ from: 'Healthy', to: 'Unhealthy', available: false });
    expect(hitsAt[1]! - failFrom).toBe(2);
    expect(c.isAvailable('127.0.0.1', b.port)).toBe(false);
    expect(c.health()[0]).toMatchObject({ state: 'Unhealthy', lastCheck: { ok: false, detail: 'HTTP 500 not in http_2xx,http_3xx' } });

    b.status = 200;
    const okFrom = b.hits;
    await waitUntil(() => transitions.length === 3, POLL);
    expect(transitions[2]).toMatchObject({ from: 'Unhealthy', to: 'Healthy', available: true });
    expect(hitsAt[2]! - okFrom).toBe(3);
  });

  it('a backend that goes down (connection refused) and comes back on its port', async () => {
    const b = await backend();
    const states: string[] = [];
    const c = checker('sgp-b', healthConfig({ interval: 1, healthyThreshold: 2, unhealthyThreshold: 2 }), [{ address: '127.0.0.1', port: b.port, weight: 1 }], {
      secondMs: FAST,
      onTransition: (t) => states.push(t.to),
    });
    c.start();
    await waitUntil(() => states.length === 1, POLL);
    const port = b.port;
    await b.stop();
    await waitUntil(() => states.length === 2, POLL);
    expect(states).toEqual(['Healthy', 'Unhealthy']);
    expect(c.health()[0]!.lastCheck!.detail).toContain('ECONNREFUSED');
    await b.start(port);
    await waitUntil(() => states.length === 3, POLL);
    expect(states).toEqual(['Healthy', 'Unhealthy', 'Healthy']);
  });

  it('a server failing from the start stays in rotation until the threshold, then leaves', async () => {
    const b = await backend();
    b.status = 503;
    const c = checker('sgp-c', healthConfig({ interval: 1, unhealthyThreshold: 3 }), [{ address: '127.0.0.1', port: b.port, weight: 1 }], { secondMs: FAST });
    c.start();
    await waitUntil(() => b.hits >= 1, POLL);
    await waitUntil(() => c.health()[0]!.lastCheck !== undefined, POLL);
    expect(c.stateOf('127.0.0.1', b.port)).toBe('Unchecked');
    await waitUntil(() => c.stateOf('127.0.0.1', b.port) === 'Unhealthy', POLL);
    expect(b.hits).toBeGreaterThanOrEqual(3);
  });

  it('checks off: every server is Unchecked and available, and nothing is checked', async () => {
    const b = await backend();
    b.status = 500;
    const c = checker('sgp-d', healthConfig({ enabled: false, interval: 1 }), [
      { address: '127.0.0.1', port: b.port, weight: 1 },
      { address: '127.0.0.1', port: 1, weight: 1 },
    ], { secondMs: FAST });
    c.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(b.hits).toBe(0);
    expect(c.health()).toEqual([
      { address: '127.0.0.1', port: b.port, state: 'Unchecked' },
      { address: '127.0.0.1', port: 1, state: 'Unchecked' },
    ]);
    expect(c.isAvailable('127.0.0.1', 1)).toBe(true);
    expect(c.isAvailable('127.0.0.1', 2)).toBe(false);
  });

  it('update keeps the state of remaining servers, adds new ones Unchecked, stops checking removed ones', async () => {
    const a = await backend();
    const b = await backend();
    const gone = await backend();
    gone.status = 500;
    const config = healthConfig({ interval: 1, unhealthyThreshold: 2 });
    const c = checker('sgp-e', config, [
      { address: '127.0.0.1', port: a.port, weight: 1 },
      { address: '127.0.0.1', port: gone.port, weight: 1 },
    ], { secondMs: FAST });
    c.start();
    await waitUntil(() => c.stateOf('127.0.0.1', a.port) === 'Healthy' && c.stateOf('127.0.0.1', gone.port) === 'Unhealthy', POLL);

    c.update(config, [
      { address: '127.0.0.1', port: b.port, weight: 5 },
      { address: '127.0.0.1', port: a.port, weight: 2 },
    ]);
    expect(c.health().map((h) => [h.port, h.state])).toEqual([
      [b.port, 'Unchecked'],
      [a.port, 'Healthy'],
    ]);
    const goneHits = gone.hits;
    await waitUntil(() => c.stateOf('127.0.0.1', b.port) === 'Healthy', POLL);
    await new Promise((r) => setTimeout(r, 300));
    expect(gone.hits).toBe(goneHits);
    expect(c.stateOf('127.0.0.1', gone.port)).toBeUndefined();
  });

  it('turning checks off by update makes servers Unchecked; a changed check applies at once', async () => {
    const b = await backend();
    b.status = 404;
    const transitions: HealthTransition[] = [];
    const servers = [{ address: '127.0.0.1', port: b.port, weight: 1 }];
    const c = checker('sgp-f', healthConfig({ interval: 1, unhealthyThreshold: 2 }), servers, { secondMs: FAST, onTransition: (t) => transitions.push(t) });
    c.start();
    await waitUntil(() => c.stateOf('127.0.0.1', b.port) === 'Unhealthy', POLL);
    c.update(healthConfig({ interval: 1, unhealthyThreshold: 2, healthyThreshold: 2, codes: ['http_4xx'] }), servers);
    await waitUntil(() => c.stateOf('127.0.0.1', b.port) === 'Healthy', POLL);
    c.update(healthConfig({ enabled: false }), servers);
    expect(c.stateOf('127.0.0.1', b.port)).toBe('Unchecked');
    expect(transitions.map((t) => t.to)).toEqual(['Unhealthy', 'Healthy', 'Unchecked']);
    const hits = b.hits;
    await new Promise((r) => setTimeout(r, 300));
    expect(b.hits).toBe(hits);
  });

  it('close stops checking, is idempotent, and start after close does nothing', async () => {
    const b = await backend();
    const c = checker('sgp-g', healthConfig({ interval: 1 }), [{ address: '127.0.0.1', port: b.port, weight: 1 }], { secondMs: FAST });
    c.start();
    c.start();
    await waitUntil(() => b.hits >= 2, POLL);
    await c.close();
    await c.close();
    c.start();
    const hits = b.hits;
    await new Promise((r) => setTimeout(r, 300));
    expect(b.hits).toBe(hits);
  });

  it('close aborts a check in flight', async () => {
    const silent = http.createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const port = (silent.address() as net.AddressInfo).port;
    const c = new HealthChecker('sgp-h', healthConfig({ timeout: 300 }), [{ address: '127.0.0.1', port, weight: 1 }]);
    c.start();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('real clock: interval 1 s, unhealthy after 2 failures within a few seconds', async () => {
    const b = await backend();
    const c = checker('sgp-i', healthConfig({ interval: 1, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2 }), [{ address: '127.0.0.1', port: b.port, weight: 1 }]);
    c.start();
    await waitUntil(() => c.stateOf('127.0.0.1', b.port) === 'Healthy', POLL);
    b.status = 502;
    const started = Date.now();
    await waitUntil(() => c.stateOf('127.0.0.1', b.port) === 'Unhealthy', POLL);
    const elapsed = Date.now() - started;
    // Two failing checks one second apart: at least ~1 s, at most ~2 s plus slack.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4000);
  });
});
