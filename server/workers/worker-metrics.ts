/**
 * The node's metrics about its engine workers, read from the supervisor's view of its slots when
 * Prometheus scrapes: how many workers are in each state, how often each slot's worker was
 * started again, and which slots are crash looping — what an operator alerts on, where the
 * status route is what a person reads.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkerStatus } from '../../schema/api/system.ts';

/** WORKER_STATES are the states a slot is counted in, so each series is there even at 0. */
const WORKER_STATES: readonly WorkerStatus['state'][] = ['starting', 'running', 'restarting', 'stopped'];

/** registerWorkerMetrics registers the worker metrics on `registry`, read from `workers()` at each scrape. */
export function registerWorkerMetrics(registry: Registry, workers: () => readonly WorkerStatus[]): void {
  new Gauge({
    name: 'gatehouse_engine_workers',
    help: 'Engine worker slots of the node, by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const all = workers();
      for (const state of WORKER_STATES) this.set({ state }, all.filter((w) => w.state === state).length);
    },
  });
  new Counter({
    name: 'gatehouse_engine_worker_restarts_total',
    help: 'Times the worker of a slot was started again after dying.',
    labelNames: ['worker'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers()) this.inc({ worker: String(w.worker) }, w.restarts);
    },
  });
  new Gauge({
    name: 'gatehouse_engine_worker_crash_looping',
    help: 'A slot whose worker keeps dying soon after each start (1), restarted with a growing pause.',
    labelNames: ['worker'] as const,
    registers: [registry],
    collect() {
      for (const w of workers()) this.set({ worker: String(w.worker) }, w.crashLooping ? 1 : 0);
    },
  });
}
