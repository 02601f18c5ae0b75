/**
 * Weighted least connections (E14's Wlc): each request goes to the member with the lowest
 * active requests / weight. Members tied on that ratio share requests by smooth weighted
 * round robin (as nginx's least_conn does), so an idle group still spreads by weight instead
 * of always choosing its first member. Weight 0 and unhealthy members get nothing.
 */
import type { Backend } from '../upstream/backend.ts';
import { SmoothWeightedRoundRobin } from './wrr.ts';

/** WeightedLeastConnections is the Wlc scheduler over one fixed member list. */
export class WeightedLeastConnections extends SmoothWeightedRoundRobin {
  /** The lowest active/weight of the current pick, as its two terms (bestWeight 0: no member in rotation). */
  private bestActive = 0;
  private bestWeight = 0;

  override pick(): Backend | undefined {
    const members = this.members;
    // Pass 1: the lowest active/weight, compared by cross-multiplication (no division, exact).
    let bestActive = 0;
    let bestWeight = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (!m.inRotation) continue;
      if (bestWeight === 0 || m.activeRequests * bestWeight < bestActive * m.weight) {
        bestActive = m.activeRequests;
        bestWeight = m.weight;
      }
    }
    if (bestWeight === 0) return undefined;
    // Pass 2: smooth WRR among the members on that ratio.
    this.bestActive = bestActive;
    this.bestWeight = bestWeight;
    return super.pick();
  }

  /** eligible narrows the round to the members in rotation on the lowest ratio. */
  protected override eligible(member: Backend): boolean {
    return member.inRotation && member.activeRequests * this.bestWeight === this.bestActive * member.weight;
  }
}
