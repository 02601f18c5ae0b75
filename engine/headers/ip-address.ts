/**
 * IP literal parsing without allocation, for the per-request client-IP walk over
 * X-Forwarded-For. Parsers read a slice `[start, end)` of a string in place so that a header
 * value listing many addresses is never split into an array.
 */

/** IPV6_GROUPS is the number of 16-bit groups of an IPv6 address. */
export const IPV6_GROUPS = 8;

/**
 * parseIPv4 returns the dotted-quad address in `s[start, end)` as an unsigned 32-bit number,
 * or -1 when it is not one. Leading zeros are refused, as `net.isIPv4` does, because some
 * stacks read them as octal.
 */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * parseIPv6 writes the IPv6 address in `s[start, end)` into `out` (8 groups) and tells whether
 * it is one. Accepts `::` compression, an embedded IPv4 tail (`::ffff:1.2.3.4`) and ignores a
 * zone id (`fe80::1%eth0`), since zones say nothing about who the client is.
 */
export function parseIPv6(s: string, start: number, end: number, out: Uint16Array): boolean {
  const pct = s.indexOf('%', start);
  if (pct !== -1 && pct < end) end = pct;
  if (end - start < 2) return false;
  let n = 0;
  let gap = -1;
  let i = start;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (n === IPV6_GROUPS) return false;
    let j = i;
    let v = 0;
    while (j < end && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 46) {
      if (n > IPV6_GROUPS - 2) return false;
      const v4 = parseIPv4(s, i, end);
      if (v4 < 0) return false;
      out[n++] = Math.floor(v4 / 65536);
      out[n++] = v4 % 65536;
      i = end;
      break;
    }
    if (j === i || j - i > 4) return false;
    out[n++] = v;
    i = j;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (gap !== -1) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap === -1) return n === IPV6_GROUPS;
  if (n === IPV6_GROUPS) return false;
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) out[IPV6_GROUPS - tail + k] = out[gap + k]!;
  for (let k = gap; k < IPV6_GROUPS - tail; k++) out[k] = 0;
  return true;
}

/** isV4Mapped tells whether parsed IPv6 groups are an IPv4-mapped address (`::ffff:a.b.c.d`). */
export function isV4Mapped(groups: Uint16Array): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

/** v4FromMapped returns the IPv4 number inside an IPv4-mapped IPv6 address. */
export function v4FromMapped(groups: Uint16Array): number {
  return groups[6]! * 65536 + groups[7]!;
}

/** formatIPv4 renders an unsigned 32-bit address as a dotted quad. */
export function formatIPv4(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

/**
 * normaliseIp turns the IPv4-mapped IPv6 form Node reports for IPv4 peers of dual-stack
 * sockets (`::ffff:127.0.0.1`) into plain IPv4, so logs, X-Forwarded-For and source-IP hashing
 * see one spelling per client; any other address is returned unchanged.
 */
export function normaliseIp(address: string): string {
  if (address.length > 7 && address.charCodeAt(0) === 58 && address.charCodeAt(1) === 58 && address.indexOf('.', 7) !== -1) {
    const c2 = address.charCodeAt(2) | 0x20;
    const c3 = address.charCodeAt(3) | 0x20;
    const c4 = address.charCodeAt(4) | 0x20;
    const c5 = address.charCodeAt(5) | 0x20;
    if (c2 === 102 && c3 === 102 && c4 === 102 && c5 === 102 && address.charCodeAt(6) === 58 && parseIPv4(address, 7) >= 0) {
      return address.slice(7);
    }
  }
  return address;
}
