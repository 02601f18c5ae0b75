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

/** TRANSFER_CODING_NONE: the request has no Transfer-Encoding field. */
export const TRANSFER_CODING_NONE = 0;
/** TRANSFER_CODING_CHUNKED: exactly one `chunked`, the only framing the engine accepts. */
export const TRANSFER_CODING_CHUNKED = 1;
/** TRANSFER_CODING_UNKNOWN: a coding other than `chunked` (501, SPEC 2.1). */
export const TRANSFER_CODING_UNKNOWN = 2;
/** TRANSFER_CODING_MALFORMED: parameters, empty elements or `chunked` twice (400, SPEC 2.1). */
export const TRANSFER_CODING_MALFORMED = 3;

/**
 * readTransferCoding classifies one Transfer-Encoding value, given what earlier fields of the
 * same request said (`previous`): only a single `chunked` (any case, optional whitespace) is
 * framing the engine can re-frame; any other coding is unknown to it (it decodes none), and a
 * list it cannot read unambiguously is malformed. An unknown coding in any field decides
 * (501); otherwise a second field is malformed whatever it says.
 */
export function readTransferCoding(value: string, previous: number): number {
  if (previous === TRANSFER_CODING_UNKNOWN) return previous;
  let chunked = 0;
  let malformed = false;
  let start = 0;
  while (start <= value.length) {
    let comma = value.indexOf(',', start);
    if (comma === -1) comma = value.length;
    const element = value.slice(start, comma).trim();
    const semicolon = element.indexOf(';');
    const name = (semicolon === -1 ? element : element.slice(0, semicolon)).trim().toLowerCase();
    if (name.length === 0) malformed = true;
    else if (name !== 'chunked') return TRANSFER_CODING_UNKNOWN;
    else {
      chunked++;
      if (semicolon !== -1) malformed = true;
    }
    start = comma + 1;
  }
  return malformed || chunked !== 1 || previous !== TRANSFER_CODING_NONE ? TRANSFER_CODING_MALFORMED : TRANSFER_CODING_CHUNKED;
}
