/**
 * The UDP front at the datagram level, with plain UDP sockets for clients and internal servers
 * and hand-built Initial packets: both directions relayed byte for byte, the relay port mapped
 * back to the client, ClientHellos over two datagrams, the SNI wait, route changes, and the
 * bounds — garbage, oversized datagrams, maxClients, idle expiry — and close.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpFront, type Backend, type RouteFn, type UdpFrontOptions } from '../../../../engine/quic/front/udp-front.ts';
import { eventually, sleep } from '../../../helpers/eventually.ts';
import { clientHello, cryptoFrame, protectInitial } from './support/initial-builder.ts';
import { udpPeer, type UdpPeer } from './support/udp-peer.ts';

const DCID = Buffer.from('0102030405060708', 'hex');

/** initial is a 1200-byte client Initial datagram carrying [from, to) of a ClientHello. */
function initial(hello: Buffer, from = 0, to = hello.length, pn = 0): Buffer {
  return protectInitial({ dcid: DCID, pn, frames: cryptoFrame(from, hello.subarray(from, to)), padTo: Math.max(1200, to - from + 80) });
}

const helloA = clientHello({ serverName: 'a.example' });
const helloB = clientHello({ serverName: 'b.example' });

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function peer(options: { echo?: boolean; v6?: boolean } = {}): Promise<UdpPeer> {
  const p = await udpPeer(options);
  open.push(p);
  return p;
}

async function startFront(options: Partial<UdpFrontOptions> & { route: RouteFn }): Promise<{ front: UdpFront; port: number }> {
  const front = new UdpFront({ host: '127.0.0.1', port: 0, ...options });
  open.push(front);
  const { port } = await front.start();
  return { front, port };
}

const at = (p: UdpPeer): Backend => ({ host: '127.0.0.1', port: p.port });

describe('UdpFront relaying', () => {
  it('relays both ways byte for byte and maps the relay port back to the client', async () => {
    const a = await peer({ echo: true });
    const { front, port } = await startFront({ route: () => at(a) });
    const client = await peer();
    const first = initial(helloA);
    client.send(first, port);
    await a.waitFor(1);
    expect(a.received[0]!.data.equals(first)).toBe(true);
    const relayPort = a.received[0]!.from.port;
    expect(a.received[0]!.from.address).toBe('127.0.0.1');
    expect(front.clientFor(relayPort)).toEqual({ address: '127.0.0.1', port: client.port, family: 'IPv4' });
    await client.waitFor(1);
    expect(client.received[0]!.data.equals(first)).toBe(true);
    expect(client.received[0]!.from.port).toBe(port);
    // Once relaying, any datagram goes through: short headers, tiny ones, large ones.
    for (const size of [1, 40, 1350, 9000]) client.send(Buffer.alloc(size, 0x40), port);
    await a.waitFor(5);
    expect(a.received.slice(1).map((r) => r.data.length)).toEqual([1, 40, 1350, 9000]);
    expect(a.received.every((r) => r.from.port === relayPort)).toBe(true);
    expect(front.stats()).toMatchObject({ clients: 1, droppedNotInitial: 0 });
  });

  it('routes by the name, the default without one, and gives each client its own relay', async () => {
    const a = await peer();
    const b = await peer();
    const names: Array<string | undefined> = [];
    const { front, port } = await startFront({
      route: (name) => {
        names.push(name);
        return name === 'b.example' ? at(b) : at(a);
      },
    });
    const c1 = await peer();
    const c2 = await peer();
    const c3 = await peer();
    c1.send(initial(helloB), port);
    c2.send(initial(clientHello({})), port);
    c3.send(initial(helloA), port);
    await b.waitFor(1);
    await a.waitFor(2);
    expect(names.sort()).toEqual(['a.example', 'b.example', undefined].sort());
    const clients = [...a.received, ...b.received].map((r) => front.clientFor(r.from.port)?.port).sort();
    expect(clients).toEqual([c1.port, c2.port, c3.port].sort());
  });

  it('waits for a ClientHello’s second datagram, then delivers both in order', async () => {
    const big = clientHello({ serverName: 'b.example', keyShareBytes: 1248 });
    const a = await peer();
    const b = await peer();
    const { port } = await startFront({ route: (name) => (name === 'b.example' ? at(b) : at(a)), sniWaitMs: 2000 });
    const client = await peer();
    const one = initial(big, 0, 1000, 0);
    const two = initial(big, 1000, big.length, 1);
    client.send(one, port);
    await sleep(50);
    expect(b.received.length + a.received.length).toBe(0);
    client.send(two, port);
    await b.waitFor(2);
    expect(b.received[0]!.data.equals(one)).toBe(true);
    expect(b.received[1]!.data.equals(two)).toBe(true);
    expect(a.received.length).toBe(0);
  });

  it('takes the default route when the name does not come within the SNI wait', async () => {
    const big = clientHello({ serverName: 'b.example', keyShareBytes: 1248 });
    const a = await peer();
    const b = await peer();
    const { port } = await startFront({ route: (name) => (name === 'b.example' ? at(b) : at(a)), sniWaitMs: 100 });
    const client = await peer();
    client.send(initial(big, 1000, big.length, 1), port);
    await a.waitFor(1);
    expect(b.received.length).toBe(0);
  });

  it('switches routes for new clients only', async () => {
    const a = await peer();
    const a2 = await peer();
    const { front, port } = await startFront({ route: () => at(a) });
    const old = await peer();
    old.send(initial(helloA), port);
    await a.waitFor(1);
    front.setRoutes(() => at(a2));
    const fresh = await peer();
    fresh.send(initial(helloA), port);
    await a2.waitFor(1);
    old.send(Buffer.from('still here'), port);
    await a.waitFor(2);
    expect(a.received[1]!.data.toString()).toBe('still here');
    expect(a2.received.length).toBe(1);
    expect(front.relayCount(at(a))).toBe(1);
    expect(front.relayCount(at(a2))).toBe(1);
  });

  it('lets an active relay to a retired backend live, and forgets it once idle while others stay', async () => {
    const a = await peer();
    const a2 = await peer();
    const { front, port } = await startFront({ route: () => at(a), retiredIdleMs: 300 });
    const old = await peer();
    old.send(initial(helloA), port);
    await a.waitFor(1);
    front.setRoutes(() => at(a2));
    const fresh = await peer();
    fresh.send(initial(helloA), port);
    await a2.waitFor(1);
    front.retire(at(a));
    for (let i = 0; i < 6; i += 1) {
      await sleep(100);
      old.send(Buffer.from([0x40, i]), port);
    }
    await a.waitFor(7);
    expect(front.relayCount(at(a))).toBe(1);
    await eventually(() => expect(front.relayCount(at(a))).toBe(0), 3000);
    expect(front.relayCount(at(a2))).toBe(1);
    expect(front.stats().clients).toBe(1);
  });

  it('serves an IPv6 listener', async () => {
    const a = await peer({ v6: true });
    const front = new UdpFront({ host: '::1', port: 0, route: () => ({ host: '::1', port: a.port }) });
    open.push(front);
    const { port } = await front.start();
    const client = await peer({ v6: true });
    client.send(initial(helloA), port);
    await a.waitFor(1);
    expect(a.received[0]!.from.address).toBe('::1');
    expect(front.clientFor(a.received[0]!.from.port)).toEqual({ address: '::1', port: client.port, family: 'IPv6' });
  });
});

describe('UdpFront bounds', () => {
  it('makes no state for datagrams that cannot open a QUIC connection', async () => {
    const a = await peer();
    const { front, port } = await startFront({ route: () => at(a), sniWaitMs: 50 });
    const client = await peer();
    const junk = [
      Buffer.alloc(0),
      Buffer.alloc(10, 0xc0),
      Buffer.alloc(1199, 0xc0), // under RFC 9000's 1200 bytes
      Buffer.alloc(1200, 0x40), // a short header
      Buffer.alloc(2000, 0xc0), // more than any path carries
    ];
    for (const datagram of junk) client.send(datagram, port);
    await eventually(() => expect(front.stats().droppedNotInitial).toBe(junk.length));
    expect(front.stats().clients).toBe(0);
    // A long-header datagram of the right size whose packets do not authenticate: read, then dropped.
    const fake = Buffer.alloc(1200, 0x55);
    fake[0] = 0xc3;
    fake.writeUInt32BE(1, 1);
    fake[5] = 8;
    client.send(fake, port);
    await eventually(() => expect(front.stats()).toMatchObject({ droppedUnreadable: 1, clients: 0 }));
    await sleep(50);
    expect(a.received.length).toBe(0);
  });

  it('drops new clients beyond maxClients, and lets them in once others expire', async () => {
    const a = await peer();
    const { front, port } = await startFront({ route: () => at(a), maxClients: 2, idleTimeoutMs: 300 });
    const clients = [await peer(), await peer(), await peer()];
    clients[0]!.send(initial(helloA), port);
    clients[1]!.send(initial(helloA), port);
    await a.waitFor(2);
    clients[2]!.send(initial(helloA), port);
    await eventually(() => expect(front.stats().droppedFull).toBe(1));
    expect(front.stats().clients).toBe(2);
    await eventually(() => expect(front.stats()).toMatchObject({ clients: 0, expired: 2 }), 3000);
    expect(front.clientFor(a.received[0]!.from.port)).toBeUndefined();
    clients[2]!.send(initial(helloA), port);
    await a.waitFor(3);
  });

  it('keeps an active relay past the idle time and forgets it once idle', async () => {
    const a = await peer({ echo: true });
    const { front, port } = await startFront({ route: () => at(a), idleTimeoutMs: 300 });
    const client = await peer();
    client.send(initial(helloA), port);
    await a.waitFor(1);
    for (let i = 0; i < 8; i += 1) {
      await sleep(100);
      client.send(Buffer.from([0x40, i]), port);
    }
    expect(front.stats().clients).toBe(1);
    await eventually(() => expect(front.stats().clients).toBe(0), 3000);
  });

  it('forgets a client whose route throws, and one whose backend is gone', async () => {
    const { front, port } = await startFront({
      route: (name) => {
        if (name === 'b.example') throw new Error('no route');
        return { host: '127.0.0.1', port: closedPort };
      },
    });
    const gone = await peer();
    const closedPort = gone.port;
    await gone.close();
    open.splice(open.indexOf(gone), 1);
    const client = await peer();
    client.send(initial(helloB), port);
    await eventually(() => expect(front.stats().clients).toBe(0));
    const other = await peer();
    other.send(initial(helloA), port);
    // The relay's first send is refused (ICMP port unreachable): the relay goes.
    await sleep(100);
    other.send(Buffer.from([0x40]), port);
    await eventually(() => expect(front.stats().clients).toBe(0));
  });

  it('closes everything: the port is free again, and close is idempotent', async () => {
    const a = await peer();
    const front = new UdpFront({ host: '127.0.0.1', port: 0, route: () => at(a) });
    const { port } = await front.start();
    const client = await peer();
    client.send(initial(helloA), port);
    await a.waitFor(1);
    await front.close();
    await front.close();
    expect(front.stats().clients).toBe(0);
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(port, '127.0.0.1', () => resolve());
    });
    again.close();
    await expect(front.start()).rejects.toThrow(/closed/);
  });

  it('rejects start when the port is taken, holding nothing', async () => {
    const holder = await peer();
    const front = new UdpFront({ host: '127.0.0.1', port: holder.port, route: () => at(holder) });
    await expect(front.start()).rejects.toThrow(/EADDRINUSE/);
    expect(front.address()).toBeUndefined();
    await front.close();
  });
});
