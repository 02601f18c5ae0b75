/**
 * E14 and SPEC 1.6 stickySession through a real engine: Wrr is smooth weighted round robin
 * (exact shares per cycle); Wlc sends new requests to the lowest active/weight; Sch keeps each
 * client IP on one server (the client IP from Retrieve Client IP when it is on); weight 0 gets
 * nothing; sticky sessions pin a client by the inserted cookie (Insert) or by the backend's own
 * cookie (Server) while the pinned server is in rotation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FORWARDED_HEADERS } from '../engine/support/snapshots.ts';
import { buildSnapshotParts } from './support/parts.ts';
import { okResponse, type RawBackend } from './support/raw-backend.ts';
import { RawClient } from './support/raw-client.ts';
import { ProxyFixture, eventually } from './support/proxy-fixture.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

/** named starts backends that answer with their name. */
async function named(...names: string[]): Promise<RawBackend[]> {
  return Promise.all(names.map((n) => fx.backend(() => okResponse(n))));
}

/** ask sends requests over one kept-alive connection and returns the bodies (backend names). */
async function ask(port: number, count: number, extra = ''): Promise<string[]> {
  const client = await RawClient.connect(port);
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    client.send(`GET /${i} HTTP/1.1\r\nHost: a\r\n${extra}\r\n`);
    seen.push((await client.response()).body.toString());
  }
  client.close();
  return seen;
}

function tally(list: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const x of list) t[x] = (t[x] ?? 0) + 1;
  return t;
}

describe('E14 schedulers', () => {
  it('Wrr: weights 3:2:1:0 give exactly 30/20/10/0 of 60 requests, interleaved', async () => {
    fx = new ProxyFixture();
    const [a, b, c, d] = await named('a', 'b', 'c', 'd');
    await fx.apply(buildSnapshotParts({ backends: [{ port: a!.port, weight: 3 }, { port: b!.port, weight: 2 }, { port: c!.port, weight: 1 }, { port: d!.port, weight: 0 }] }));
    const seen = await ask(fx.port('lsn-1'), 60);
    expect(tally(seen)).toEqual({ a: 30, b: 20, c: 10 });
    // Smooth: one cycle of six is a b a c b a, never a a a b b c.
    expect(seen.slice(0, 6)).toEqual(['a', 'b', 'a', 'c', 'b', 'a']);
    expect(d!.requests).toHaveLength(0);
  });

  it('Wlc: while one server holds a long request, new requests go to the idle one', async () => {
    fx = new ProxyFixture();
    const make = (name: string) =>
      fx.backend((req) => {
        if (!req.requestLine.startsWith('GET /hold')) return okResponse(name);
        return { delayMs: 1500, reply: okResponse(`${name} held`) };
      });
    const [a, b] = [await make('a'), await make('b')];
    await fx.apply(buildSnapshotParts({ backends: [a.port, b.port], group: { scheduler: 'Wlc' } }));
    const port = fx.port('lsn-1');
    const holder = await RawClient.connect(port);
    holder.send('GET /hold HTTP/1.1\r\nHost: a\r\n\r\n');
    await eventually(() => expect(a.requests.length + b.requests.length).toBe(1));
    const busy = a.requests.length === 1 ? 'a' : 'b';
    const seen = await ask(port, 10);
    expect(seen.every((n) => n !== busy)).toBe(true);
    expect((await holder.response()).body.toString()).toBe(`${busy} held`);
    holder.close();
    // Idle again: both share requests by weight.
    expect(new Set(await ask(port, 4)).size).toBe(2);
  });

  it('Sch: each client IP (Retrieve Client IP on) always reaches the same server; all weighted servers are used, weight 0 none', async () => {
    fx = new ProxyFixture();
    const [a, b, c, z] = await named('a', 'b', 'c', 'z');
    await fx.apply(
      buildSnapshotParts({
        backends: [a!.port, b!.port, c!.port, { port: z!.port, weight: 0 }],
        group: { scheduler: 'Sch' },
        listener: { forwardedHeaders: { ...DEFAULT_FORWARDED_HEADERS, clientIp: { enabled: true, trustedProxies: ['0.0.0.0/0'] } } },
      }),
    );
    const port = fx.port('lsn-1');
    const client = await RawClient.connect(port);
    const chosen = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        const ip = `198.51.${i}.${(i * 7) % 250}`;
        client.send(`GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: ${ip}, 10.0.0.1\r\n\r\n`);
        const name = (await client.response()).body.toString();
        if (round === 0) chosen.set(ip, name);
        else expect(name).toBe(chosen.get(ip));
      }
    }
    client.close();
    expect(new Set(chosen.values())).toEqual(new Set(['a', 'b', 'c']));
    expect(z!.requests).toHaveLength(0);
  });
});

describe('sticky sessions (1.6)', () => {
  it('Insert: the engine sets a cookie naming the server with Max-Age = cookieTimeout and honours it while the server is in rotation', async () => {
    fx = new ProxyFixture();
    const [a, b, c] = await named('a', 'b', 'c');
    const group = { stickySession: { enabled: true, type: 'Insert' as const, cookieTimeout: 120 } };
    await fx.apply(buildSnapshotParts({ backends: [a!.port, b!.port, c!.port], group }));
    const port = fx.port('lsn-1');
    const client = await RawClient.connect(port);
    client.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const first = await client.response();
    const setCookie = first.header('set-cookie')!;
    expect(setCookie).toMatch(/^gatehouse-sgp-1=[0-9a-f]{16}; Max-Age=120; Path=\/; HttpOnly$/);
    const cookie = setCookie.split(';')[0]!;
    const pinned = first.body.toString();
    const again = await ask(port, 9, `Cookie: theme=dark; ${cookie}\r\n`);
    expect(new Set(again)).toEqual(new Set([pinned]));
    client.close();

    // The pinned server leaves rotation (weight 0): the client is scheduled elsewhere and re-pinned.
    const backends = [a!, b!, c!].map((x, i) => ({ port: x.port, weight: ['a', 'b', 'c'][i] === pinned ? 0 : 1 }));
    await fx.apply({ ...buildSnapshotParts({ backends, group }), version: 2 });
    const moved = await RawClient.connect(port);
    moved.send(`GET / HTTP/1.1\r\nHost: a\r\nCookie: ${cookie}\r\n\r\n`);
    const r = await moved.response();
    moved.close();
    expect(r.body.toString()).not.toBe(pinned);
    expect(r.header('set-cookie')!.split(';')[0]).not.toBe(cookie);
  });

  it('Server: a client carrying the backend cookie value a server set goes back to that server', async () => {
    fx = new ProxyFixture();
    const names = ['a', 'b', 'c'];
    const backends = await Promise.all(
      names.map((n) => fx.backend((req) => (req.requestLine.startsWith('GET /login') ? okResponse(n, `Set-Cookie: SESSIONID=s-${n}-42; Path=/; HttpOnly\r\n`) : okResponse(n)))),
    );
    await fx.apply(
      buildSnapshotParts({ backends: backends.map((b) => b.port), group: { stickySession: { enabled: true, type: 'Server', cookieTimeout: 60, cookie: 'SESSIONID' } } }),
    );
    const port = fx.port('lsn-1');
    const client = await RawClient.connect(port);
    client.send('GET /login HTTP/1.1\r\nHost: a\r\n\r\n');
    const login = await client.response();
    client.close();
    const who = login.body.toString();
    expect(login.header('set-cookie')).toBe(`SESSIONID=s-${who}-42; Path=/; HttpOnly`);
    const later = await ask(port, 9, `Cookie: SESSIONID=s-${who}-42\r\n`);
    expect(new Set(later)).toEqual(new Set([who]));
    // An unknown value is scheduled normally.
    expect(new Set(await ask(port, 6, 'Cookie: SESSIONID=forged\r\n')).size).toBe(3);
  });
});
