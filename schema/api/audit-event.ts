/**
 * The audit log entry of SPEC §3 (`GET /v1/events`) as a zod model: one committed change, with
 * the resource, its version after the change and where the change came from.
 */
import { z } from 'zod';

/** AUDIT_ACTIONS are what can happen to a resource. */
export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;

/** auditEventSchema is one change as the API returns it. */
export const auditEventSchema = z
  .object({
    seq: z.number().int().min(1).describe('Monotonic position in the log; `?since=<seq>` resumes after it.'),
    time: z.iso.datetime().describe('When the change was committed (RFC 3339, UTC).'),
    action: z.enum(AUDIT_ACTIONS).describe('What happened: `create`, `update` or `delete`.'),
    kind: z.string().describe('The resource kind, e.g. `Listener`.'),
    resourceId: z.string().describe('The id of the resource that changed.'),
    version: z.number().int().min(1).describe('The resource version after the change (the last version for a delete).'),
    sourceAddress: z.string().describe('The client address the change came from.'),
    revision: z.number().int().min(1).describe('The store revision the change produced (the snapshot version that carries it).'),
  })
  .describe('One committed change to a resource.');

/** AuditEvent is one change as the API returns it. */
export type AuditEvent = Readonly<z.output<typeof auditEventSchema>>;
