/**
 * Address syntax shared by the resource models and the rules: IP literals, CIDR blocks and
 * host names, parsed to bytes so that `::` and `0:0::0` are recognised as the same address.
 */

/** parseIpv4 returns the four bytes of a dotted-quad IPv4 literal, or undefined. */
export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    // No leading zeros: `010` is octal to some parsers and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

/** parseIpv6 returns the sixteen bytes of an IPv6 literal (with `::` and a dotted tail), or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  let words: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    words = head;
  }
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

/** isIpLiteral tells whether text is an IPv4 or IPv6 literal (no zone id, no brackets). */
export function isIpLiteral(text: string): boolean {
  return parseIpv4(text) !== undefined || parseIpv6(text) !== undefined;
}

/** isCidr tells whether text is an IPv4 or IPv6 network in `address/prefix` form. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (parseIpv4(addr)) return bits <= 32;
  if (parseIpv6(addr)) return bits <= 128;
  return false;
}

/** isIpOrCidr accepts what a trusted-proxy entry may be: one address or one network. */
export function isIpOrCidr(text: string): boolean {
  return isIpLiteral(text) || isCidr(text);
}

/**
 * isHostName tells whether text is a DNS host name (RFC 1123 labels, at most 253 characters);
 * a name whose last label is all digits is refused, as it is a malformed IPv4 literal.
 */
export function isHostName(text: string): boolean {
  if (text.length < 1 || text.length > 253) return false;
  const labels = text.split('.');
  for (const label of labels) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) return false;
  }
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

/** canonicalIp renders an IP literal in one spelling per address (IPv6 fully expanded), or undefined. */
export function canonicalIp(text: string): string | undefined {
  const v4 = parseIpv4(text);
  if (v4) return v4.join('.');
  const v6 = parseIpv6(text);
  if (!v6) return undefined;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((v6[i]! << 8) | v6[i + 1]!).toString(16));
  return words.join(':');
}

/** isUnspecifiedAddress tells whether an address means "every address": `0.0.0.0` or `::`. */
export function isUnspecifiedAddress(text: string): boolean {
  const c = canonicalIp(text);
  return c === '0.0.0.0' || c === '0:0:0:0:0:0:0:0';
}
