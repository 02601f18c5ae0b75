/**
 * How the `gatehouse` command words a failed call of the management API (SPEC §4): on the
 * codes of the client's errors, never on their text. Nothing reachable → the endpoint and a
 * question whether `gatehouse serve` runs; the API's verdict → the call, the status, the code and
 * the detail; an answer that is not the API's → the call, the status and what came back.
 */
import { ApiClientError } from '../client/client-error.ts';
import { GatehouseError } from '../schema/errors.ts';

/** describeApiFailure is the line the command prints (after `gatehouse <command>: `) for a failed call. */
export function describeApiFailure(err: unknown): string {
  if (err instanceof GatehouseError) {
    const call = err.call ? `${err.call.method} ${err.call.path}: ` : '';
    return `${call}${err.status} ${err.code}: ${err.detail}`;
  }
  if (err instanceof ApiClientError) {
    switch (err.code) {
      case 'API_UNREACHABLE':
        return `cannot reach the management API at ${err.endpoint} (${err.reason ?? 'no connection'}); is \`gatehouse serve\` running?`;
      case 'API_TIMEOUT':
        return `cannot reach the management API at ${err.endpoint} (${err.timeoutMs === undefined ? (err.reason ?? 'timed out') : `no answer within ${err.timeoutMs / 1000} s`}); is \`gatehouse serve\` running?`;
      case 'API_OFF_CONTRACT': {
        const a = err.answer;
        if (!a) return err.message;
        return `${err.call.method} ${err.call.path}: ${a.status}${a.problemCode ? ` ${a.problemCode}` : ''}: ${a.problemDetail ?? a.defect ?? a.text}`;
      }
      case 'API_CANCELLED':
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
