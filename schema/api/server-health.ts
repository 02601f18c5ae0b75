/**
 * Runtime health of a server group's servers (SPEC 1.6, `GET /v1/server-groups/{id}/health`)
 * as zod models: what the engine's health checks last saw, not configuration.
 */
import { z } from 'zod';

/** SERVER_HEALTH_STATES are a server's states: in rotation, out of it, or not checked (no running listener uses the group). */
export const SERVER_HEALTH_STATES = ['Healthy', 'Unhealthy', 'Unchecked'] as const;

/** serverHealthSchema is the runtime health of one backend server. */
export const serverHealthSchema = z
  .object({
    address: z.string().describe('The server address, as configured.'),
    port: z.number().int().min(1).max(65535).describe('The server port, as configured.'),
    state: z.enum(SERVER_HEALTH_STATES).describe('`Healthy`, `Unhealthy`, or `Unchecked` when no running listener uses the group.'),
    lastCheck: z
      .object({
        at: z.string().describe('When the check ran (RFC 3339).'),
        ok: z.boolean().describe('Whether it passed.'),
        detail: z.string().describe('What it saw, e.g. the status code or the connection error.'),
      })
      .optional()
      .describe('The last health check result, once one has run.'),
  })
  .describe('The runtime health of one backend server.');

/** ServerHealth is the runtime health of one backend server. */
export type ServerHealth = z.output<typeof serverHealthSchema>;

/** serverGroupHealthSchema is the answer of the server-group health route. */
export const serverGroupHealthSchema = z
  .object({
    serverGroupId: z.string().describe('The server group.'),
    node: z
      .string()
      .optional()
      .describe('On a node of a cluster: the node that answered. Each node checks its backends itself, so another node may see them otherwise.'),
    servers: z.array(serverHealthSchema).describe('Each server of the group, in configuration order.'),
  })
  .describe('Runtime health of each server of a server group.');

/** ServerGroupHealth is the answer of the server-group health route. */
export type ServerGroupHealth = z.output<typeof serverGroupHealthSchema>;
