/**
 * Source-IP consistent hashing (E14's Sch): a hash ring with points per member in proportion
 * to its weight; a client IP maps to the first point at or after its hash. A member that
 * leaves rotation (unhealthy) only moves its own clients, to the next members on the ring;
 * weight 0 members have no points and get nothing. The ring is built once per member list
 * (configuration apply); a pick hashes the IP and binary-searches, allocating nothing.
 */
import { normaliseIp } from '../headers/ip-address.ts';
import type { Backend } from '../upstream/backend.ts';
import type { Scheduler, SchedulingInput } from './scheduler-types.ts';

/**
 * POINTS_PER_MEMBER is the average number of ring points per weighted member; each member gets
 * a share of the ring's points in proportion to its weight (at least one), which bounds the
 * ring (200 members → about 32,000 points) whatever the weights are.
 */
export const POINTS_PER_MEMBER = 160;

/** hash32 is FNV-1a over UTF-16 code units with a murmur3 finaliser, for an even spread. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** SourceIpHash is the Sch scheduler over one fixed member list. */
export class SourceIpHash implements Scheduler {
  private readonly members: readonly Backend[];
  /** Ring point hashes, ascending. */
  private readonly points: Uint32Array;
  /** Member index of each point. */
  private readonly owners: Uint16Array;

  constructor(members: readonly Backend[]) {
    this.members = members;
    const entries: { hash: number; owner: number }[] = [];
    let weighted = 0;
    let totalWeight = 0;
    for (const m of members) {
      if (m.weight > 0) {
        weighted++;
        totalWeight += m.weight;
      }
    }
    members.forEach((m, owner) => {
      if (m.weight <= 0) return;
      const count = Math.max(1, Math.round((POINTS_PER_MEMBER * weighted * m.weight) / totalWeight));
      // Points are named by the member's address, not its position, so that adding or
      // removing another member leaves this member's points where they were.
      for (let k = 0; k < count; k++) entries.push({ hash: hash32(`${m.label}#${k}`), owner });
    });
    entries.sort((a, b) => a.hash - b.hash || a.owner - b.owner);
    this.points = Uint32Array.from(entries, (e) => e.hash);
    this.owners = Uint16Array.from(entries, (e) => e.owner);
  }

  pick(input: SchedulingInput): Backend | undefined {
    const points = this.points;
    const n = points.length;
    if (n === 0) return undefined;
    const h = hash32(normaliseIp(input.clientIp));
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    const first = this.members[this.owners[lo % n]!]!;
    if (first.inRotation) return first;
    if (!this.anyInRotation()) return undefined;
    // Walk clockwise past members out of rotation to the next one in it.
    for (let step = 1; step < n; step++) {
      const m = this.members[this.owners[(lo + step) % n]!]!;
      if (m.inRotation) return m;
    }
    return undefined;
  }

  private anyInRotation(): boolean {
    for (const m of this.members) if (m.inRotation) return true;
    return false;
  }
}
