/**
 * The UDP front with real QUIC on both sides: clients of @currentspace/http3 reach, through the
 * front's one public port, the internal server holding the certificate their SNI names (the
 * client's certificate check passing proves the routing), the default one otherwise; a route
 * change sends new connections to new servers while a connection with a stream in progress
 * finishes on its old one; the servers see relay ports the front maps back to clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UdpFront, type Backend } from '../../../../engine/quic/front/udp-front.ts';
import { connect, exchange, makePki, startEcho, type EchoServer, type Pki } from './support/quic-echo.ts';
import { eventually } from '../../../helpers/eventually.ts';

const backend = (server: EchoServer): Backend => ({ host: '127.0.0.1', port: server.port });

describe('UdpFront with real QUIC', () => {
  let pki: Pki;
  let a: EchoServer;
  let b: EchoServer;
  let front: UdpFront;
  let port: number;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    pki = await makePki();
    a = await startEcho('a', pki.a);
    b = await startEcho('b', pki.b);
    front = new UdpFront({
      host: '127.0.0.1',
      port: 0,
      retiredIdleMs: 200,
      route: (name) => {
        seen.push(name);
        return name === 'b.example' ? backend(b) : backend(a);
      },
    });
    port = (await front.start()).port;
  });

  afterAll(async () => {
    await front?.close();
    await a?.server.close();
    await b?.server.close();
  });

  it('routes each connection by SNI to the server holding that name’s certificate', async () => {
    for (const [name, expected] of [['a.example', 'a'], ['b.example', 'b'], ['a.example', 'a']] as const) {
      const session = await connect(port, name, pki);
      expect(await exchange(session, `hi ${name}`)).toBe(`${expected}:hi ${name}`);
      await session.close();
    }
    expect(seen).toEqual(['a.example', 'b.example', 'a.example']);
  });

  it('sends a name no certificate holds to the default route', async () => {
    seen.length = 0;
    // a.example's certificate does not name c.example: a strict client refuses it, as it would the listener's default certificate.
    await expect(connect(port, 'c.example', pki)).rejects.toThrow();
    const lax = await connect(port, 'c.example', pki, false);
    expect(await exchange(lax, 'x')).toBe('a:x');
    await lax.close();
    // Without a servername this client sends the address it dials as the name.
    const byAddress = await connect(port, undefined, pki, false);
    expect(await exchange(byAddress, 'y')).toBe('a:y');
    await byAddress.close();
    expect(seen.slice(-2)).toEqual(['c.example', '127.0.0.1']);
  });

  it('maps the relay port a server sees back to the client', async () => {
    const before = a.sessions.length;
    const session = await connect(port, 'a.example', pki);
    expect(await exchange(session, 'who')).toBe('a:who');
    const server = a.sessions[before]!;
    expect(server.remoteAddress).toBe('127.0.0.1');
    const client = front.clientFor(server.remotePort);
    expect(client).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(client!.port).not.toBe(server.remotePort);
    expect(front.clientFor(port)).toBeUndefined();
    await session.close();
  });

  it('keeps a connection with a stream in progress on its server across a route change, and sends new ones to the new server', async () => {
    const a2 = await startEcho('a2', pki.a);
    try {
      const old = await connect(port, 'a.example', pki);
      const stream = old.openStream();
      const parts: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      const ended = new Promise<string>((resolve, reject) => {
        stream.on('end', () => resolve(Buffer.concat(parts).toString()));
        stream.on('error', reject);
      });
      stream.write(Buffer.from('first half, '));
      await eventually(() => expect(a.open.size).toBeGreaterThan(0));

      front.setRoutes((name) => (name === 'b.example' ? backend(b) : backend(a2)));

      const fresh = await connect(port, 'a.example', pki);
      expect(await exchange(fresh, 'new')).toBe('a2:new');
      stream.end(Buffer.from('second half'));
      expect(await ended).toBe('a:first half, second half');
      // The old connection still works for a new stream after the change.
      expect(await exchange(old, 'again')).toBe('a:again');
      expect(front.relayCount(backend(a))).toBeGreaterThan(0);

      await old.close();
      await fresh.close();
      await eventually(() => expect(a.open.size).toBe(0));
      // Its server has no connection left: retire it, and its relays go once idle.
      front.retire(backend(a));
      await eventually(() => expect(front.relayCount(backend(a))).toBe(0), 5000);
      expect(front.relayCount(backend(a2))).toBe(1);
    } finally {
      await a2.server.close();
    }
  });
});
