/**
 * ServerGroup (SPEC 1.6): the backends a listener forwards to, how they are scheduled,
 * health-checked, made sticky and drained.
 */
import { z } from 'zod';
import { fieldsWith, replaces } from '../field-facts.ts';
import type { DeepReadonly, ResourceKind, StoredResource } from '../resource-kind.ts';
import { applyRules, crossFieldRule, requiredWhen, type FieldRule } from '../field-rules.ts';
import { canonicalIp } from '../net.ts';
import { commonOutputShape, findDuplicates, ipOrHostName, optionalShape, plainText, resourceName, TEXT_RULE } from './common.ts';
import { serverGroupHealthSchema } from '../api/server-health.ts';
import { healthCheckSchema, type HealthCheckInput } from './health-check.ts';
import { tagsField } from './tags.ts';

/** MAX_SERVERS is the largest number of servers in one group. */
export const MAX_SERVERS = 200;
/** DEFAULT_SERVER_WEIGHT is the weight of a server that names none (the top of 0–100). */
export const DEFAULT_SERVER_WEIGHT = 100;

/** COOKIE_NAME_PATTERN is an RFC 6265 cookie-name token, 1–200 characters. */
export const COOKIE_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,200}$/;

const serverSchema = z
  .strictObject({
    address: ipOrHostName('Address of the server: an IP address or a host name.'),
    port: z.number().int().min(1).max(65535).describe('Port of the server, 1–65535.'),
    weight: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(DEFAULT_SERVER_WEIGHT)
      .describe(`Weight of the server, 0–100; 0 = no new traffic.`),
    description: plainText(1, 256).optional().describe(`Free-text description of the server, 1–256 characters, ${TEXT_RULE}.`),
  })
  .describe('One backend server.');

/** stickySessionRules are the rules of a group's stickySession: following the backend's cookie needs its name. */
export const stickySessionRules: readonly FieldRule[] = [
  requiredWhen('cookie', { path: 'type', equals: 'Server' }, 'stickySession.cookie is required when stickySession.type is Server.', {
    id: 'server-cookie-requires-name',
    message: 'is required when the type is Server',
  }),
];

const stickySession = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Session persistence is on.'),
    type: z
      .enum(['Insert', 'Server'])
      .default('Insert')
      .describe('`Insert`: the engine sets a cookie; `Server`: the backend\'s cookie named `cookie` is followed.'),
    cookieTimeout: z.number().int().min(1).max(86400).default(1000).describe('Lifetime of an inserted cookie in seconds, 1–86400.'),
    cookie: z
      .string()
      .regex(COOKIE_NAME_PATTERN, { message: 'must be a cookie name of 1–200 token characters' })
      .optional()
      .describe('Name of the backend\'s cookie; required when type is `Server`.'),
  })
  .superRefine(applyRules(stickySessionRules))
  .describe('Session persistence.');

const connectionDrain = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Let in-flight requests of a removed server finish.'),
    timeout: z.number().int().min(0).max(900).default(300).describe('Seconds a removed server\'s in-flight requests may take, 0–900.'),
  })
  .describe('Connection draining on server removal.');

const protocolField = replaces(z.enum(['HTTP', 'HTTPS']).describe('Protocol to the backends: `HTTP` or `HTTPS`.'));

const groupMutableShape = {
  name: resourceName('server group'),
  scheduler: z
    .enum(['Wrr', 'Wlc', 'Sch'])
    .default('Wrr')
    .describe('`Wrr` weighted round robin, `Wlc` weighted least connections, `Sch` source-IP consistent hash.'),
  servers: z
    .array(serverSchema)
    .default([])
    .describe(`Backend servers: at most ${MAX_SERVERS}, each (address, port) once.`),
  healthCheck: healthCheckSchema.prefault({}),
  stickySession: stickySession.prefault({}),
  connectionDrain: connectionDrain.prefault({}),
  tags: tagsField(),
};

type GroupFields = { protocol?: 'HTTP' | 'HTTPS'; servers: { address: string; port: number }[] };

/** serverGroupRules are the ServerGroup's rules across its servers: how many, and each (address, port) once. */
export const serverGroupRules: readonly FieldRule[] = [
  crossFieldRule<GroupFields>({
    id: 'servers-limit',
    description: `servers holds at most ${MAX_SERVERS} servers.`,
    reads: ['servers'],
    check: (v) => (v.servers.length > MAX_SERVERS ? [{ path: ['servers'], message: `at most ${MAX_SERVERS} servers, got ${v.servers.length}` }] : []),
  }),
  crossFieldRule<GroupFields>({
    id: 'servers-unique',
    description: 'Each (address, port) appears once in servers; host names compare without case, IP addresses by value.',
    reads: ['servers'],
    check: (v) => {
      // Host names compare without case; IP literals by address, so `::1` and `0::1` are one server.
      const key = (s: { address: string; port: number }) => `${canonicalIp(s.address) ?? s.address.toLowerCase()} ${s.port}`;
      return findDuplicates(v.servers, key).map(({ index, first }) => ({ path: ['servers', index], message: `duplicates servers[${first}] (same address and port)` }));
    },
  }),
];

/** HealthCheck is a server group's healthCheck with its protocol resolved. */
export type HealthCheck = Omit<HealthCheckInput, 'protocol'> & { protocol: 'HTTP' | 'HTTPS' | 'TCP' };

function resolveHealthCheckProtocol<T extends { protocol: 'HTTP' | 'HTTPS'; healthCheck: HealthCheckInput }>(
  v: T,
): Omit<T, 'healthCheck'> & { healthCheck: HealthCheck } {
  return { ...v, healthCheck: { ...v.healthCheck, protocol: v.healthCheck.protocol ?? v.protocol } };
}

/** serverGroupCreateSchema is the strict create body of a ServerGroup. */
export const serverGroupCreateSchema = z
  .strictObject({ protocol: protocolField.default('HTTP'), ...groupMutableShape })
  .superRefine(applyRules(serverGroupRules))
  .transform(resolveHealthCheckProtocol)
  .describe('A group of backend servers with scheduling, health checks, stickiness and draining.');

/** serverGroupUpdateSchema is the strict PUT body of a ServerGroup; healthCheck.protocol resolves when the group protocol is known. */
export const serverGroupUpdateSchema = z
  .strictObject({
    protocol: protocolField.optional(),
    ...groupMutableShape,
    ...optionalShape(commonOutputShape),
  })
  .superRefine(applyRules(serverGroupRules))
  .transform((v) => (v.protocol === undefined ? v : resolveHealthCheckProtocol({ ...v, protocol: v.protocol })))
  .describe('The full desired state of a server group (PUT).');

/** serverGroupOutputSchema is a ServerGroup as every read returns it. */
export const serverGroupOutputSchema = z
  .object({
    ...commonOutputShape,
    protocol: protocolField,
    ...groupMutableShape,
    healthCheck: healthCheckSchema
      .extend({
        protocol: z.enum(['HTTP', 'HTTPS', 'TCP']).describe('Protocol of the check: `HTTP`, `HTTPS` or `TCP`.'),
      })
      .describe(healthCheckSchema.description ?? ''),
  })
  .describe('A group of backend servers with scheduling, health checks, stickiness and draining.');

/** ServerGroupCreate is a parsed create body. */
export type ServerGroupCreate = z.output<typeof serverGroupCreateSchema>;
/** ServerGroupOutput is a ServerGroup as read. */
export type ServerGroupOutput = z.output<typeof serverGroupOutputSchema>;

/** serverGroupStoredSchema is a server group as the store keeps it: all of its output. */
export const serverGroupStoredSchema = serverGroupOutputSchema;

/** serverGroupSnapshotSchema is what the engine gets of a server group: its servers, scheduler, health check, stickiness and draining, every default applied. */
export const serverGroupSnapshotSchema = z.strictObject({
  id: commonOutputShape.id,
  version: commonOutputShape.version,
  protocol: protocolField,
  scheduler: groupMutableShape.scheduler,
  servers: z.array(serverSchema),
  healthCheck: serverGroupOutputSchema.shape.healthCheck,
  stickySession,
  connectionDrain,
});

/** SnapshotServerGroup is a server group in the engine snapshot. */
export type SnapshotServerGroup = DeepReadonly<z.output<typeof serverGroupSnapshotSchema>>;

/** serverGroupToSnapshot projects a stored server group into the engine snapshot (absent optional fields stay absent). */
export function serverGroupToSnapshot(stored: StoredResource<ServerGroupOutput>): SnapshotServerGroup {
  const b = stored.body;
  const { host, ...check } = b.healthCheck;
  const { cookie, ...sticky } = b.stickySession;
  return {
    id: stored.id,
    version: stored.version,
    protocol: b.protocol,
    scheduler: b.scheduler,
    servers: b.servers.map((s) => (s.description === undefined
      ? { address: s.address, port: s.port, weight: s.weight }
      : { address: s.address, port: s.port, weight: s.weight, description: s.description })),
    healthCheck: host === undefined ? check : { ...check, host },
    stickySession: cookie === undefined ? sticky : { ...sticky, cookie },
    connectionDrain: b.connectionDrain,
  };
}

/** ServerGroup is the ResourceKind of server groups. */
export const ServerGroup: ResourceKind<typeof serverGroupCreateSchema, typeof serverGroupUpdateSchema, typeof serverGroupOutputSchema, typeof serverGroupStoredSchema> = {
  name: 'ServerGroup',
  collection: 'server-groups',
  idPrefix: 'sgp-',
  token: 'gatehouse:index:ServerGroup',
  create: serverGroupCreateSchema,
  update: serverGroupUpdateSchema,
  output: serverGroupOutputSchema,
  stored: serverGroupStoredSchema,
  replaceFields: fieldsWith(serverGroupCreateSchema.in.shape, 'replaces'),
  secretFields: fieldsWith(serverGroupCreateSchema.in.shape, 'secret'),
  outputFields: [],
  rules: serverGroupRules,
  listFilters: ['tag'],
  subRoutes: [
    {
      name: 'health',
      operationId: 'getServerGroupHealth',
      summary: 'Runtime health of each server of the group (not configuration).',
      response: serverGroupHealthSchema,
    },
  ],
  runtimeStatus: false,
  readTimeFields: [],
  fixedOutputs: {},
  engineFaultField: '',
  systemResources: false,
};
