/**
 * The server's preference order among a policy's suites. A policy says which suites are
 * allowed (SPEC 1.5 lists them oldest first); the engine chooses the order it prefers them
 * in, so that a modern client is never talked into a CBC/SHA-1 suite because the policy
 * happens to list it first: forward secrecy, then AEAD, then SHA-2 MACs, then AES-128 (as fast
 * and as safe as AES-256 here), ECDSA before RSA.
 */

/** rankTls12 scores one OpenSSL TLS ≤1.2 suite name; lower is preferred. */
function rankTls12(name: string): number {
  const forwardSecret = name.startsWith('ECDHE-') || name.startsWith('DHE-') ? 0 : 1;
  const aead = name.includes('-GCM-') || name.includes('CHACHA20') ? 0 : 1;
  const sha2 = name.endsWith('-SHA256') || name.endsWith('-SHA384') ? 0 : 1;
  const legacyCipher = name.startsWith('DES-') || name.includes('-DES-') ? 1 : 0;
  const aes256 = name.includes('AES256') ? 1 : 0;
  const rsa = name.startsWith('ECDHE-ECDSA-') ? 0 : 1;
  return ((((legacyCipher * 2 + forwardSecret) * 2 + aead) * 2 + sha2) * 2 + aes256) * 2 + rsa;
}

const TLS13_ORDER = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];

/**
 * preferredCipherList reorders an OpenSSL cipher list (suites joined by `:`, optionally
 * ending in `@SECLEVEL=n` or other `@` directives) by preference, keeping directives last.
 */
export function preferredCipherList(cipherList: string): string {
  const entries = cipherList.split(':').filter((e) => e.length > 0);
  const directives = entries.filter((e) => e.startsWith('@'));
  const suites = entries.filter((e) => !e.startsWith('@'));
  const ranked = suites.map((name, index) => ({ name, index, rank: rankTls12(name) }));
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return [...ranked.map((r) => r.name), ...directives].join(':');
}

/** preferredTls13Suites reorders TLS 1.3 suite names (joined by `:`) by preference. */
export function preferredTls13Suites(suites: string): string {
  if (!suites) return suites;
  const list = suites.split(':').filter((s) => s.length > 0);
  const rank = (s: string) => {
    const i = TLS13_ORDER.indexOf(s);
    return i < 0 ? TLS13_ORDER.length : i;
  };
  return list
    .map((name, index) => ({ name, index }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.index - b.index)
    .map((e) => e.name)
    .join(':');
}
