/**
 * Hop-by-hop header rules (E12, RFC 9110 §7.6.1): headers that describe one connection and
 * must not be forwarded to the next hop, in either direction.
 */

/** HOP_BY_HOP lists, in lower case, the headers never forwarded as such. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/**
 * connectionTokens returns the header names a Connection header lists (lower case), which
 * are hop-by-hop for that message; undefined when there is no Connection header.
 */
export function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const tokens = new Set<string>();
  const values = typeof value === 'string' ? [value] : value;
  for (const v of values) {
    for (const part of v.split(',')) {
      const token = part.trim().toLowerCase();
      if (token) tokens.add(token);
    }
  }
  return tokens;
}
