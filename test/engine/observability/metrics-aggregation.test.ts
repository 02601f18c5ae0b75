/**
 * The metrics of several engines (one per worker) merge with prom-client's
 * AggregatorRegistry.aggregate: counters and the duration histogram add up, open connections
 * add up, and `gatehouse_backend_health` — the same state in every engine — stays 0 or 1.
 */
import { AggregatorRegistry, Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EngineMetrics } from '../../../engine/observability/index.ts';

/** worker fills one engine's metrics as a worker that answered `requests` requests would. */
function worker(requests: number, connections: number): Registry {
  const registry = new Registry();
  const metrics = new EngineMetrics(registry);
  const listener = metrics.listener('lsn-1');
  for (let i = 0; i < requests; i++) listener.requestFinished(200, 0.01);
  for (let i = 0; i < connections; i++) listener.connectionOpened();
  const group = metrics.serverGroup('sgp-1');
  group.setHealth('127.0.0.1:8080', true);
  group.setHealth('127.0.0.1:8081', false);
  return registry;
}

async function merged(...registries: Registry[]): Promise<Map<string, MetricObjectWithValues<MetricValueWithName<string>>>> {
  const aggregated = AggregatorRegistry.aggregate(await Promise.all(registries.map((r) => r.getMetricsAsJSON())));
  return new Map((await aggregated.getMetricsAsJSON()).map((m) => [m.name, m]));
}

function value(family: MetricObjectWithValues<MetricValueWithName<string>> | undefined, match: (v: MetricValueWithName<string>) => boolean): number | undefined {
  return family?.values.find(match)?.value;
}

describe('metrics of several engines merged', () => {
  it('sum requests, histogram counts and connections; backend health stays 0/1', async () => {
    const families = await merged(worker(3, 1), worker(4, 2));
    expect(value(families.get('gatehouse_requests_total'), (v) => v.labels.listener === 'lsn-1' && v.labels.status_class === '2xx')).toBe(7);
    const histogram = families.get('gatehouse_request_duration_seconds');
    expect(value(histogram, (v) => v.metricName === 'gatehouse_request_duration_seconds_count' && v.labels.listener === 'lsn-1')).toBe(7);
    expect(value(histogram, (v) => v.metricName === 'gatehouse_request_duration_seconds_bucket' && v.labels.le === 0.01)).toBe(7);
    expect(value(families.get('gatehouse_active_connections'), (v) => v.labels.listener === 'lsn-1')).toBe(3);
    const health = families.get('gatehouse_backend_health');
    expect(value(health, (v) => v.labels.server === '127.0.0.1:8080')).toBe(1);
    expect(value(health, (v) => v.labels.server === '127.0.0.1:8081')).toBe(0);
    expect(health?.aggregator).toBe('min');
  });

  it('a single engine merges to its own values', async () => {
    const families = await merged(worker(2, 1));
    expect(value(families.get('gatehouse_requests_total'), (v) => v.labels.status_class === '2xx')).toBe(2);
    expect(value(families.get('gatehouse_backend_health'), (v) => v.labels.server === '127.0.0.1:8080')).toBe(1);
  });
});
