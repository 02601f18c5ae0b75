/**
 * The scheduler contract (E14): what a server group asks of its scheduler and what a scheduler
 * may read from a request. The algorithms (sch.ts, wlc.ts, wrr.ts) implement it and
 * scheduler.ts chooses among them; both sides import this module, never each other.
 */
import type { Backend } from '../upstream/backend.ts';

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
