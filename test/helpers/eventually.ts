/**
 * Waiting in tests: retry an assertion until it passes (`eventually`), wait for a condition
 * (`waitUntil`), or just wait (`sleep`). Every wait is bounded; when the time is up the last
 * failure is thrown, so the test reports what was still wrong.
 */

/** EventuallyOptions bound a retry loop. */
export interface EventuallyOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Wait this long between attempts (default 100 ms). */
  intervalMs?: number;
  /** Said first when the time is up, before the last failure (e.g. "backend a never became healthy"). */
  message?: string;
}

/** DEFAULT_TIMEOUT_MS and DEFAULT_INTERVAL_MS are eventually's bounds when a caller gives none. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_INTERVAL_MS = 100;

/** sleep waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * eventually calls `fn` until it returns (or resolves) without throwing and returns its value;
 * a change made elsewhere (an API write, a health check, a log line) shows up just after the
 * call that caused it. The second argument is the timeout in ms or the options; the third,
 * when the second is a number, the interval.
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions | number = {}, intervalMs?: number): Promise<T> {
  const o: EventuallyOptions = typeof options === 'number' ? { timeoutMs: options, intervalMs } : options;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const step = o.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) {
        if (o.message === undefined) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(`${o.message} (still failing after ${timeoutMs} ms): ${reason}`, { cause: err });
      }
      await sleep(step);
    }
  }
}

/** waitUntil resolves once `predicate` holds, or fails with `message` when the time is up. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, options: EventuallyOptions | number = {}, intervalMs?: number): Promise<void> {
  const o: EventuallyOptions = typeof options === 'number' ? { timeoutMs: options, intervalMs } : options;
  await eventually(async () => {
    if (!(await predicate())) throw new Error(o.message ?? 'condition not met');
  }, { timeoutMs: o.timeoutMs, intervalMs: o.intervalMs });
}
