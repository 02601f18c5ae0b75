/**
 * The node's access log from several workers: each worker writes JSON lines to a pipe of its
 * own, in batches that may end mid-line; the merge forwards from each pipe only up to its last
 * complete line and keeps the rest for that pipe's next chunk, so lines of different workers
 * interleave whole, never mid-line. A slow destination pauses the pipes (the workers' writers
 * then queue and, past their bound, drop and count), so the supervisor's memory stays bounded.
 */
import type { Readable, Writable } from 'node:stream';

/** MAX_PARTIAL_LINE bounds what is kept of an unfinished line; a longer one is dropped whole. */
export const MAX_PARTIAL_LINE = 1 << 20;

const NEWLINE = 0x0a;

/** AccessLogSink is where merged lines go: a stream (stdout) or one call per line (tests, embedding). */
export type AccessLogSink = { readonly stream: Writable } | { readonly line: (line: string) => void };

/** AccessLogMerge forwards whole lines from any number of worker pipes to one sink. */
export class AccessLogMerge {
  readonly #sink: AccessLogSink;
  readonly #paused = new Set<Readable>();
  readonly #open = new Set<Promise<void>>();
  #waitingDrain = false;
  #droppedLines = 0;

  constructor(sink: AccessLogSink) {
    this.#sink = sink;
  }

  /** droppedLines counts partial lines dropped for being longer than MAX_PARTIAL_LINE. */
  get droppedLines(): number {
    return this.#droppedLines;
  }

  /** add merges one worker's pipe until it ends. */
  add(pipe: Readable): void {
    let partial: Buffer | undefined;
    // After an over-long line is dropped, the rest of it (up to its newline) is dropped too.
    let skipping = false;
    const ended = new Promise<void>((resolve) => {
      pipe.on('data', (data: Buffer) => {
        let chunk = data;
        if (skipping) {
          const end = chunk.indexOf(NEWLINE);
          if (end === -1) return;
          skipping = false;
          chunk = chunk.subarray(end + 1);
        }
        const last = chunk.lastIndexOf(NEWLINE);
        if (last === -1) {
          if (chunk.length === 0) return;
          partial = partial === undefined ? Buffer.from(chunk) : Buffer.concat([partial, chunk]);
          if (partial.length > MAX_PARTIAL_LINE) {
            partial = undefined;
            skipping = true;
            this.#droppedLines++;
          }
          return;
        }
        const whole = partial === undefined ? chunk.subarray(0, last + 1) : Buffer.concat([partial, chunk.subarray(0, last + 1)]);
        partial = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
        this.#deliver(whole, pipe);
      });
      pipe.once('close', () => {
        this.#paused.delete(pipe);
        // A worker that died mid-line leaves half a record: it is not a line, so it is dropped.
        if (partial !== undefined) this.#droppedLines++;
        resolve();
      });
    });
    this.#open.add(ended);
    void ended.then(() => this.#open.delete(ended));
  }

  /** drained resolves once every pipe added so far has closed. */
  async drained(): Promise<void> {
    await Promise.all([...this.#open]);
  }

  #deliver(whole: Buffer, pipe: Readable): void {
    const sink = this.#sink;
    if ('line' in sink) {
      const text = whole.toString('utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        sink.line(text.slice(start, nl + 1));
        start = nl + 1;
      }
      return;
    }
    if (sink.stream.write(whole)) return;
    pipe.pause();
    this.#paused.add(pipe);
    if (this.#waitingDrain) return;
    this.#waitingDrain = true;
    sink.stream.once('drain', () => {
      this.#waitingDrain = false;
      for (const p of this.#paused) p.resume();
      this.#paused.clear();
    });
  }
}
