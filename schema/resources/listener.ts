/**
 * Listener (SPEC 1.2): an HTTP or HTTPS listener on a load balancer. The fields marked
 * "HTTPS only" are refused on an HTTP listener and absent from its reads; on an HTTPS
 * listener their defaults are applied by parsing.
 */
import { z } from 'zod';
import { DEFAULT_TLS_POLICY_ID } from '../tls-policies.ts';
import { fieldsWith, httpsDefaults, httpsOnly, replaces } from '../field-facts.ts';
import type { DeepReadonly, ResourceKind, StoredResource } from '../resource-kind.ts';
import { applyRules, forbiddenWhen, requiredWhen, type FieldCondition, type FieldRule } from '../field-rules.ts';
import {
  commonOutputShape,
  descriptionField,
  idRef,
  nodeStatusesField,
  optionalShape,
  portField,
  secondsField,
} from './common.ts';
import {
  CLIENT_CERT_HEADER_FIELDS,
  forwardedHeadersSchema,
  forwardedHeadersSnapshotSchema,
  toForwardedHeadersConfig,
} from './forwarded-headers.ts';
import { listenerCertificatesSchema } from './listener-certificates.ts';
import { tagsField } from './tags.ts';

const mutualAuthentication = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Require a client certificate chaining to the CA certificate (not on Basic load balancers).'),
    caCertificateId: idRef('The `CA` certificate client certificates must chain to; required when enabled.').optional(),
  })
  .describe('Mutual TLS.');

const quic = z
  .strictObject({
    upgradeEnabled: z.boolean().default(false).describe('Advertise HTTP/3 (Alt-Svc) for the associated QUIC listener.'),
    quicListenerId: idRef('The QuicListener on the same load balancer, associated with no other listener; required when upgradeEnabled.').optional(),
  })
  .describe('QUIC upgrade.');

/** listenerReplaceShape holds the fields that cannot change in place. */
const listenerReplaceShape = {
  loadBalancerId: replaces(idRef('The load balancer the listener belongs to.')),
  protocol: replaces(z.enum(['HTTP', 'HTTPS']).describe('Protocol of the listener: `HTTP` or `HTTPS`.')),
  port: replaces(portField('Port the listener accepts connections on, 1–65535 (rule P).')),
};

const listenerMutableShape = {
  description: descriptionField('listener'),
  tags: tagsField(),
  defaultServerGroupId: idRef('The server group requests are forwarded to.'),
  http2Enabled: httpsOnly(z.boolean().optional().describe('Offer HTTP/2 by ALPN.'), true),
  idleTimeout: secondsField(1, 600, 15, 'A client connection with no request in flight is closed after this time'),
  requestTimeout: secondsField(1, 600, 60, 'A request without a backend response within this time gets 504'),
  compressionEnabled: z.boolean().default(true).describe('Compress eligible responses with Brotli or gzip.'),
  underscoreHeadersEnabled: z
    .boolean()
    .default(false)
    .describe(
      'Forward request fields whose names contain `_`. Off by default because backends that map fields to CGI-style names read `X_Forwarded_For` as `X-Forwarded-For`, so a client could spoof the fields the listener computes.',
    ),
  certificates: httpsOnly(listenerCertificatesSchema.optional().describe('The certificates the listener serves; an HTTPS listener requires them.')),
  tlsPolicyId: httpsOnly(idRef('TLS security policy, system or custom.').optional(), DEFAULT_TLS_POLICY_ID),
  mutualAuthentication: httpsOnly(mutualAuthentication.optional(), { enabled: false }),
  forwardedHeaders: forwardedHeadersSchema.prefault({}),
  quic: httpsOnly(quic.optional(), { upgradeEnabled: false }),
};

/** LISTENER_HTTPS_ONLY_FIELDS are the top-level fields an HTTP listener may not carry (each declares `httpsOnly`). */
export const LISTENER_HTTPS_ONLY_FIELDS = fieldsWith(listenerMutableShape, 'httpsOnly');

/** FORWARDED_HEADERS_HTTPS_DEFAULTS are the client-certificate entries an HTTPS listener's forwardedHeaders gets when omitted. */
const FORWARDED_HEADERS_HTTPS_DEFAULTS = httpsDefaults(forwardedHeadersSchema.shape);

/** LISTENER_HTTPS_DEFAULTS are what an HTTPS listener gets for the HTTPS-only fields it omits. */
const LISTENER_HTTPS_DEFAULTS = httpsDefaults(listenerMutableShape);

const listenerStatusEnum = z.enum(['Provisioning', 'Running', 'Configuring', 'Failed']);

const listenerOutputShape = {
  status: listenerStatusEnum.describe(
    '`Provisioning` → `Running`; `Configuring` while a change is applied; `Failed` when the engine could not apply it. In a cluster, `Running` when every node runs it and `Failed` when any node could not.',
  ),
  statusReason: z.string().optional().describe('Why the listener is `Failed`.'),
  nodes: nodeStatusesField(listenerStatusEnum),
};

type ListenerFields = z.output<z.ZodObject<typeof listenerMutableShape>> & {
  loadBalancerId?: string;
  protocol?: 'HTTP' | 'HTTPS';
  port?: number;
};

const HTTP_LISTENER: FieldCondition = { path: 'protocol', equals: 'HTTP' };
const NOT_HTTP_LISTENER: FieldCondition = { path: 'protocol', notEquals: 'HTTP' };

/**
 * listenerRules are the Listener's cross-field rules, in the order their failures are
 * reported: an HTTP listener carries no HTTPS-only field; an HTTPS listener has certificates;
 * mutual TLS and the QUIC upgrade, when enabled, name what they use.
 */
export const listenerRules: readonly FieldRule[] = [
  ...LISTENER_HTTPS_ONLY_FIELDS.map((field) =>
    forbiddenWhen(field, HTTP_LISTENER, `An HTTP listener may not set ${field} (HTTPS only).`, {
      id: `https-only-${field}`,
      message: `${field} is HTTPS only; an HTTP listener may not set it`,
    }),
  ),
  ...CLIENT_CERT_HEADER_FIELDS.map((field) =>
    forbiddenWhen(`forwardedHeaders.${field}`, HTTP_LISTENER, `An HTTP listener may not set forwardedHeaders.${field} (HTTPS only).`, {
      id: `https-only-forwardedHeaders-${field}`,
      message: `${field} is HTTPS only; an HTTP listener may not set it`,
    }),
  ),
  requiredWhen('certificates', { path: 'protocol', equals: 'HTTPS' }, 'An HTTPS listener requires certificates.', {
    id: 'https-requires-certificates',
    message: 'an HTTPS listener requires certificates.defaultCertificateId',
  }),
  requiredWhen(
    'mutualAuthentication.caCertificateId',
    [NOT_HTTP_LISTENER, { path: 'mutualAuthentication.enabled', truthy: true }],
    'mutualAuthentication.caCertificateId is required when mutualAuthentication.enabled is true.',
    { id: 'mutual-authentication-requires-ca', message: 'is required when mutual authentication is enabled' },
  ),
  requiredWhen(
    'quic.quicListenerId',
    [NOT_HTTP_LISTENER, { path: 'quic.upgradeEnabled', truthy: true }],
    'quic.quicListenerId is required when quic.upgradeEnabled is true.',
    { id: 'quic-upgrade-requires-listener', message: 'is required when the QUIC upgrade is enabled' },
  ),
];

/** applyHttpsDefaults fills the HTTPS-only defaults of an HTTPS listener; an HTTP one is left without them. */
function applyHttpsDefaults<T extends ListenerFields>(v: T): T {
  if (v.protocol !== 'HTTPS') return v;
  const fh = { ...v.forwardedHeaders };
  for (const [field, value] of FORWARDED_HEADERS_HTTPS_DEFAULTS) {
    if (fh[field] === undefined) Object.assign(fh, { [field]: structuredClone(value) });
  }
  const withDefaults: T = { ...v, forwardedHeaders: fh };
  for (const [field, value] of LISTENER_HTTPS_DEFAULTS) {
    if (withDefaults[field] === undefined) Object.assign(withDefaults, { [field]: structuredClone(value) });
  }
  return withDefaults;
}

/** listenerCreateSchema is the strict create body of a Listener; parsing applies every default. */
export const listenerCreateSchema = z
  .strictObject({ ...listenerReplaceShape, ...listenerMutableShape })
  .superRefine(applyRules(listenerRules))
  .transform(applyHttpsDefaults)
  .describe('An HTTP or HTTPS listener of a load balancer.');

/** listenerUpdateSchema is the strict PUT body of a Listener. */
export const listenerUpdateSchema = z
  .strictObject({
    ...optionalShape(listenerReplaceShape),
    ...listenerMutableShape,
    ...optionalShape(commonOutputShape),
    ...optionalShape(listenerOutputShape),
  })
  .superRefine(applyRules(listenerRules))
  .transform(applyHttpsDefaults)
  .describe('The full desired state of a listener (PUT).');

/** listenerOutputSchema is a Listener as every read returns it. */
export const listenerOutputSchema = z
  .object({ ...commonOutputShape, ...listenerReplaceShape, ...listenerMutableShape, ...listenerOutputShape })
  .describe('An HTTP or HTTPS listener of a load balancer.');

/** ListenerCreate is a parsed create body. */
export type ListenerCreate = z.output<typeof listenerCreateSchema>;
/** ListenerOutput is a Listener as read. */
export type ListenerOutput = z.output<typeof listenerOutputSchema>;

const { status: _status, statusReason: _statusReason, nodes: _nodes, ...listenerStoredShape } = listenerOutputSchema.shape;

/**
 * listenerStoredSchema is a listener as the store keeps it (the output without the status the
 * engine reports), told apart by its protocol: an HTTPS listener carries every HTTPS-only
 * field, its defaults applied when it was written; an HTTP listener carries none.
 */
export const listenerStoredSchema = z.discriminatedUnion('protocol', [
  z.object({
    ...listenerStoredShape,
    protocol: z.literal('HTTP'),
    http2Enabled: z.never().optional(),
    certificates: z.never().optional(),
    tlsPolicyId: z.never().optional(),
    mutualAuthentication: z.never().optional(),
    quic: z.never().optional(),
  }),
  z.object({
    ...listenerStoredShape,
    protocol: z.literal('HTTPS'),
    http2Enabled: listenerMutableShape.http2Enabled.unwrap(),
    certificates: listenerMutableShape.certificates.unwrap(),
    tlsPolicyId: listenerMutableShape.tlsPolicyId.unwrap(),
    mutualAuthentication: listenerMutableShape.mutualAuthentication.unwrap(),
    quic: listenerMutableShape.quic.unwrap(),
  }),
]);

/** StoredListener is a listener as the store keeps it. */
export type StoredListener = z.output<typeof listenerStoredSchema>;

/** listenerTlsSnapshotSchema is the TLS side of an HTTPS listener in the engine snapshot. */
const listenerTlsSnapshotSchema = z.strictObject({
  http2Enabled: z.boolean().describe('Offer HTTP/2 by ALPN.'),
  ...listenerCertificatesSchema.shape,
  tlsPolicyId: z.string().describe('The TLS security policy.'),
  mutualAuthentication,
  quic,
});

/** listenerSnapshotSchema is what the engine gets of an HTTP or HTTPS listener, every default applied. */
export const listenerSnapshotSchema = z.strictObject({
  id: commonOutputShape.id,
  version: commonOutputShape.version,
  ...listenerReplaceShape,
  defaultServerGroupId: listenerMutableShape.defaultServerGroupId,
  idleTimeout: listenerMutableShape.idleTimeout,
  requestTimeout: listenerMutableShape.requestTimeout,
  compressionEnabled: listenerMutableShape.compressionEnabled,
  underscoreHeadersEnabled: listenerMutableShape.underscoreHeadersEnabled,
  tls: listenerTlsSnapshotSchema.optional().describe('Present exactly when protocol is HTTPS.'),
  forwardedHeaders: forwardedHeadersSnapshotSchema,
});

/** SnapshotListener is an HTTP or HTTPS listener in the engine snapshot. */
export type SnapshotListener = DeepReadonly<z.output<typeof listenerSnapshotSchema>>;

/** listenerToSnapshot projects a stored listener into the engine snapshot. */
export function listenerToSnapshot(stored: StoredResource<StoredListener>): SnapshotListener {
  const b = stored.body;
  const listener = {
    id: stored.id,
    version: stored.version,
    loadBalancerId: b.loadBalancerId,
    protocol: b.protocol,
    port: b.port,
    defaultServerGroupId: b.defaultServerGroupId,
    idleTimeout: b.idleTimeout,
    requestTimeout: b.requestTimeout,
    compressionEnabled: b.compressionEnabled,
    underscoreHeadersEnabled: b.underscoreHeadersEnabled,
    forwardedHeaders: toForwardedHeadersConfig(b.forwardedHeaders),
  };
  if (b.protocol === 'HTTP') return listener;
  const { certificates, mutualAuthentication: mtls, quic: upgrade } = b;
  const tls: SnapshotListener['tls'] = {
    http2Enabled: b.http2Enabled,
    defaultCertificateId: certificates.defaultCertificateId,
    additionalCertificateIds: certificates.additionalCertificateIds,
    tlsPolicyId: b.tlsPolicyId,
    mutualAuthentication: mtls.enabled ? { enabled: true, caCertificateId: mtls.caCertificateId } : { enabled: false },
    quic: upgrade.upgradeEnabled ? { upgradeEnabled: true, quicListenerId: upgrade.quicListenerId } : { upgradeEnabled: false },
  };
  return { ...listener, tls };
}

/**
 * listenerFieldNaming is the field of a listener (as the engine snapshot holds it) that names
 * resource `id`, as a path (`tlsPolicyId`, `certificates.additionalCertificateIds[2]`, …), or
 * undefined when the listener does not name it.
 */
export function listenerFieldNaming(listener: SnapshotListener, id: string): string | undefined {
  if (listener.loadBalancerId === id) return 'loadBalancerId';
  if (listener.defaultServerGroupId === id) return 'defaultServerGroupId';
  const tls = listener.tls;
  if (tls === undefined) return undefined;
  if (tls.tlsPolicyId === id) return 'tlsPolicyId';
  if (tls.defaultCertificateId === id) return 'certificates.defaultCertificateId';
  const i = tls.additionalCertificateIds.indexOf(id);
  if (i >= 0) return `certificates.additionalCertificateIds[${i}]`;
  if (tls.mutualAuthentication.enabled && tls.mutualAuthentication.caCertificateId === id) return 'mutualAuthentication.caCertificateId';
  if (tls.quic.upgradeEnabled && tls.quic.quicListenerId === id) return 'quic.quicListenerId';
  return undefined;
}

/** Listener is the ResourceKind of HTTP/HTTPS listeners. */
export const Listener: ResourceKind<typeof listenerCreateSchema, typeof listenerUpdateSchema, typeof listenerOutputSchema, typeof listenerStoredSchema> = {
  name: 'Listener',
  collection: 'listeners',
  idPrefix: 'lsn-',
  token: 'gatehouse:index:Listener',
  create: listenerCreateSchema,
  update: listenerUpdateSchema,
  output: listenerOutputSchema,
  stored: listenerStoredSchema,
  replaceFields: fieldsWith({ ...listenerReplaceShape, ...listenerMutableShape }, 'replaces'),
  secretFields: fieldsWith({ ...listenerReplaceShape, ...listenerMutableShape }, 'secret'),
  outputFields: Object.keys(listenerOutputShape),
  rules: listenerRules,
  listFilters: ['tag', 'loadBalancerId'],
  subRoutes: [],
  runtimeStatus: true,
  readTimeFields: [],
  fixedOutputs: {},
  engineFaultField: '',
  systemResources: false,
};
