/**
 * Refused connections (SPEC 2.1): once the engine has refused a request on an HTTP/1.x
 * connection and answered with `Connection: close`, nothing more that arrives on it is trusted.
 * The HTTP/1.x front parses nothing after a refusal; the mark on the socket also tells the
 * request pipeline and the WebSocket upgrade to drop anything that still reaches them, and it
 * keeps the status answered, for the access-log record of a request cut by a parse error in
 * its body (which the front, not the pipeline, answered).
 */

const kRefused = Symbol('gatehouse.refused');

type Markable = object & { [kRefused]?: number };

/** markRefused records that the connection's answer `status` was a refusal that closes it. */
export function markRefused(socket: object, status: number): void {
  (socket as Markable)[kRefused] ??= status;
}

/** isRefused tells whether a refusal already closes this connection. */
export function isRefused(socket: object): boolean {
  return (socket as Markable)[kRefused] !== undefined;
}

/** refusedStatus is the status of the refusal that closes this connection, or 0. */
export function refusedStatus(socket: object): number {
  return (socket as Markable)[kRefused] ?? 0;
}
