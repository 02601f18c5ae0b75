/**
 * When a dead engine worker is started again. A worker that ran a while and died (killed, out of
 * memory) is replaced at once: its share of the connections is what the node lacks. One that
 * dies again soon after each start is failing on something that a restart does not fix, so the
 * pause doubles with each quick death, up to a ceiling, and the worker is reported as crash
 * looping; a start that lives past STABLE_AFTER_MS ends the streak.
 */

/** STABLE_AFTER_MS is how long a worker must live for its death not to count as a quick one. */
export const STABLE_AFTER_MS = 10_000;
/** FIRST_BACKOFF_MS is the pause after the second quick death in a row. */
export const FIRST_BACKOFF_MS = 250;
/** MAX_BACKOFF_MS caps the pause between starts of a crash-looping worker. */
export const MAX_BACKOFF_MS = 30_000;
/** CRASH_LOOP_AFTER is how many quick deaths in a row make a worker reported as crash looping. */
export const CRASH_LOOP_AFTER = 3;

/** RestartBackoff tracks one worker slot's deaths. */
export class RestartBackoff {
  #quickDeaths = 0;

  /** quickDeaths counts the deaths in a row that came soon after a start. */
  get quickDeaths(): number {
    return this.#quickDeaths;
  }

  /** crashLooping says whether the slot is reported as crash looping. */
  get crashLooping(): boolean {
    return this.#quickDeaths >= CRASH_LOOP_AFTER;
  }

  /** died records a death after `livedMs` and returns how long to wait before the next start. */
  died(livedMs: number): number {
    if (livedMs >= STABLE_AFTER_MS) this.#quickDeaths = 0;
    this.#quickDeaths++;
    if (this.#quickDeaths === 1) return 0;
    return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.#quickDeaths - 2));
  }
}
