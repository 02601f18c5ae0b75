/**
 * settle: a synchronous step handed to promise-based callers, its exception as a rejection
 * rather than a throw at the call.
 */

/** settle runs `fn` now and hands its result or its exception over as a promise. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
