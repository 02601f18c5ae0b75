/**
 * The waits and the edges of the API: a listener that never becomes Running fails after the
 * engine's timeout as an initialisation failure (it exists); Cancel stops the polling loop at
 * once; an unreachable API turns Check's live rules into a warning rather than a failure.
 * A stand-in API on a real 127.0.0.1 socket plays a listener stuck in Provisioning, which the
 * real engine cannot be made to do on purpose.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, T } from './support/fixture.ts';
import { PluginError, PluginProcess, secret } from './support/plugin.ts';

const ID = 'lsn-abcdefghijklmnopqrst';

class StuckApi {
  gets = 0;
  requests = 0;
  readonly server: Server = createServer((req: IncomingMessage, res: ServerResponse) => this.#handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const body = { id: ID, version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', loadBalancerId: 'alb-abcdefghijklmnopqrst', protocol: 'HTTP', port: 8080, defaultServerGroupId: 'sgp-abcdefghijklmnopqrst', status: 'Provisioning' };
    this.requests++;
    if (req.method === 'GET') this.gets++;
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const INPUTS = { loadBalancerId: 'alb-abcdefghijklmnopqrst', protocol: 'HTTP', port: 8080, defaultServerGroupId: 'sgp-abcdefghijklmnopqrst' };

describe('waiting for Running', () => {
  let api: StuckApi;
  let plugin: PluginProcess | undefined;
  beforeAll(async () => {
    api = new StuckApi();
    await api.start();
  });
  afterEach(async () => {
    await plugin?.close();
    plugin = undefined;
  });
  afterAll(async () => {
    await api.close();
  });

  async function configured(): Promise<PluginProcess> {
    const p = await PluginProcess.start();
    await p.handshake();
    await p.configure({ endpoint: api.url, token: secret('t') });
    return p;
  }

  it('gives up after the engine timeout with an initialisation failure that keeps the id', async () => {
    plugin = await configured();
    const started = Date.now();
    const err = await plugin.create(T.Listener, 'stuck', INPUTS, false, 1).then(
      () => undefined,
      (e: unknown) => e as PluginError,
    );
    expect(err?.message).toContain('Listener "stuck"');
    expect(err?.message).toContain('still Provisioning after 1 s');
    expect(err?.initFailed?.id).toBe(ID);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('Cancel stops the polling loop at once', async () => {
    plugin = await configured();
    const pending = plugin.create(T.Listener, 'cancelled', INPUTS).then(
      () => undefined,
      (e: unknown) => e as PluginError,
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(api.gets).toBeGreaterThan(0);
    const cancelledAt = Date.now();
    await plugin.cancel();
    const err = await pending;
    expect(Date.now() - cancelledAt).toBeLessThan(2000);
    expect(err?.message).toContain('cancelled');
    expect(err?.initFailed?.id).toBe(ID);
    const gets = api.gets;
    await new Promise((r) => setTimeout(r, 1500));
    expect(api.gets).toBe(gets);
  });
});

describe('no token', () => {
  it('Check skips the live rules; a write names the missing token and how to give it, without calling the API', async () => {
    const api = new StuckApi();
    await api.start();
    const plugin = await PluginProcess.start();
    try {
      await plugin.handshake();
      await plugin.configure({ endpoint: api.url });
      expect((await plugin.check(T.Listener, 'tokenless', {}, INPUTS)).failures).toEqual([]);
      const err = await plugin.create(T.Listener, 'tokenless', INPUTS).then(
        () => undefined,
        (e: unknown) => e as PluginError,
      );
      expect(err?.message).toBe(
        'Listener "tokenless": create failed: no Gatehouse API token: set the provider config gatehouse:token (secret) or the GATEHOUSE_TOKEN environment variable',
      );
      expect(api.requests).toBe(0);
    } finally {
      await plugin.close();
      await api.close();
    }
  });
});

describe('an unreachable API', () => {
  it('Check still validates the schema and warns that the live rules were skipped', async () => {
    const port = await freePort();
    const plugin = await PluginProcess.start();
    try {
      await plugin.handshake();
      await plugin.configure({ endpoint: `http://127.0.0.1:${port}`, token: secret('t') });
      const ok = await plugin.check(T.Listener, 'offline', {}, INPUTS);
      expect(ok.failures).toEqual([]);
      const warning = plugin.logs.find((l) => l.severity === 2 && l.message.includes('live checks skipped'));
      expect(warning?.message).toContain(`127.0.0.1:${port}`);
      // The registry's hint for API_UNREACHABLE says what to check.
      expect(warning?.message).toContain('(check the provider config gatehouse:endpoint or GATEHOUSE_ENDPOINT');
      const bad = await plugin.check(T.Listener, 'offline', {}, { ...INPUTS, port: 0 });
      expect(bad.failures.map((f) => f.property)).toEqual(['port']);
      const err = await plugin.create(T.Listener, 'offline', INPUTS).then(
        () => undefined,
        (e: unknown) => e as PluginError,
      );
      expect(err?.message).toMatch(/^Listener "offline": create failed: cannot reach the Gatehouse API/);
      expect(err?.message).toMatch(/\(check the provider config gatehouse:endpoint or GATEHOUSE_ENDPOINT, and that the Gatehouse server runs there\)$/);
    } finally {
      await plugin.close();
    }
  });
});
