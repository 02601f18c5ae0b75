/**
 * The node's access log from several workers: chunks that end mid-line are held back until the
 * line is complete, so lines of different workers interleave whole; a slow destination pauses
 * the pipes; a half line left by a dying worker, or one longer than the bound, is dropped and
 * counted rather than written.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AccessLogMerge, MAX_PARTIAL_LINE } from '../../../server/workers/access-log-merge.ts';

function record(worker: number, n: number): string {
  return `${JSON.stringify({ worker, n, path: `/${'x'.repeat(n % 50)}` })}\n`;
}

describe('AccessLogMerge', () => {
  it('forwards whole lines only, whatever the chunking of each pipe', async () => {
    const lines: string[] = [];
    const merge = new AccessLogMerge({ line: (l) => lines.push(l) });
    const pipes = [new PassThrough(), new PassThrough()];
    for (const p of pipes) merge.add(p);
    const texts = pipes.map((_, w) => Array.from({ length: 200 }, (_, n) => record(w, n)).join(''));
    // Both pipes in 7-byte and 11-byte pieces, alternating: every line is split somewhere.
    const sizes = [7, 11];
    const offsets = [0, 0];
    while (offsets.some((o, w) => o < texts[w]!.length)) {
      for (let w = 0; w < 2; w++) {
        if (offsets[w]! >= texts[w]!.length) continue;
        pipes[w]!.write(texts[w]!.slice(offsets[w], offsets[w]! + sizes[w]!));
        offsets[w]! += sizes[w]!;
      }
      await new Promise((r) => setImmediate(r));
    }
    for (const p of pipes) p.end();
    await merge.drained();
    expect(lines).toHaveLength(400);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    for (const w of [0, 1]) expect(lines.filter((l) => JSON.parse(l).worker === w).map((l) => JSON.parse(l).n)).toEqual([...Array(200).keys()]);
    expect(merge.droppedLines).toBe(0);
  });

  it('writes to a stream in whole-line blocks and pauses the pipes while the stream is full', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, done) {
        written.push(chunk.toString());
        release = done;
      },
    });
    const merge = new AccessLogMerge({ stream: slow });
    const pipe = new PassThrough();
    merge.add(pipe);
    pipe.write(record(1, 1) + record(1, 2).slice(0, 5));
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([record(1, 1)]);
    expect(pipe.isPaused()).toBe(true);
    pipe.write(record(1, 2).slice(5));
    await new Promise((r) => setImmediate(r));
    expect(written).toHaveLength(1);
    // The stream takes the first block: the pipe resumes and the completed line follows.
    release!();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(written.join('')).toBe(record(1, 1) + record(1, 2));
    release!();
    pipe.end();
    await merge.drained();
  });

  it('drops a half line a worker left when it died, and a line past the bound', async () => {
    const lines: string[] = [];
    const merge = new AccessLogMerge({ line: (l) => lines.push(l) });
    const dying = new PassThrough();
    merge.add(dying);
    dying.write(record(1, 1) + '{"half":');
    dying.destroy();
    const long = new PassThrough();
    merge.add(long);
    long.write('x'.repeat(MAX_PARTIAL_LINE));
    long.write('x'.repeat(16));
    long.write('\n' + record(2, 2));
    long.end();
    await merge.drained();
    expect(lines).toEqual([record(1, 1), record(2, 2)]);
    expect(merge.droppedLines).toBe(2);
  });
});
