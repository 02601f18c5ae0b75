/**
 * The scheduler seam: a server group asks its scheduler for the backend of each request. One
 * file per algorithm, the contract in scheduler-types.ts; this file only chooses the
 * implementation for a group's `scheduler` field.
 */
import type { SnapshotServerGroup } from '../../schema/snapshot.ts';
import type { Backend } from '../upstream/backend.ts';
import { SourceIpHash } from './sch.ts';
import type { Scheduler, SchedulerFactory } from './scheduler-types.ts';
import { WeightedLeastConnections } from './wlc.ts';
import { SmoothWeightedRoundRobin } from './wrr.ts';

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
