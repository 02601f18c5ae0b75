/**
 * Smooth weighted round robin (the nginx algorithm, E14): every pick adds each eligible
 * member's weight to its running score, takes the highest score and subtracts the total.
 * Over one cycle each member is picked in proportion to its weight, interleaved rather than
 * in bursts; weight 0 members are never picked. Wlc (wlc.ts) is this round narrowed to the
 * members tied on the lowest load.
 */
import type { Backend } from '../upstream/backend.ts';
import type { Scheduler } from './scheduler-types.ts';

/** SmoothWeightedRoundRobin is the Wrr scheduler over one fixed member list. */
export class SmoothWeightedRoundRobin implements Scheduler {
  protected readonly members: readonly Backend[];
  private readonly scores: Float64Array;

  constructor(members: readonly Backend[]) {
    this.members = members;
    this.scores = new Float64Array(members.length);
  }

  pick(): Backend | undefined {
    const members = this.members;
    const scores = this.scores;
    let total = 0;
    let best = -1;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (!this.eligible(member)) continue;
      const weight = member.weight;
      scores[i]! += weight;
      total += weight;
      if (best < 0 || scores[i]! > scores[best]!) best = i;
    }
    if (best < 0) return undefined;
    scores[best]! -= total;
    return members[best];
  }

  /** eligible tells whether a member takes part in this pick's round: every member in rotation; a subclass narrows it. */
  protected eligible(member: Backend): boolean {
    return member.inRotation;
  }
}
