/**
 * Comma-separated field values (RFC 9110 §5.6.1) as the engine reads them: Connection,
 * TE, Upgrade, Vary. One scanner so that every reader splits, trims and lower-cases the same
 * way; it walks the value with indexOf and allocates only the tokens it keeps.
 */

/**
 * listHasToken tells whether a list holds `token` (lower case), comparing each element up to
 * its first `stop` character (`;` drops parameters, `/` drops an Upgrade protocol version).
 */
export function listHasToken(value: string, token: string, stop = ';'): boolean {
  const lower = value.toLowerCase();
  let start = 0;
  while (start <= lower.length) {
    let comma = lower.indexOf(',', start);
    if (comma === -1) comma = lower.length;
    let end = lower.indexOf(stop, start);
    if (end === -1 || end > comma) end = comma;
    if (lower.slice(start, end).trim() === token) return true;
    start = comma + 1;
  }
  return false;
}

/** ConnectionField is what one Connection value says. */
export interface ConnectionField {
  close: boolean;
  keepAlive: boolean;
  /** The field names it lists (its options excluded), appended to the array passed in. */
  tokens: string[] | undefined;
}

/** readConnection splits a Connection value into its options and the field names it lists. */
export function readConnection(value: string, tokens: string[] | undefined): ConnectionField {
  const result: ConnectionField = { close: false, keepAlive: false, tokens };
  const lower = value.toLowerCase();
  let start = 0;
  while (start <= lower.length) {
    let comma = lower.indexOf(',', start);
    if (comma === -1) comma = lower.length;
    const token = lower.slice(start, comma).trim();
    if (token === 'close') result.close = true;
    else if (token === 'keep-alive') result.keepAlive = true;
    else if (token.length > 0) (result.tokens ??= []).push(token);
    start = comma + 1;
  }
  return result;
}
