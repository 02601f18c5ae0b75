/**
 * SPEC 1.6 stickySession through a real engine: sticky sessions pin a client by the inserted
 * cookie (Insert) or by the backend's own cookie (Server) while the pinned server is in rotation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { okResponse } from '../support/raw-backend.ts';
import { askBodies, RawClient } from '../support/raw-client.ts';
import { buildSnapshotParts } from '../support/snapshots.ts';

let fx: ProxyFixture;
afterEach(async () => fx?.close());

describe('sticky sessions (SPEC 1.6)', () => {
  it('Insert: the engine sets a cookie naming the server with Max-Age = cookieTimeout and honours it while the server is in rotation', async () => {
    fx = new ProxyFixture();
    const [a, b, c] = await fx.namedBackends('a', 'b', 'c');
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
    const again = await askBodies(port, 9, `Cookie: theme=dark; ${cookie}\r\n`);
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
    const later = await askBodies(port, 9, `Cookie: SESSIONID=s-${who}-42\r\n`);
    expect(new Set(later)).toEqual(new Set([who]));
    // An unknown value is scheduled normally.
    expect(new Set(await askBodies(port, 6, 'Cookie: SESSIONID=forged\r\n')).size).toBe(3);
  });
});
