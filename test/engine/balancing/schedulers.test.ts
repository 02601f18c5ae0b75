/**
 * SPEC E14 schedulers. On their own: Wlc picks the lowest active-connections/weight; Sch hashes
 * the client IP consistently; weight 0 gets nothing; unhealthy members get nothing (members are
 * the engine's real Backend objects, whose pools never connect here and are closed after).
 * Through a real engine: Wrr is smooth weighted round robin (exact shares per cycle); Wlc sends
 * new requests to the lowest active/weight; Sch keeps each client IP on one server (the client
 * IP from Retrieve Client IP when it is on); weight 0 gets nothing.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SourceIpHash } from '../../../engine/balancing/sch.ts';
import { WeightedLeastConnections } from '../../../engine/balancing/wlc.ts';
import { Backend } from '../../../engine/upstream/backend.ts';
import { BackendPool } from '../../../engine/upstream/backend-pool.ts';
import { UpstreamClock } from '../../../engine/upstream/upstream-clock.ts';
import { eventually } from '../../helpers/eventually.ts';
import { ProxyFixture } from '../support/proxy-fixture.ts';
import { okResponse } from '../support/raw-backend.ts';
import { askBodies, RawClient } from '../support/raw-client.ts';
import { buildSnapshotParts, DEFAULT_FORWARDED_HEADERS } from '../support/snapshots.ts';

const clock = new UpstreamClock();
const pools: BackendPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(0)));
  clock.close();
});

function backend(port: number, weight: number, address = '10.0.0.1'): Backend {
  const pool = new BackendPool('HTTP', address, port, clock);
  pools.push(pool);
  return new Backend({ address, port, weight }, pool);
}

let fx: ProxyFixture;
afterEach(async () => fx?.close());

function count(picks: (Backend | undefined)[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const b of picks) if (b) m.set(b.port, (m.get(b.port) ?? 0) + 1);
  return m;
}

/** ip returns a deterministic, well-spread IPv4 address for i. */
function ip(i: number): string {
  const x = (Math.imul(i + 1, 2654435761) >>> 0) ^ (i * 7919);
  return `${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

describe('Wlc', () => {
  it('picks the member with the lowest active/weight', () => {
    const a = backend(1, 1);
    const b = backend(2, 3);
    const c = backend(3, 2);
    a.activeRequests = 2; // 2
    b.activeRequests = 3; // 1
    c.activeRequests = 1; // 0.5
    const wlc = new WeightedLeastConnections([a, b, c]);
    expect(wlc.pick()).toBe(c);
    c.activeRequests = 4; // 2
    expect(wlc.pick()).toBe(b);
  });

  it('ties share by weight (smooth), so an idle group is not all sent to one member', () => {
    const a = backend(1, 3);
    const b = backend(2, 1);
    const wlc = new WeightedLeastConnections([a, b]);
    const picks = Array.from({ length: 400 }, () => wlc.pick());
    expect(count(picks)).toEqual(new Map([[1, 300], [2, 100]]));
    // Smooth: every window of four picks already holds the 3:1 share.
    expect(picks.slice(0, 4).map((p) => p!.port).sort()).toEqual([1, 1, 1, 2]);
  });

  it('under load the active counts follow the weights', () => {
    const members = [backend(1, 1), backend(2, 2), backend(3, 5)];
    const wlc = new WeightedLeastConnections(members);
    for (let i = 0; i < 800; i++) wlc.pick()!.activeRequests++;
    expect(members.map((m) => m.activeRequests)).toEqual([100, 200, 500]);
  });

  it('a member with long requests gets fewer new ones', () => {
    const slow = backend(1, 1);
    const fast = backend(2, 1);
    const wlc = new WeightedLeastConnections([slow, fast]);
    // Requests to `fast` finish at once; `slow` keeps every request it gets.
    const picks: Backend[] = [];
    for (let i = 0; i < 100; i++) {
      const b = wlc.pick()!;
      picks.push(b);
      if (b === slow) slow.activeRequests++;
    }
    expect(count(picks).get(1)).toBe(1);
    expect(count(picks).get(2)).toBe(99);
  });

  it('weight 0 and unhealthy members get nothing; none in rotation → undefined', () => {
    const zero = backend(1, 0);
    const sick = backend(2, 5);
    sick.state = 'Unhealthy';
    const ok = backend(3, 1);
    ok.activeRequests = 50;
    const wlc = new WeightedLeastConnections([zero, sick, ok]);
    expect(new Set(Array.from({ length: 50 }, () => wlc.pick()))).toEqual(new Set([ok]));
    ok.state = 'Unhealthy';
    expect(wlc.pick()).toBeUndefined();
    expect(new WeightedLeastConnections([]).pick()).toBeUndefined();
  });
});

describe('Sch', () => {
  it('the same client IP always gets the same member, across scheduler instances', () => {
    const members = [backend(1, 1), backend(2, 1), backend(3, 1), backend(4, 1)];
    const one = new SourceIpHash(members);
    const two = new SourceIpHash([...members]);
    for (let i = 0; i < 500; i++) {
      const first = one.pick({ clientIp: ip(i) });
      expect(one.pick({ clientIp: ip(i) })).toBe(first);
      expect(two.pick({ clientIp: ip(i) })).toBe(first);
    }
    expect(one.pick({ clientIp: '::ffff:192.0.2.7' })).toBe(one.pick({ clientIp: '192.0.2.7' }));
  });

  it('spreads clients in proportion to weight', () => {
    const sch = new SourceIpHash([backend(1, 1), backend(2, 2), backend(3, 3)]);
    const shares = count(Array.from({ length: 30_000 }, (_, i) => sch.pick({ clientIp: ip(i) })));
    expect(shares.get(1)! / 5000).toBeGreaterThan(0.75);
    expect(shares.get(1)! / 5000).toBeLessThan(1.25);
    expect(shares.get(2)! / 10_000).toBeGreaterThan(0.8);
    expect(shares.get(2)! / 10_000).toBeLessThan(1.2);
    expect(shares.get(3)! / 15_000).toBeGreaterThan(0.8);
    expect(shares.get(3)! / 15_000).toBeLessThan(1.2);
  });

  it('IPv6 clients hash too', () => {
    const sch = new SourceIpHash([backend(1, 1), backend(2, 1)]);
    const shares = count(Array.from({ length: 2000 }, (_, i) => sch.pick({ clientIp: `2001:db8::${i.toString(16)}` })));
    expect(shares.get(1)).toBeGreaterThan(600);
    expect(shares.get(2)).toBeGreaterThan(600);
  });

  it('weight 0 gets nothing', () => {
    const sch = new SourceIpHash([backend(1, 0), backend(2, 1)]);
    expect(count(Array.from({ length: 1000 }, (_, i) => sch.pick({ clientIp: ip(i) })))).toEqual(new Map([[2, 1000]]));
  });

  it('an unhealthy member moves only its own clients, and gets them back', () => {
    const members = [backend(1, 1), backend(2, 1), backend(3, 1), backend(4, 1)];
    const sch = new SourceIpHash(members);
    const before = Array.from({ length: 4000 }, (_, i) => sch.pick({ clientIp: ip(i) })!);
    members[1]!.state = 'Unhealthy';
    const during = Array.from({ length: 4000 }, (_, i) => sch.pick({ clientIp: ip(i) })!);
    for (let i = 0; i < before.length; i++) {
      if (before[i] === members[1]) expect(during[i]).not.toBe(members[1]);
      else expect(during[i]).toBe(before[i]);
    }
    // Its clients spread over the others rather than all landing on one.
    const moved = count(during.filter((_, i) => before[i] === members[1]));
    expect(moved.size).toBeGreaterThan(1);
    members[1]!.state = 'Healthy';
    expect(Array.from({ length: 4000 }, (_, i) => sch.pick({ clientIp: ip(i) }))).toEqual(before);
  });

  it('removing a member from the group keeps everyone else where they were', () => {
    const members = [backend(1, 1), backend(2, 1), backend(3, 1), backend(4, 1)];
    const before = new SourceIpHash(members);
    const after = new SourceIpHash([members[0]!, members[2]!, members[3]!]);
    for (let i = 0; i < 4000; i++) {
      const was = before.pick({ clientIp: ip(i) });
      if (was !== members[1]) expect(after.pick({ clientIp: ip(i) })).toBe(was);
    }
  });

  it('nothing in rotation → undefined', () => {
    const a = backend(1, 1);
    a.state = 'Unhealthy';
    expect(new SourceIpHash([a]).pick({ clientIp: '1.2.3.4' })).toBeUndefined();
    expect(new SourceIpHash([]).pick({ clientIp: '1.2.3.4' })).toBeUndefined();
  });
});

function tally(list: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const x of list) t[x] = (t[x] ?? 0) + 1;
  return t;
}

describe('E14: Wrr, Wlc and Sch through a running listener', () => {
  it('Wrr: weights 3:2:1:0 give exactly 30/20/10/0 of 60 requests, interleaved', async () => {
    fx = new ProxyFixture();
    const [a, b, c, d] = await fx.namedBackends('a', 'b', 'c', 'd');
    await fx.apply(buildSnapshotParts({ backends: [{ port: a!.port, weight: 3 }, { port: b!.port, weight: 2 }, { port: c!.port, weight: 1 }, { port: d!.port, weight: 0 }] }));
    const seen = await askBodies(fx.port('lsn-1'), 60);
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
    await eventually(() => expect(a.requests.length + b.requests.length).toBe(1), 5000, 25);
    const busy = a.requests.length === 1 ? 'a' : 'b';
    const seen = await askBodies(port, 10);
    expect(seen.every((n) => n !== busy)).toBe(true);
    expect((await holder.response()).body.toString()).toBe(`${busy} held`);
    holder.close();
    // Idle again: both share requests by weight.
    expect(new Set(await askBodies(port, 4)).size).toBe(2);
  });

  it('Sch: each client IP (Retrieve Client IP on) always reaches the same server; all weighted servers are used, weight 0 none', async () => {
    fx = new ProxyFixture();
    const [a, b, c, z] = await fx.namedBackends('a', 'b', 'c', 'z');
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
