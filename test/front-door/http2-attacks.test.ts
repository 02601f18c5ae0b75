/**
 * HTTP/2 front end under attack (SPEC E17): Rapid Reset on one and on eight connections,
 * CONTINUATION floods with and without payload, SETTINGS and PING floods (reading and not
 * reading), streams over 128, HPACK bombs, huge header blocks, and a zero-window reader. Each
 * attack is bounded (ATTACK_MAX_MS, frame counts); each must end in GOAWAY (ENHANCE_YOUR_CALM
 * for floods and bombs, PROTOCOL_ERROR for streams over the limit) or a close within its bound,
 * with the process's resident memory growing less than 96 MB, while a well-behaved HTTP/2
 * client on another connection gets every answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../helpers/pki.ts';
import { buildSnapshotParts, httpsListener } from '../engine/support/snapshots.ts';
import { okResponse } from '../engine/support/raw-backend.ts';
import { ProxyFixture } from '../engine/support/proxy-fixture.ts';
import { ATTACKS, zeroWindowReader } from './support/h2-attacks.ts';
import { SteadyClient } from './support/steady-client.ts';

const BIG = 'z'.repeat(256 * 1024);
/** RSS_LIMIT_MB is generous (GC timing, TLS buffers) but far below what an unbounded attack reaches. */
const RSS_LIMIT_MB = 96;

/** One buffer for every answer: the in-process backend must not be what the memory bound measures. */
const BIG_RESPONSE = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n${BIG}`, 'latin1');

/**
 * ATTACK_REQUEST_TIMEOUT_S is the requestTimeout of the listener under attack: the steady
 * client's own deadline (2 s), so that its answers are bounded by that deadline and not by the
 * 1 s the zero-window test needs, which a loaded machine's scheduling alone can exceed.
 */
const ATTACK_REQUEST_TIMEOUT_S = 2;

let fx: ProxyFixture;
/** The listener the attacks and the steady client use. */
let port = 0;
/** The listener with requestTimeout 1 s the zero-window reader stalls. */
let zeroWindowPort = 0;

beforeAll(async () => {
  fx = new ProxyFixture();
  const backend = await fx.backend((req) => (req.requestLine.includes('/big') ? BIG_RESPONSE : okResponse()));
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, await createCa());
  const parts = buildSnapshotParts({ backends: [backend.port], https: leaf, listener: { idleTimeout: 1, requestTimeout: ATTACK_REQUEST_TIMEOUT_S } });
  const zeroWindow = httpsListener('lsn-zero-window', 'sgp-1', 'cert-1', {}, { idleTimeout: 1, requestTimeout: 1 });
  await fx.apply({ ...parts, listeners: [...(parts.listeners ?? []), zeroWindow] });
  port = fx.port('lsn-1');
  zeroWindowPort = fx.port('lsn-zero-window');
});
afterAll(async () => fx?.close());

const expected: Record<string, { codes: string[]; withinMs: number }> = {
  'rapid reset (HEADERS+RST_STREAM), 1 connection': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 2000 },
  'rapid reset, 8 connections': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 3000 },
  'CONTINUATION flood, empty frames': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 1000 },
  'CONTINUATION flood, with header payload': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 1000 },
  'SETTINGS flood': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 1000 },
  'SETTINGS flood, client not reading': { codes: ['ENHANCE_YOUR_CALM', 'closed'], withinMs: 2500 },
  'PING flood': { codes: ['ENHANCE_YOUR_CALM', 'closed'], withinMs: 1000 },
  'PING flood, client not reading': { codes: ['ENHANCE_YOUR_CALM', 'closed'], withinMs: 2500 },
  'streams over the 128 limit': { codes: ['PROTOCOL_ERROR'], withinMs: 1000 },
  'HPACK bomb (4 KB entry referenced 4000 times per block)': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 600 },
  'huge header blocks (64 KB in HEADERS + CONTINUATION)': { codes: ['ENHANCE_YOUR_CALM'], withinMs: 600 },
};

describe('HTTP/2 attacks end in GOAWAY or a close within their bound; memory bounded; others served', () => {
  it.each(ATTACKS.map((a) => [a.name, a] as const))('%s', async (name, attack) => {
    const want = expected[name]!;
    const steady = SteadyClient.start({ port, protocol: 'h2' });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const results = await attack.run(port);
    clearInterval(sampler);
    const stats = await steady.stop();
    for (const r of results) {
      expect(r.endedMs, `${name}: no GOAWAY or close`).toBeDefined();
      expect(r.endedMs!).toBeLessThan(want.withinMs);
      expect(want.codes).toContain(r.goaway?.codeName ?? 'closed');
    }
    expect((peak - rss0) / 1e6).toBeLessThan(RSS_LIMIT_MB);
    expect(stats.failed, stats.errors.join('; ')).toBe(0);
    expect(stats.ok).toBeGreaterThan(0);
  });

  it('a zero-window reader holds no backend connection or buffer past requestTimeout (1 s)', async () => {
    const steady = SteadyClient.start({ port, protocol: 'h2' });
    const r = await zeroWindowReader(zeroWindowPort, '/big', 100, 6000);
    const stats = await steady.stop();
    // Backend side cuts at requestTimeout (+ the 100 ms sweep), or the session closes after idleTimeout + requestTimeout.
    expect(r.endedMs, 'streams never reset').toBeDefined();
    expect(r.endedMs!).toBeLessThan(4000);
    expect(stats.failed, stats.errors.join('; ')).toBe(0);
    // A client that stops reading is not a backend error (it would count as reason "other"; a
    // steady request timed out on a loaded machine counts as "timeout" and is not this test's).
    const backendErrors = await fx.registry.getSingleMetric('gatehouse_backend_errors_total')?.get();
    expect(backendErrors?.values.filter((v) => v.labels.reason === 'other').reduce((sum, v) => sum + v.value, 0) ?? 0).toBe(0);
  });
});
