/**
 * Listener (SPEC 1.2): an HTTP or HTTPS listener on a load balancer. The fields marked
 * "HTTPS only" are refused on an HTTP listener and absent from its reads; on an HTTPS
 * listener their defaults are applied by parsing.
 */
import { z } from 'zod';
import { DEFAULT_TLS_POLICY_ID } from '../tls-policies.ts';
import type { DeepReadonly, ResourceKind, StoredResource } from '../resource-kind.ts';
import {
  commonOutputShape,
  descriptionField,
  idRef,
  issueAt,
  optionalShape,
  portField,
  secondsField,
} from './common.ts';
import {
  CLIENT_CERT_HEADER_FIELDS,
  clientCertHeaderSchemas,
  forwardedHeadersSchema,
  forwardedHeadersSnapshotSchema,
  toForwardedHeadersConfig,
} from './forwarded-headers.ts';
import { listenerCertificatesSchema } from './listener-certificates.ts';
import { tagsField } from './tags.ts';

/** LISTENER_HTTPS_ONLY_FIELDS are the top-level fields an HTTP listener may not carry. */
export const LISTENER_HTTPS_ONLY_FIELDS = ['http2Enabled', 'certificates', 'tlsPolicyId', 'mutualAuthentication', 'quic'] as const;

const mutualAuthentication = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Require a client certificate chaining to the CA certificate (not on Basic load balancers). Default false.'),
    caCertificateId: idRef('The `CA` certificate client certificates must chain to; required when enabled.').optional(),
  })
  .describe('Mutual TLS (HTTPS only).');

const quic = z
  .strictObject({
    upgradeEnabled: z.boolean().default(false).describe('Advertise HTTP/3 (Alt-Svc) for the associated QUIC listener. Default false.'),
    quicListenerId: idRef('The QuicListener on the same load balancer, associated with no other listener; required when upgradeEnabled.').optional(),
  })
  .describe('QUIC upgrade (HTTPS only).');

/** listenerReplaceShape holds the fields that cannot change in place. */
const listenerReplaceShape = {
  loadBalancerId: idRef('The load balancer the listener belongs to (replace).'),
  protocol: z.enum(['HTTP', 'HTTPS']).describe('Protocol of the listener: `HTTP` or `HTTPS` (replace).'),
  port: portField('Port the listener accepts connections on, 1–65535 (replace; rule P).'),
};

const listenerMutableShape = {
  description: descriptionField('listener'),
  tags: tagsField(),
  defaultServerGroupId: idRef('The server group requests are forwarded to.'),
  http2Enabled: z.boolean().optional().describe('Offer HTTP/2 by ALPN (HTTPS only; default true).'),
  idleTimeout: secondsField(1, 600, 15, 'A client connection with no request in flight is closed after this time'),
  requestTimeout: secondsField(1, 600, 60, 'A request without a backend response within this time gets 504'),
  compressionEnabled: z.boolean().default(true).describe('Compress eligible responses with Brotli or gzip. Default true.'),
  underscoreHeadersEnabled: z
    .boolean()
    .default(false)
    .describe(
      'Forward request fields whose names contain `_`. Default false: backends that map fields to CGI-style names read `X_Forwarded_For` as `X-Forwarded-For`, so a client could spoof the fields the listener computes.',
    ),
  certificates: listenerCertificatesSchema.optional().describe('Certificates (HTTPS only, required there).'),
  tlsPolicyId: idRef(`TLS security policy, system or custom (HTTPS only; default \`${DEFAULT_TLS_POLICY_ID}\`).`).optional(),
  mutualAuthentication: mutualAuthentication.optional(),
  forwardedHeaders: forwardedHeadersSchema.prefault({}),
  quic: quic.optional(),
};

const listenerOutputShape = {
  status: z
    .enum(['Provisioning', 'Running', 'Configuring', 'Failed'])
    .describe('`Provisioning` → `Running`; `Configuring` while a change is applied; `Failed` when the engine could not apply it.'),
  statusReason: z.string().optional().describe('Why the listener is `Failed`.'),
};

type ListenerFields = z.output<z.ZodObject<typeof listenerMutableShape>> & {
  loadBalancerId?: string;
  protocol?: 'HTTP' | 'HTTPS';
  port?: number;
};

function checkListener(v: ListenerFields, ctx: z.RefinementCtx): void {
  if (v.protocol === 'HTTP') {
    for (const field of LISTENER_HTTPS_ONLY_FIELDS) {
      if (v[field] !== undefined) issueAt(ctx, [field], `${field} is HTTPS only; an HTTP listener may not set it`);
    }
    for (const field of CLIENT_CERT_HEADER_FIELDS) {
      if (v.forwardedHeaders[field] !== undefined) {
        issueAt(ctx, ['forwardedHeaders', field], `${field} is HTTPS only; an HTTP listener may not set it`);
      }
    }
    return;
  }
  if (v.protocol === 'HTTPS' && v.certificates === undefined) {
    issueAt(ctx, ['certificates'], 'an HTTPS listener requires certificates.defaultCertificateId');
  }
  if (v.mutualAuthentication?.enabled && v.mutualAuthentication.caCertificateId === undefined) {
    issueAt(ctx, ['mutualAuthentication', 'caCertificateId'], 'is required when mutual authentication is enabled');
  }
  if (v.quic?.upgradeEnabled && v.quic.quicListenerId === undefined) {
    issueAt(ctx, ['quic', 'quicListenerId'], 'is required when the QUIC upgrade is enabled');
  }
}

/** applyHttpsDefaults fills the HTTPS-only defaults of an HTTPS listener; an HTTP one is left without them. */
function applyHttpsDefaults<T extends ListenerFields>(v: T): T {
  if (v.protocol !== 'HTTPS') return v;
  const fh = { ...v.forwardedHeaders };
  for (const field of CLIENT_CERT_HEADER_FIELDS) fh[field] ??= clientCertHeaderSchemas[field].parse({});
  return {
    ...v,
    http2Enabled: v.http2Enabled ?? true,
    tlsPolicyId: v.tlsPolicyId ?? DEFAULT_TLS_POLICY_ID,
    mutualAuthentication: v.mutualAuthentication ?? { enabled: false },
    quic: v.quic ?? { upgradeEnabled: false },
    forwardedHeaders: fh,
  };
}

/** listenerCreateSchema is the strict create body of a Listener; parsing applies every default. */
export const listenerCreateSchema = z
  .strictObject({ ...listenerReplaceShape, ...listenerMutableShape })
  .superRefine(checkListener)
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
  .superRefine(checkListener)
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

const { status: _status, statusReason: _statusReason, ...listenerStoredShape } = listenerOutputSchema.shape;

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
  replaceFields: Object.keys(listenerReplaceShape),
  secretFields: [],
  outputFields: Object.keys(listenerOutputShape),
  listFilters: ['tag', 'loadBalancerId'],
  subRoutes: [],
  runtimeStatus: true,
  readTimeFields: [],
  fixedOutputs: {},
  systemResources: false,
};
