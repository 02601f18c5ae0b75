/**
 * Refused connections (SPEC 2.1): once the engine has refused a request on an HTTP/1.x
 * connection and answered with `Connection: close`, nothing more that arrives on it is trusted.
 * Node's parser may already have parsed a request pipelined behind the refused one (it parses
 * a whole read at once and emits every request in it), and it may report an error in the
 * refused request's body after the answer went out. The mark on the socket tells the request
 * pipeline to drop such requests unanswered and the `clientError` handler not to answer twice.
 */

const kRefused = Symbol('gatehouse.refused');

type Markable = object & { [kRefused]?: true };

/** markRefused records that the connection's last answer was a refusal that closes it. */
export function markRefused(socket: object): void {
  (socket as Markable)[kRefused] = true;
}

/** isRefused tells whether a refusal already closes this connection. */
export function isRefused(socket: object): boolean {
  return (socket as Markable)[kRefused] === true;
}
