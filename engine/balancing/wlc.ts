/**
 * Weighted least connections (E14's Wlc): each request goes to the member with the lowest
 * active requests / weight. Members tied on that ratio share requests by smooth weighted
 * round robin (as nginx's least_conn does), so an idle group still spreads by weight instead
 * of always choosing its first member. Weight 0 and unhealthy members get nothing.
 */
import type { Backend } from '../upstream/backend.ts';
import type { Scheduler } from './scheduler-types.ts';

/** WeightedLeastConnections is the Wlc scheduler over one fixed member list. */
export class WeightedLeastConnections implements Scheduler {
  private readonly members: readonly Backend[];
  private readonly scores: Float64Array;

  constructor(members: readonly Backend[]) {
    this.members = members;
    this.scores = new Float64Array(members.length);
  }

  pick(): Backend | undefined {
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
    const scores = this.scores;
    let total = 0;
    let best = -1;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (!m.inRotation || m.activeRequests * bestWeight !== bestActive * m.weight) continue;
      scores[i]! += m.weight;
      total += m.weight;
      if (best < 0 || scores[i]! > scores[best]!) best = i;
    }
    scores[best]! -= total;
    return members[best];
  }
}
