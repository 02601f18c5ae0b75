/**
 * Server-mode sticky sessions shared between engines (the workers of one node behind one port):
 * what one engine's table learns goes out through EngineOptions.onServerCookie and another
 * engine applies it with Engine.rememberServerCookie — without echoing it back. Values a
 * backend deletes are forgotten everywhere, and uses refresh the share at most once per half
 * cookie timeout, which keeps the value alive on engines that only heard of it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCookieEvent } from '../../../engine/index.ts';
import { ServerCookieTable } from '../../../engine/balancing/server-cookie-table.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { okResponse, type RawBackend } from '../support/raw-backend.ts';
import { askBodies, RawClient } from '../support/raw-client.ts';
import { buildSnapshotParts, type SnapshotParts } from '../support/snapshots.ts';
import { sleep } from '../../helpers/eventually.ts';

const fixtures: ProxyFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

interface Heard {
  readonly event: ServerCookieEvent;
  readonly at: number;
}

/** Node is engines A and B wired both ways, engine C on its own, and the events each emitted. */
interface Node {
  a: ProxyFixture;
  b: ProxyFixture;
  c: ProxyFixture;
  fromA: Heard[];
  fromB: Heard[];
  who: string;
  backends: RawBackend[];
}

/** A backend answering /login with its session cookie and /logout by deleting it. */
function sessionBackend(fx: ProxyFixture, name: string): Promise<RawBackend> {
  return fx.backend((req) => {
    if (req.requestLine.startsWith('GET /login')) return okResponse(name, `Set-Cookie: SESSIONID=s-${name}; Path=/; HttpOnly\r\n`);
    if (req.requestLine.startsWith('GET /logout')) return okResponse(name, `Set-Cookie: SESSIONID=s-${name}; Max-Age=0; Path=/\r\n`);
    return okResponse(name);
  });
}

async function node(cookieTimeout: number): Promise<Node> {
  const fromA: Heard[] = [];
  const fromB: Heard[] = [];
  const a: ProxyFixture = new ProxyFixture({
    onServerCookie: (event) => {
      fromA.push({ event, at: Date.now() });
      b.engine.rememberServerCookie(event);
    },
  });
  const b: ProxyFixture = new ProxyFixture({
    onServerCookie: (event) => {
      fromB.push({ event, at: Date.now() });
      a.engine.rememberServerCookie(event);
    },
  });
  const c = new ProxyFixture();
  fixtures.push(a, b, c);
  const backends = await Promise.all(['x', 'y', 'z'].map((n) => sessionBackend(a, n)));
  const parts: SnapshotParts = buildSnapshotParts({
    backends: backends.map((x) => x.port),
    group: { stickySession: { enabled: true, type: 'Server', cookieTimeout, cookie: 'SESSIONID' } },
  });
  await Promise.all([a.apply(parts), b.apply(parts), c.apply(parts)]);
  const login = await RawClient.connect(a.port('lsn-1'));
  login.send('GET /login HTTP/1.1\r\nHost: a\r\n\r\n');
  const who = (await login.response()).body.toString();
  login.close();
  return { a, b, c, fromA, fromB, who, backends };
}

function cookie(who: string): string {
  return `Cookie: SESSIONID=s-${who}\r\n`;
}

describe('Server-mode sticky sessions shared between engines', () => {
  it('a cookie set through engine A routes to the same server through engine B, and nothing echoes back', async () => {
    const n = await node(60);
    expect(n.fromA.map((h) => h.event)).toEqual([{ groupId: 'sgp-1', value: `s-${n.who}`, server: `127.0.0.1:${n.backends[['x', 'y', 'z'].indexOf(n.who)]!.port}` }]);
    expect(new Set(await askBodies(n.b.port('lsn-1'), 9, cookie(n.who)))).toEqual(new Set([n.who]));
    // Control: engine C heard nothing and schedules the value like any other.
    expect(new Set(await askBodies(n.c.port('lsn-1'), 9, cookie(n.who))).size).toBe(3);
    // B applied it without telling anyone (no echo), and its uses within half a timeout share nothing.
    expect(n.fromB).toEqual([]);
    // A repeat of the unchanged mapping through A (a second login on the same server) is not shared again.
    await askBodies(n.a.port('lsn-1'), 3, cookie(n.who));
    const again = await RawClient.connect(n.a.port('lsn-1'));
    again.send(`GET /login HTTP/1.1\r\nHost: a\r\n${cookie(n.who)}\r\n`);
    expect((await again.response()).body.toString()).toBe(n.who);
    again.close();
    expect(n.fromA).toHaveLength(1);
  });

  it('a value the backend deletes through engine A is forgotten by engine B', async () => {
    const n = await node(60);
    const logout = await RawClient.connect(n.a.port('lsn-1'));
    logout.send(`GET /logout HTTP/1.1\r\nHost: a\r\n${cookie(n.who)}\r\n`);
    expect((await logout.response()).body.toString()).toBe(n.who);
    logout.close();
    expect(n.fromA.map((h) => h.event)).toEqual([expect.objectContaining({ server: expect.any(String) }), { groupId: 'sgp-1', value: `s-${n.who}`, server: undefined }]);
    expect(new Set(await askBodies(n.b.port('lsn-1'), 9, cookie(n.who))).size).toBe(3);
    expect(n.fromB).toEqual([]);
  });

  it('uses refresh the share at most once per half timeout, keeping the value alive on the engine that only heard of it', async () => {
    // cookieTimeout 1 s: a refresh may go out every 500 ms; B's copy would expire 1 s after it was heard.
    const n = await node(1);
    const client = await RawClient.connect(n.a.port('lsn-1'));
    const until = Date.now() + 1300;
    while (Date.now() < until) {
      client.send(`GET / HTTP/1.1\r\nHost: a\r\n${cookie(n.who)}\r\n`);
      expect((await client.response()).body.toString()).toBe(n.who);
      await sleep(20);
    }
    client.close();
    const times = n.fromA.map((h) => h.at);
    // The login plus two refreshes (at ≥ 500 and ≥ 1000 ms), each at least half a timeout after the one before.
    expect(n.fromA).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(495);
    expect(n.fromA.every((h) => h.event.server === n.fromA[0]!.event.server)).toBe(true);
    // 1.3 s after B first heard of the value, B still pins it: the refreshes kept it alive.
    expect(new Set(await askBodies(n.b.port('lsn-1'), 9, cookie(n.who)))).toEqual(new Set([n.who]));
  });
});

describe('ServerCookieTable sharing', () => {
  it('shares new and moved mappings, deletions of held values and refreshes older than half the timeout; never what it applied', () => {
    const shared: [string, string | undefined][] = [];
    const table = new ServerCookieTable(1000, { share: (value, server) => shared.push([value, server]) });
    table.remember('v', 's1', 0);
    table.remember('v', 's1', 100);
    expect(table.serverFor('v', 499)).toBe('s1');
    expect(shared).toEqual([['v', 's1']]);
    expect(table.serverFor('v', 500)).toBe('s1');
    expect(table.serverFor('v', 600)).toBe('s1');
    table.remember('v', 's1', 900);
    expect(shared).toEqual([['v', 's1'], ['v', 's1']]);
    table.remember('v', 's2', 950);
    expect(shared.at(-1)).toEqual(['v', 's2']);
    shared.length = 0;

    table.apply('w', 's3', 1000);
    expect(table.serverFor('w', 1400)).toBe('s3');
    table.applyForget('v');
    expect(table.serverFor('v', 1400)).toBeUndefined();
    table.forget('unknown');
    expect(shared).toEqual([]);
    // An applied mapping counts as shared when heard: its first refresh comes half a timeout later.
    expect(table.serverFor('w', 1500)).toBe('s3');
    expect(shared).toEqual([['w', 's3']]);
    table.forget('w');
    expect(shared.at(-1)).toEqual(['w', undefined]);
    // An expired value learned again is new.
    table.remember('x', 's1', 2000);
    table.remember('x', 's1', 3100);
    expect(shared.slice(-2)).toEqual([['x', 's1'], ['x', 's1']]);
  });

  it('without a share hook nothing is called and the table works as before', () => {
    const table = new ServerCookieTable(1000, { maxEntries: 1 });
    table.remember('a', 's1', 0);
    table.remember('b', 's2', 0);
    expect(table.size).toBe(1);
    expect(table.serverFor('a', 1)).toBeUndefined();
    expect(table.serverFor('b', 1)).toBe('s2');
  });
});
