/**
 * SPEC §3 If-Match over real sockets: 50 parallel PUTs carrying the same If-Match → exactly one
 * succeeds, the other 49 get 412 VERSION_MISMATCH; and 413 for a body over 1 MiB on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { LiveServer } from './support/live.ts';

let live: LiveServer;

beforeAll(async () => {
  live = await LiveServer.start();
});
afterAll(async () => {
  await live?.close();
});

describe('optimistic concurrency', () => {
  it('50 parallel PUTs with the same If-Match: exactly one succeeds', async () => {
    const sg = await live.create('server-groups', { name: 'contended' });
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => live.call('PUT', `/v1/server-groups/${sg.id}`, { name: `writer-${i}` }, { 'if-match': '"1"' })),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(replies.filter((r) => r.status === 412 && r.body.code === 'VERSION_MISMATCH')).toHaveLength(49);
    const final = await live.call('GET', `/v1/server-groups/${sg.id}`);
    expect(final.body.version).toBe(2);
    expect(final.body.name).toBe(ok[0]!.body.name);
  });

  it('50 parallel creates of one port: exactly one listener gets it', async () => {
    const lb = await live.create('load-balancers', { name: 'race' });
    const sg = await live.create('server-groups', { name: 'race' });
    const port = await freePort();
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => live.call('POST', '/v1/listeners?dryRun=false', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409 && r.body.code === 'PORT_CONFLICT')).toHaveLength(49);
  });

  it('a body over 1 MiB is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await live.call('POST', '/v1/load-balancers', { name: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
