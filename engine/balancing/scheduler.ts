/**
 * The scheduler seam: a server group asks its scheduler for the backend of each request. One
 * file per algorithm; this file only defines the contract and chooses the implementation for
 * a group's `scheduler` field.
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import type { Backend } from '../upstream/backend.ts';
import { SourceIpHash } from './sch.ts';
import { WeightedLeastConnections } from './wlc.ts';
import { SmoothWeightedRoundRobin } from './wrr.ts';

/** SchedulingInput is what a scheduler may look at for one request. */
export interface SchedulingInput {
  /**
   * The client's IP address: the TCP peer, or the address "Retrieve Client IP" resolves from
   * X-Forwarded-For when it is on (SPEC 1.2.1). Only Sch reads it, so it may be computed lazily.
   */
  readonly clientIp: string;
}

/**
 * Scheduler picks a backend among the group's members for one request. Members that are not
 * in rotation (weight 0, unhealthy) are skipped; undefined means none can take the request.
 */
export interface Scheduler {
  pick(input: SchedulingInput): Backend | undefined;
}

/** SchedulerFactory builds a scheduler over a fixed member list (a new one per group change). */
export type SchedulerFactory = (members: readonly Backend[]) => Scheduler;

/**
 * SCHEDULERS maps a group's `scheduler` field to its implementation (E14): Wrr is smooth
 * weighted round robin, Wlc weighted least connections, Sch a source-IP consistent hash ring.
 */
export const SCHEDULERS: Readonly<Record<SnapshotServerGroup['scheduler'], SchedulerFactory>> = {
  Wrr: (members) => new SmoothWeightedRoundRobin(members),
  Wlc: (members) => new WeightedLeastConnections(members),
  Sch: (members) => new SourceIpHash(members),
};

/** createScheduler builds the scheduler a group's configuration asks for. */
export function createScheduler(kind: SnapshotServerGroup['scheduler'], members: readonly Backend[]): Scheduler {
  return SCHEDULERS[kind](members);
}
