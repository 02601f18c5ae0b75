/**
 * EngineOptions.reusePort: engines that bind with SO_REUSEPORT (one per worker) accept on the
 * same address and port, the kernel spreads new connections between them, and one closing
 * leaves the port served by the other. A port held by a socket bound without it is still a
 * listener's failure, whichever side came first.
 */
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessLogRecord } from '../../../engine/index.ts';
import { freePort } from '../../helpers/free-port.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpListener, serverGroup } from '../support/snapshots.ts';

/** getStatus sends GET / on a new connection and resolves with the status. */
function getStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('engines bound with reusePort', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function harness(options: ConstructorParameters<typeof EngineHarness>[0] = {}): EngineHarness {
    const h = new EngineHarness(options);
    cleanups.push(() => h.close());
    return h;
  }

  it('two engines accept on the same port, both take connections, and one closing leaves the port served', async () => {
    const port = await freePort();
    const served = [0, 0];
    const first = harness({ reusePort: true, accessLog: () => void served[0]!++ });
    const second = harness({ reusePort: true, accessLog: (_r: AccessLogRecord) => void served[1]!++ });
    const backend = await first.backend('a');
    const snapshot = buildSnapshot({ version: 1, listeners: [httpListener('lsn-shared', 'sgp-a', { port })], serverGroups: [serverGroup('sgp-a', [{ port: backend.port }])] });
    expect(portOf(await first.apply(snapshot), 'lsn-shared')).toBe(port);
    expect(portOf(await second.apply(snapshot), 'lsn-shared')).toBe(port);

    for (let i = 0; i < 40; i++) expect(await getStatus(port)).toBe(200);
    expect(served[0]! + served[1]!).toBe(40);
    // 40 connections from different source ports: all on one engine would be a 1 in 2^39 chance.
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);

    await first.engine.close(1000);
    const before = served[1]!;
    for (let i = 0; i < 10; i++) expect(await getStatus(port)).toBe(200);
    expect(served[1]! - before).toBe(10);
  });

  it('a port held by a socket bound without reusePort fails the listener', async () => {
    const holder: Server = createServer();
    await new Promise<void>((done) => holder.listen({ port: 0, host: '127.0.0.1' }, done));
    cleanups.push(() => new Promise<void>((done) => holder.close(() => done())));
    const port = (holder.address() as { port: number }).port;
    const h = harness({ reusePort: true });
    const backend = await h.backend('a');
    const result = await h.apply(buildSnapshot({ version: 1, listeners: [httpListener('lsn-taken', 'sgp-a', { port })], serverGroups: [serverGroup('sgp-a', [{ port: backend.port }])] }));
    const state = result.listeners.find((l) => l.id === 'lsn-taken')!;
    expect(state.status).toBe('Failed');
    expect(state.statusReason).toMatch(new RegExp(`port ${port} is already in use`));
  });

  it('an engine without reusePort cannot take a port engines with it hold', async () => {
    const port = await freePort();
    const sharing = harness({ reusePort: true });
    const backend = await sharing.backend('a');
    const snapshot = buildSnapshot({ version: 1, listeners: [httpListener('lsn-port', 'sgp-a', { port })], serverGroups: [serverGroup('sgp-a', [{ port: backend.port }])] });
    expect(portOf(await sharing.apply(snapshot), 'lsn-port')).toBe(port);
    const plain = harness();
    const state = (await plain.apply(snapshot)).listeners.find((l) => l.id === 'lsn-port')!;
    expect(state.status).toBe('Failed');
    expect(state.statusReason).toMatch(new RegExp(`port ${port} is already in use`));
  });
});
