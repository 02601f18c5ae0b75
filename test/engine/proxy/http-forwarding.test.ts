/**
 * Forwarding: an HTTP listener carries requests to its default server group over
 * keep-alive pools, smooth weighted round robin (E14's Wrr), 503 without a server in
 * rotation, 502 on a backend connection error, and apply/status/close lifecycle.
 */
import { createServer, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../engine/index.ts';
import type { AccessLogRecord } from '../../../engine/index.ts';
import { startBackend, type TestBackend } from '../support/backends.ts';
import { httpGet } from '../support/clients.ts';
import { buildSnapshot, httpListener, serverGroup } from '../support/snapshots.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function backends(...names: string[]): Promise<TestBackend[]> {
  const list = await Promise.all(names.map((n) => startBackend(n)));
  open.push(...list);
  return list;
}

function engine(options: ConstructorParameters<typeof Engine>[0] = {}): Engine {
  const e = new Engine({ drainTimeoutMs: 2000, ...options });
  open.push({ close: () => e.close(2000) });
  return e;
}

async function backendOf(port: number, agent?: Agent): Promise<string> {
  const r = await httpGet(port, '/', agent ? { agent } : {});
  expect(r.status).toBe(200);
  return (JSON.parse(r.body) as { backend: string }).backend;
}

describe('HTTP listener forwarding', () => {
  it('binds the listener, reports it Running and forwards to the default group', async () => {
    const [a] = await backends('a');
    const e = engine();
    const result = await e.apply(buildSnapshot({ version: 7, listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: a!.port }])] }));
    expect(result.version).toBe(7);
    expect(result.changed).toBe(true);
    expect(result.listeners).toEqual([{ id: 'lsn-1', kind: 'Listener', status: 'Running', version: 1, port: expect.any(Number) }]);
    expect(e.status().version).toBe(7);
    const port = result.listeners[0]!.port!;
    const r = await httpGet(port, '/path?q=1', { method: 'POST', body: 'hello', headers: { 'X-Custom-Case': 'kept' } });
    const echoed = JSON.parse(r.body) as { method: string; url: string; body: string; rawHeaders: string[] };
    expect(r.status).toBe(200);
    expect(echoed).toMatchObject({ method: 'POST', url: '/path?q=1', body: 'hello' });
    expect(echoed.rawHeaders).toContain('X-Custom-Case');
  });

  it('spreads requests by smooth weighted round robin and never picks weight 0', async () => {
    const [a, b, c] = await backends('a', 'b', 'c');
    const e = engine();
    const snap = buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: a!.port, weight: 3 }, { port: b!.port, weight: 1 }, { port: c!.port, weight: 0 }])] });
    const port = (await e.apply(snap)).listeners[0]!.port!;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push(await backendOf(port, agent));
    agent.destroy();
    // Smooth WRR with weights 3:1 interleaves: a a b a | a a b a.
    expect(seen).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
    expect(c!.hits).toBe(0);
  });

  it('answers 503 when no server can take traffic and 502 when the backend refuses connections', async () => {
    const [a] = await backends('a');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = engine();
    const result = await e.apply(
      buildSnapshot({
        listeners: [httpListener('lsn-none', 'sgp-zero'), httpListener('lsn-dead', 'sgp-dead')],
        serverGroups: [serverGroup('sgp-zero', [{ port: a!.port, weight: 0 }]), serverGroup('sgp-dead', [{ port: deadPort }])],
      }),
    );
    expect((await httpGet(result.listeners[0]!.port!)).status).toBe(503);
    expect((await httpGet(result.listeners[1]!.port!)).status).toBe(502);
    expect(a!.hits).toBe(0);
  });

  it('answers 504 when the backend does not answer within requestTimeout', async () => {
    const slow = await startBackend('slow', () => true /* never answers */);
    open.push(slow);
    const e = engine();
    const result = await e.apply(buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1', { requestTimeout: 1 })], serverGroups: [serverGroup('sgp-1', [{ port: slow.port }])] }));
    const started = Date.now();
    const r = await httpGet(result.listeners[0]!.port!);
    expect(r.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('treats an identical snapshot as a no-op and reports unchanged', async () => {
    const [a] = await backends('a');
    const e = engine();
    const snap = buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: a!.port }])] });
    const first = await e.apply(snap);
    const again = await e.apply(buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: a!.port }])] }));
    expect(again.changed).toBe(false);
    expect(again.listeners).toEqual(first.listeners);
  });

  it('reports a QUIC listener whose certificate is not in the snapshot Failed, with the reason', async () => {
    const [a] = await backends('a');
    const e = engine();
    const base = buildSnapshot({ serverGroups: [serverGroup('sgp-1', [{ port: a!.port }])] });
    const result = await e.apply({
      ...base,
      quicListeners: [{ id: 'lsn-q', version: 3, loadBalancerId: base.loadBalancers[0]!.id, port: 443, defaultServerGroupId: 'sgp-1', idleTimeout: 15, requestTimeout: 60, defaultCertificateId: 'cert-x', additionalCertificateIds: [] }],
      certificates: [],
    });
    const quic = result.listeners.find((l) => l.id === 'lsn-q');
    expect(quic).toMatchObject({ kind: 'QuicListener', status: 'Failed', version: 3 });
    expect(quic!.statusReason).toMatch(/certificate cert-x/);
  });

  it('writes one access-log record per request', async () => {
    const [a] = await backends('a');
    const records: AccessLogRecord[] = [];
    const e = engine({ accessLog: (r) => records.push(r) });
    const result = await e.apply(buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: a!.port }])] }));
    const port = result.listeners[0]!.port!;
    await httpGet(port, '/logged');
    await new Promise((r) => setTimeout(r, 50));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ listenerId: 'lsn-1', clientIp: '127.0.0.1', method: 'GET', host: `127.0.0.1:${port}`, path: '/logged', status: 200, protocol: 'HTTP/1.1', backend: `127.0.0.1:${a!.port}` });
    expect(records[0]!.bytesSent).toBeGreaterThan(0);
  });

  it('close() ends requests still in flight at the deadline', async () => {
    const hang = await startBackend('hang', () => true);
    open.push(hang);
    const e = new Engine({ drainTimeoutMs: 5000 });
    const port = (await e.apply(buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: hang.port }])] }))).listeners[0]!.port!;
    const inFlight = httpGet(port).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    while (hang.hits === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await e.close(300);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await inFlight).toMatch(/socket hang up|ECONNRESET/);
  });

  it('close() also cuts short the drain of a listener removed earlier', async () => {
    const hang = await startBackend('hang', () => true);
    open.push(hang);
    const [a] = await backends('a');
    const e = new Engine({ drainTimeoutMs: 30_000 });
    const groups = [serverGroup('sgp-hang', [{ port: hang.port }]), serverGroup('sgp-a', [{ port: a!.port }])];
    const port = (await e.apply(buildSnapshot({ version: 1, listeners: [httpListener('lsn-1', 'sgp-hang')], serverGroups: groups }))).listeners[0]!.port!;
    const inFlight = httpGet(port).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    while (hang.hits === 0) await new Promise((r) => setTimeout(r, 10));
    await e.apply(buildSnapshot({ version: 2, listeners: [httpListener('lsn-2', 'sgp-a')], serverGroups: groups }));
    const started = Date.now();
    await e.close(300);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await inFlight).toMatch(/socket hang up|ECONNRESET/);
  });

  it('close() stops accepting, lets an in-flight request finish, and is idempotent', async () => {
    let release: (() => void) | undefined;
    const slow = await startBackend('slow', (_req, res) => {
      release = () => res.end('late but complete');
      return true;
    });
    open.push(slow);
    const e = new Engine({ drainTimeoutMs: 5000 });
    const port = (await e.apply(buildSnapshot({ listeners: [httpListener('lsn-1', 'sgp-1')], serverGroups: [serverGroup('sgp-1', [{ port: slow.port }])] }))).listeners[0]!.port!;
    const inFlight = httpGet(port);
    while (!release) await new Promise((r) => setTimeout(r, 10));
    const closing = e.close(5000);
    const closingAgain = e.close(5000);
    await new Promise((r) => setTimeout(r, 100));
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
    release();
    expect((await inFlight).body).toBe('late but complete');
    await Promise.all([closing, closingAgain]);
  });
});
