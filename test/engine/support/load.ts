/**
 * LoadLoop keeps a number of request loops running until stopped and counts outcomes, so
 * tests can change configuration "while traffic flows" and assert that nothing failed.
 */

/** LoadOutcome is what the loops saw. */
export interface LoadOutcome {
  ok: number;
  failed: number;
  errors: string[];
}

/** LoadLoop runs `concurrency` copies of `request` back to back. */
export class LoadLoop {
  private readonly request: (worker: number) => Promise<void>;
  private readonly concurrency: number;
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly outcome: LoadOutcome = { ok: 0, failed: 0, errors: [] };

  constructor(request: (worker: number) => Promise<void>, concurrency: number) {
    this.request = request;
    this.concurrency = concurrency;
  }

  /** ok is the number of successful requests so far. */
  get ok(): number {
    return this.outcome.ok;
  }

  /** start launches the loops. */
  start(): this {
    this.running = true;
    for (let w = 0; w < this.concurrency; w++) this.workers.push(this.loop(w));
    return this;
  }

  /** waitFor resolves once `n` more requests have succeeded (bounded). */
  async waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    const target = this.outcome.ok + n;
    const end = Date.now() + timeoutMs;
    while (this.outcome.ok < target) {
      if (Date.now() > end) throw new Error(`load made no progress: ${JSON.stringify(this.outcome)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** stop lets each loop finish its current request, then reports. */
  async stop(): Promise<LoadOutcome> {
    this.running = false;
    await Promise.all(this.workers);
    return this.outcome;
  }

  private async loop(worker: number): Promise<void> {
    while (this.running) {
      try {
        await this.request(worker);
        this.outcome.ok++;
      } catch (err) {
        this.outcome.failed++;
        if (this.outcome.errors.length < 10) this.outcome.errors.push((err as Error).message);
      }
    }
  }
}
