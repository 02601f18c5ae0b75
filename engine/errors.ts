/**
 * ListenerApplyError: why one listener's configuration could not be applied (TLS material
 * that does not load, a port that cannot be bound). It never leaves the engine: apply()
 * turns it into that listener's `Failed` status and `statusReason`.
 */

/** ListenerApplyError carries the human-readable reason reported as statusReason. */
export class ListenerApplyError extends Error {
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'ListenerApplyError';
    this.reason = reason;
  }
}

/** describeError renders an unknown thrown value as one line of text. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
