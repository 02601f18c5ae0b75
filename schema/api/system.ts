/**
 * The small fixed bodies of the management API as zod models: the dry-run verdict, the liveness
 * answer, the OpenAPI document's outline and the Prometheus text of `/metrics`.
 */
import { z } from 'zod';

/** dryRunResultSchema is the answer of a write with `?dryRun=true` that passed every check. */
export const dryRunResultSchema = z
  .object({ valid: z.literal(true).describe('Every check of the write passed; nothing was changed.') })
  .describe('Dry run: every check a real write runs passed, and nothing changed.');

/** DryRunResult is `{"valid": true}`. */
export type DryRunResult = z.output<typeof dryRunResultSchema>;

/** workerStatusSchema is one engine worker slot of the node, as `GET /v1/healthz` reports it. */
export const workerStatusSchema = z
  .object({
    worker: z.number().int().min(1).describe('The worker slot, from 1.'),
    pid: z.number().int().nullable().describe('The process id of the slot\'s worker; null while none runs.'),
    state: z
      .enum(['starting', 'running', 'restarting', 'stopped'])
      .describe('`running`: serves and counts for listener status; `starting`: started, not yet running the current configuration; `restarting`: died, to be started again; `stopped`: the node is stopping.'),
    appliedVersion: z.number().int().nullable().describe('The configuration revision the worker last applied; null before its first.'),
    restarts: z.number().int().min(0).describe('How many times the slot\'s worker was started again after dying.'),
    crashLooping: z.boolean().describe('The worker keeps dying soon after each start, so it is started again with a growing pause.'),
    lastExit: z.string().nullable().describe('How and when the slot\'s last worker ended; null when none has.'),
  })
  .describe('One engine worker of the node.');

/** WorkerStatus is one engine worker slot. */
export type WorkerStatus = z.output<typeof workerStatusSchema>;

/** engineStatusSchema is the node's engine as `GET /v1/healthz` reports it. */
export const engineStatusSchema = z
  .object({
    mode: z.enum(['in-process', 'workers']).describe('`workers`: the engine runs in worker processes (`--workers` 2 or more); `in-process`: in the server\'s own process (`--workers 1`).'),
    appliedVersion: z.number().int().describe('The configuration revision the node last finished applying; -1 before the first.'),
    workers: z.array(workerStatusSchema).describe('The engine workers; empty in-process.'),
  })
  .describe('The node\'s forwarding engine.');

/** EngineNodeStatus is the node's engine, its workers and what they run. */
export type EngineNodeStatus = z.output<typeof engineStatusSchema>;

/** clusterNodeSchema is one live node of a cluster, as `GET /v1/healthz` reports it. */
export const clusterNodeSchema = z
  .object({
    name: z.string().describe('The node\'s name (--node-name; by default its host name and API address).'),
    apiUrl: z.string().describe('Where the node\'s management API listens.'),
    bindAddress: z.string().optional().describe('Where the node binds the listeners of load balancers on a wildcard address (--bind-address).'),
    appliedVersion: z.number().int().describe('The configuration revision the node\'s engine last applied; -1 before its first.'),
    heartbeatAgeSeconds: z.number().min(0).describe('Seconds since the node\'s last heartbeat, by the database\'s clock.'),
    self: z.boolean().describe('This is the node that answered.'),
  })
  .describe('A live node of the cluster.');

/** clusterStatusSchema is the cluster a node belongs to (a PostgreSQL store shared by several nodes). */
export const clusterStatusSchema = z
  .object({
    node: z.string().describe('The node that answered.'),
    store: z.string().describe('The shared store, without credentials.'),
    nodes: z.array(clusterNodeSchema).describe('Every live node: heartbeat within the last 10 seconds.'),
  })
  .describe('The cluster of nodes sharing the store.');

/** ClusterStatus is the node that answered and the live nodes. */
export type ClusterStatus = z.output<typeof clusterStatusSchema>;

/** livenessSchema is the answer of `GET /v1/healthz`. */
export const livenessSchema = z
  .object({
    status: z.literal('ok'),
    engine: engineStatusSchema.optional().describe('Present when the API runs with an engine and the request carries the admin token.'),
    cluster: clusterStatusSchema.optional().describe('Present on a node of a cluster when the request carries the admin token.'),
  })
  .describe('The management API answers, how its engine runs and, in a cluster, which node answered.');

/** Liveness is `{"status": "ok", "engine": …}`. */
export type Liveness = z.output<typeof livenessSchema>;

/** openApiDocumentSchema outlines the OpenAPI 3.1 document the API serves about itself. */
export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string().describe('The OpenAPI version, `3.1.0`.'),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
    components: z.record(z.string(), z.unknown()),
  })
  .describe('The OpenAPI 3.1 document of this API, generated from its route table and the resource schemas.');

/** metricsTextSchema is the Prometheus text exposition format of `/metrics`. */
export const metricsTextSchema = z.string().describe('Prometheus text exposition format.');
