/**
 * TrustedProxies: the "Retrieve Client IP" trusted list of SPEC 1.2.1, compiled once per
 * listener configuration into numeric CIDR rules, and the right-to-left X-Forwarded-For walk
 * that finds the client address (E11).
 */
import { GatehouseError } from '../../schema/errors.ts';
import { IPV6_GROUPS, formatIPv4, isV4Mapped, normaliseIp, parseIPv4, parseIPv6, v4FromMapped } from './ip-address.ts';

const KIND_NONE = 0;
const KIND_V4 = 4;
const KIND_V6 = 6;
const XFF = 'x-forwarded-for';

/**
 * TrustedProxies matches addresses against the trusted list and resolves client IPs. It holds
 * a scratch buffer for IPv6 parsing, so one instance must not be shared across threads (it is
 * per listener configuration, on one event loop).
 */
export class TrustedProxies {
  /** takeLeftmost is true when the list holds `0.0.0.0/0` (or `::/0`): SPEC says take the leftmost address. */
  readonly takeLeftmost: boolean;
  private readonly v4Net: number[] = [];
  private readonly v4Mask: number[] = [];
  private readonly v6Net: Uint16Array[] = [];
  private readonly v6Bits: number[] = [];
  private readonly groups = new Uint16Array(IPV6_GROUPS);
  private v4 = 0;
  private start = 0;
  private end = 0;

  /**
   * constructor compiles `list` (IP literals and CIDRs, IPv4 or IPv6); an entry that does not
   * parse is a VALIDATION_FAILED naming its index, since the schema should have caught it.
   */
  constructor(list: readonly string[]) {
    let leftmost = false;
    list.forEach((entry, index) => {
      const slash = entry.indexOf('/');
      const end = slash === -1 ? entry.length : slash;
      const kind = this.parse(entry, 0, end);
      const maxBits = kind === KIND_V4 ? 32 : 128;
      const bits = slash === -1 ? maxBits : strictInt(entry.slice(slash + 1));
      if (kind === KIND_NONE || !(bits >= 0 && bits <= maxBits)) {
        throw new GatehouseError('VALIDATION_FAILED', `trusted proxy "${entry}" is not an IP address or CIDR`, [
          { path: `forwardedHeaders.clientIp.trustedProxies[${index}]`, message: 'must be an IPv4/IPv6 address or CIDR' },
        ]);
      }
      if (bits === 0) leftmost = true;
      if (kind === KIND_V4) this.addV4(this.v4, bits);
      else if (isV4Mapped(this.groups) && bits >= 96) this.addV4(v4FromMapped(this.groups), bits - 96);
      else this.addV6(bits);
    });
    this.takeLeftmost = leftmost;
  }

  /** trusts tells whether one address literal (IPv4, IPv6, IPv4-mapped) is on the list. */
  trusts(address: string): boolean {
    const kind = this.parseEntry(address, 0, address.length);
    return kind !== KIND_NONE && this.matchParsed(kind);
  }

  /**
   * clientIpFromRaw resolves the client IP from a request's raw header list (name, value, …):
   * every X-Forwarded-For field counts, in order. See `clientIpFromValues`.
   */
  clientIpFromRaw(peer: string, rawHeaders: readonly string[]): string {
    return this.walk(peer, rawHeaders, true);
  }

  /**
   * clientIpFromValues resolves the client IP from the X-Forwarded-For values of a request in
   * order. SPEC 1.2.1 semantics, literally: with `0.0.0.0/0` the leftmost address; otherwise
   * the header is walked right to left and the first address that is not trusted wins; when
   * every address is trusted, the leftmost one. The peer is the answer only when the header is
   * absent or holds no usable address. An entry that is not an IP literal (`unknown`, an
   * obfuscated id) breaks the chain of trust: the walk stops and answers the last address it
   * passed (or the peer). `1.2.3.4:80` and `[2001:db8::1]:80` count as their address;
   * IPv4-mapped IPv6 comes back as IPv4.
   */
  clientIpFromValues(peer: string, values: readonly string[]): string {
    return this.walk(peer, values, false);
  }

  private walk(peerAddress: string, list: readonly string[], raw: boolean): string {
    const peer = normaliseIp(peerAddress);
    const step = raw ? 2 : 1;
    if (this.takeLeftmost) {
      for (let i = 0; i < list.length; i += step) {
        if (raw && !isXff(list[i]!)) continue;
        const value = list[raw ? i + 1 : i]!;
        let start = 0;
        while (start <= value.length) {
          let comma = value.indexOf(',', start);
          if (comma === -1) comma = value.length;
          const found = this.entryAt(value, start, comma);
          if (found !== undefined) return found;
          start = comma + 1;
        }
      }
      return peer;
    }
    let candidate: string | undefined;
    for (let i = raw ? list.length - 2 : list.length - 1; i >= 0; i -= step) {
      if (raw && !isXff(list[i]!)) continue;
      const value = list[raw ? i + 1 : i]!;
      let end = value.length;
      for (;;) {
        const comma = end > 0 ? value.lastIndexOf(',', end - 1) : -1;
        const start = comma + 1;
        this.trim(value, start, end);
        const s = this.start;
        const e = this.end;
        if (s < e) {
          const kind = this.parseEntry(value, s, e);
          if (kind === KIND_NONE) return candidate ?? peer;
          const address = this.render(kind, value, s, e);
          if (!this.matchParsed(kind)) return address;
          candidate = address;
        }
        if (comma === -1) break;
        end = comma;
      }
    }
    return candidate ?? peer;
  }

  /** entryAt returns the rendered address of one list entry, or undefined when it is not one. */
  private entryAt(value: string, start: number, end: number): string | undefined {
    this.trim(value, start, end);
    const s = this.start;
    const e = this.end;
    if (s >= e) return undefined;
    const kind = this.parseEntry(value, s, e);
    return kind === KIND_NONE ? undefined : this.render(kind, value, s, e);
  }

  /** parseEntry parses one X-Forwarded-For entry, tolerating a port and IPv6 brackets. */
  private parseEntry(s: string, start: number, end: number): number {
    if (s.charCodeAt(start) === 91) {
      const close = s.indexOf(']', start);
      if (close === -1 || close >= end) return KIND_NONE;
      return parseIPv6(s, start + 1, close, this.groups) ? this.mappedToV4() : KIND_NONE;
    }
    const colon = s.indexOf(':', start);
    const second = colon === -1 ? -1 : s.indexOf(':', colon + 1);
    if (colon !== -1 && colon < end && (second === -1 || second >= end)) {
      const v4 = parseIPv4(s, start, colon);
      if (v4 < 0) return KIND_NONE;
      this.v4 = v4;
      return KIND_V4;
    }
    return this.parse(s, start, end);
  }

  private parse(s: string, start: number, end: number): number {
    const v4 = parseIPv4(s, start, end);
    if (v4 >= 0) {
      this.v4 = v4;
      return KIND_V4;
    }
    return parseIPv6(s, start, end, this.groups) ? KIND_V6 : KIND_NONE;
  }

  /** mappedToV4 turns a parsed IPv4-mapped address into the IPv4 kind. */
  private mappedToV4(): number {
    if (isV4Mapped(this.groups)) {
      this.v4 = v4FromMapped(this.groups);
      return KIND_V4;
    }
    return KIND_V6;
  }

  private render(kind: number, s: string, start: number, end: number): string {
    if (kind === KIND_V6 && isV4Mapped(this.groups)) return formatIPv4(v4FromMapped(this.groups));
    if (s.charCodeAt(start) === 91) return s.slice(start + 1, s.indexOf(']', start));
    if (kind === KIND_V4) {
      const colon = s.indexOf(':', start);
      return colon !== -1 && colon < end ? s.slice(start, colon) : s.slice(start, end);
    }
    return s.slice(start, end);
  }

  private matchParsed(kind: number): boolean {
    if (kind === KIND_V6 && isV4Mapped(this.groups)) {
      this.v4 = v4FromMapped(this.groups);
      kind = KIND_V4;
    }
    if (kind === KIND_V4) {
      const v = this.v4;
      for (let r = 0; r < this.v4Net.length; r++) {
        if ((v & this.v4Mask[r]!) >>> 0 === this.v4Net[r]) return true;
      }
      return false;
    }
    const g = this.groups;
    outer: for (let r = 0; r < this.v6Net.length; r++) {
      const net = this.v6Net[r]!;
      let bits = this.v6Bits[r]!;
      for (let k = 0; bits > 0; k++, bits -= 16) {
        const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
        if ((g[k]! & mask) !== net[k]) continue outer;
      }
      return true;
    }
    return false;
  }

  /** trim sets `start`/`end` to the slice without surrounding blanks (no tuple per entry). */
  private trim(s: string, start: number, end: number): void {
    while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++;
    while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
    this.start = start;
    this.end = end;
  }

  private addV4(address: number, bits: number): void {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    this.v4Mask.push(mask);
    this.v4Net.push((address & mask) >>> 0);
  }

  private addV6(bits: number): void {
    const net = new Uint16Array(IPV6_GROUPS);
    let left = bits;
    for (let k = 0; k < IPV6_GROUPS && left > 0; k++, left -= 16) {
      const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
      net[k] = this.groups[k]! & mask;
    }
    this.v6Net.push(net);
    this.v6Bits.push(bits);
  }
}

/** isXff compares a header name with X-Forwarded-For ignoring case, without lower-casing most names. */
export function isXff(name: string): boolean {
  return name.length === 15 && (name === 'X-Forwarded-For' || name.toLowerCase() === XFF);
}

function strictInt(text: string): number {
  if (text.length === 0 || text.length > 3) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(text);
}
