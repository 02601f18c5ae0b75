/**
 * QuicListener (SPEC 1.3): an HTTP/3 listener on UDP. TLS 1.3 only, so it has no TLS policy;
 * it reports `Unavailable` only where the engine's QUIC transport cannot load.
 */
import { z } from 'zod';
import { fieldsWith, replaces } from '../field-facts.ts';
import type { DeepReadonly, ResourceKind, StoredResource } from '../resource-kind.ts';
import { commonOutputShape, descriptionField, idRef, nodeStatusesField, optionalShape, portField, secondsField } from './common.ts';
import { listenerCertificatesSchema } from './listener-certificates.ts';
import { tagsField } from './tags.ts';

const quicReplaceShape = {
  loadBalancerId: replaces(idRef('The load balancer the QUIC listener belongs to.')),
  port: replaces(portField('UDP port of the QUIC listener, 1–65535 (rule P).')),
};

const quicMutableShape = {
  description: descriptionField('QUIC listener'),
  tags: tagsField(),
  defaultServerGroupId: idRef('The server group requests are forwarded to.'),
  idleTimeout: secondsField(1, 600, 15, 'A client connection with no request in flight is closed after this time'),
  requestTimeout: secondsField(1, 600, 60, 'A request without a backend response within this time gets 504'),
  certificates: listenerCertificatesSchema,
};

const quicStatusEnum = z.enum(['Provisioning', 'Running', 'Configuring', 'Failed', 'Unavailable']);

const quicOutputShape = {
  status: quicStatusEnum.describe('`Running` only while the engine serves HTTP/3 on the port; `Failed` when the port cannot be bound; `Unavailable` where the QUIC transport cannot load on the platform.'),
  statusReason: z.string().optional().describe('Why the QUIC listener is `Failed` or `Unavailable`; on a `Running` one that lists additional certificates, that they are not served (one certificate per QUIC port).'),
  nodes: nodeStatusesField(quicStatusEnum),
};

/** quicListenerCreateSchema is the strict create body of a QuicListener. */
export const quicListenerCreateSchema = z
  .strictObject({ ...quicReplaceShape, ...quicMutableShape })
  .describe('An HTTP/3 (QUIC) listener of a load balancer.');

/** quicListenerUpdateSchema is the strict PUT body of a QuicListener. */
export const quicListenerUpdateSchema = z
  .strictObject({
    ...optionalShape(quicReplaceShape),
    ...quicMutableShape,
    ...optionalShape(commonOutputShape),
    ...optionalShape(quicOutputShape),
  })
  .describe('The full desired state of a QUIC listener (PUT).');

/** quicListenerOutputSchema is a QuicListener as every read returns it. */
export const quicListenerOutputSchema = z
  .object({ ...commonOutputShape, ...quicReplaceShape, ...quicMutableShape, ...quicOutputShape })
  .describe('An HTTP/3 (QUIC) listener of a load balancer.');

/** QuicListenerCreate is a parsed create body. */
export type QuicListenerCreate = z.output<typeof quicListenerCreateSchema>;
/** QuicListenerOutput is a QuicListener as read. */
export type QuicListenerOutput = z.output<typeof quicListenerOutputSchema>;

/** quicListenerStoredSchema is a QUIC listener as the store keeps it: its output without the status the engine reports. */
export const quicListenerStoredSchema = quicListenerOutputSchema.omit({ status: true, statusReason: true, nodes: true });

/** StoredQuicListener is a QUIC listener as the store keeps it. */
export type StoredQuicListener = z.output<typeof quicListenerStoredSchema>;

/** quicListenerSnapshotSchema is what the engine gets of a QUIC listener. */
export const quicListenerSnapshotSchema = z.strictObject({
  id: commonOutputShape.id,
  version: commonOutputShape.version,
  ...quicReplaceShape,
  defaultServerGroupId: quicMutableShape.defaultServerGroupId,
  idleTimeout: quicMutableShape.idleTimeout,
  requestTimeout: quicMutableShape.requestTimeout,
  ...listenerCertificatesSchema.shape,
});

/** SnapshotQuicListener is a QUIC listener in the engine snapshot. */
export type SnapshotQuicListener = DeepReadonly<z.output<typeof quicListenerSnapshotSchema>>;

/** quicListenerToSnapshot projects a stored QUIC listener into the engine snapshot. */
export function quicListenerToSnapshot(stored: StoredResource<StoredQuicListener>): SnapshotQuicListener {
  const b = stored.body;
  return {
    id: stored.id,
    version: stored.version,
    loadBalancerId: b.loadBalancerId,
    port: b.port,
    defaultServerGroupId: b.defaultServerGroupId,
    idleTimeout: b.idleTimeout,
    requestTimeout: b.requestTimeout,
    defaultCertificateId: b.certificates.defaultCertificateId,
    additionalCertificateIds: b.certificates.additionalCertificateIds,
  };
}

/** QuicListener is the ResourceKind of HTTP/3 listeners. */
export const QuicListener: ResourceKind<typeof quicListenerCreateSchema, typeof quicListenerUpdateSchema, typeof quicListenerOutputSchema, typeof quicListenerStoredSchema> = {
  name: 'QuicListener',
  collection: 'quic-listeners',
  idPrefix: 'lsn-',
  token: 'gatehouse:index:QuicListener',
  create: quicListenerCreateSchema,
  update: quicListenerUpdateSchema,
  output: quicListenerOutputSchema,
  stored: quicListenerStoredSchema,
  replaceFields: fieldsWith({ ...quicReplaceShape, ...quicMutableShape }, 'replaces'),
  secretFields: fieldsWith({ ...quicReplaceShape, ...quicMutableShape }, 'secret'),
  outputFields: Object.keys(quicOutputShape),
  rules: [],
  listFilters: ['tag', 'loadBalancerId'],
  subRoutes: [],
  runtimeStatus: true,
  readTimeFields: [],
  fixedOutputs: {},
  engineFaultField: '',
  systemResources: false,
};
