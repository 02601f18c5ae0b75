/**
 * ListenerApplyError: why one listener's configuration could not be applied (TLS material
 * that does not load, a port that cannot be bound). It never leaves the engine: apply()
 * turns it into that listener's `Failed` status and `statusReason`, and prepare() into one of
 * its problems.
 */

/**
 * ApplyFault names what in the snapshot a listener's failure comes from, when one thing can be
 * named: a certificate, a TLS policy, or one of the listener's own fields. The server turns it
 * into the field path of a dry run's answer.
 */
export type ApplyFault =
  | { readonly kind: 'Certificate' | 'TlsSecurityPolicy'; readonly id: string }
  | { readonly kind: 'Listener'; readonly id: string; readonly field: string };

/** ListenerApplyErrorOptions add the fault to the standard error options. */
export interface ListenerApplyErrorOptions extends ErrorOptions {
  fault?: ApplyFault | undefined;
}

/** ListenerApplyError carries the human-readable reason reported as statusReason. */
export class ListenerApplyError extends Error {
  readonly reason: string;
  /** What the failure comes from, when one snapshot resource or field can be named. */
  readonly fault: ApplyFault | undefined;

  constructor(reason: string, options?: ListenerApplyErrorOptions) {
    super(reason, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ListenerApplyError';
    this.reason = reason;
    this.fault = options?.fault;
  }
}

/** describeError renders an unknown thrown value as one line of text. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
