/**
 * Configuration metrics of the running process: committed and applied revisions, apply time
 * and failures, resources per kind. They sit beside the engine's and the API's metrics on the
 * same registry.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Store } from '../store/store.ts';
import type { ApplyObserver } from './config-applier.ts';

/** COMPILE_SECONDS_BUCKETS are the compile-time histogram's buckets: a compile takes milliseconds. */
const COMPILE_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];

/** APPLY_SECONDS_BUCKETS are the apply-time histogram's buckets: up to seconds, for thousands of TLS listeners. */
const APPLY_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** registerRuntimeMetrics creates the gauges and returns the observer that feeds the apply ones. */
export function registerRuntimeMetrics(registry: Registry, store: Store): ApplyObserver {
  new Gauge({
    name: 'gatehouse_config_revision',
    help: 'Store revision: the number of committed configuration changes.',
    registers: [registry],
    collect() {
      this.set(store.revision());
    },
  });
  const applied = new Gauge({ name: 'gatehouse_config_applied_revision', help: 'Store revision the engine runs.', registers: [registry] });
  const compile = new Histogram({
    name: 'gatehouse_config_compile_duration_seconds',
    help: 'Time to compile the store into a snapshot.',
    buckets: COMPILE_SECONDS_BUCKETS,
    registers: [registry],
  });
  const apply = new Histogram({
    name: 'gatehouse_config_apply_duration_seconds',
    help: 'Time for the engine to apply a snapshot.',
    buckets: APPLY_SECONDS_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({ name: 'gatehouse_config_apply_failures_total', help: 'Snapshots the engine could not apply.', registers: [registry] });
  new Gauge({
    name: 'gatehouse_resources',
    help: 'Stored resources by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of store.resources.counts()) this.set({ kind }, n);
    },
  });
  return {
    applied(info) {
      applied.set(info.version);
      compile.observe(info.compileMs / 1000);
      apply.observe(info.applyMs / 1000);
    },
    failed(info) {
      applied.set(info.version);
      failures.inc();
    },
  };
}
