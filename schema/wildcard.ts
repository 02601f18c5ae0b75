/**
 * Wildcard domain rules of SPEC 1.4 and E1, shared by certificate validation (schema) and SNI
 * selection (engine) so that what is accepted is exactly what is served.
 */

/** The characters a wildcard may stand for, per the seed's FAQ: digits, letters, hyphen. */
const LABEL_CHAR = /^[0-9A-Za-z-]+$/;

/**
 * isWildcardName tells whether a domain contains a `*` at all (recognised or not).
 */
export function isWildcardName(domain: string): boolean {
  return domain.includes('*');
}

/**
 * isRecognisedWildcard tells whether a wildcard name is one Gatehouse serves: exactly one `*`,
 * at the start of the leftmost label, with at least one label after it
 * (`*.example.com`, `*test.example.com`; not `test*.example.com`, `*.*.example.com`, `*`).
 */
export function isRecognisedWildcard(domain: string): boolean {
  const name = domain.toLowerCase();
  if (name.indexOf('*') !== 0 || name.indexOf('*', 1) !== -1) return false;
  const dot = name.indexOf('.');
  if (dot < 0 || dot === name.length - 1) return false;
  const suffix = name.slice(1, dot);
  if (suffix.length > 0 && !LABEL_CHAR.test(suffix)) return false;
  return name.slice(dot + 1).split('.').every((label) => label.length > 0 && LABEL_CHAR.test(label));
}

/**
 * wildcardMatches tells whether a host name (from SNI) matches a recognised wildcard name:
 * the `*` stands for one or more of `[0-9A-Za-z-]` within the leftmost label only; an `xn--`
 * (IDNA) label matches a lone `*` but not `*test`. Comparison ignores case.
 */
export function wildcardMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  const pDot = p.indexOf('.');
  const hDot = h.indexOf('.');
  if (pDot < 0 || hDot < 0) return false;
  if (p.slice(pDot) !== h.slice(hDot)) return false;
  const labelSuffix = p.slice(1, pDot);
  const label = h.slice(0, hDot);
  if (!LABEL_CHAR.test(label)) return false;
  if (labelSuffix.length === 0) return true;
  if (label.startsWith('xn--')) return false;
  return label.length > labelSuffix.length && label.endsWith(labelSuffix);
}

/**
 * SniTable resolves a server name to a value (a certificate, a secure context) per E1: exact
 * names first, then recognised wildcards in the order given, then none (caller's default).
 * Built once per configuration; lookups do not allocate beyond lower-casing the name.
 */
export class SniTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly wildcards: { pattern: string; value: T }[] = [];

  /** add registers every domain of one certificate; the first registration of a name wins. */
  add(domains: readonly string[], value: T): void {
    for (const domain of domains) {
      const name = domain.toLowerCase();
      if (isWildcardName(name)) {
        if (isRecognisedWildcard(name) && !this.wildcards.some((w) => w.pattern === name)) {
          this.wildcards.push({ pattern: name, value });
          // The most specific pattern (`*test.example.com` before `*.example.com`) is tried first.
          this.wildcards.sort((a, b) => b.pattern.length - a.pattern.length);
        }
      } else if (!this.exact.has(name)) {
        this.exact.set(name, value);
      }
    }
  }

  /** lookup returns the value serving `serverName`, or undefined when only the default fits. */
  lookup(serverName: string): T | undefined {
    const name = serverName.toLowerCase();
    const hit = this.exact.get(name);
    if (hit !== undefined) return hit;
    for (const w of this.wildcards) if (wildcardMatches(w.pattern, name)) return w.value;
    return undefined;
  }
}
