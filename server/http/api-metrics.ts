/**
 * API request metrics for /metrics: a counter and a latency histogram per route template and
 * status, registered on the app's own prom-client Registry (never the global default one, so
 * two apps in one process, as in tests, do not collide).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** registerApiMetrics records every answered request on `registry`. */
export function registerApiMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'gatehouse_api_requests_total',
    help: 'Management API requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gatehouse_api_request_duration_seconds',
    help: 'Management API request latency by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route template, not the URL, keeps label cardinality bounded (ids are not labels).
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
