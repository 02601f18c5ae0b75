/**
 * How the forms present the schema's fields: labels (the seed's, such as "Listener Port"),
 * order, which fields fold under "Advanced settings", the seed's longer explanations, and which
 * collection a reference field picks from. Presentation only: every type, bound, default and
 * rule comes from the kinds' schemas (schema-fields.ts), so nothing here may restate them.
 */
import type { ResourceKindName } from '../../../schema/resource-kind.ts';
import type { Collection } from '../router.ts';

/** Reference says which collection a field picks an id from, and which items the picker offers. */
export interface Reference {
  readonly collection: Collection;
  /** Offer only the items whose fields have these values (a certificate's `type`). */
  readonly offer?: Readonly<Record<string, string>>;
}

/** Presentation is what the table says about one field. */
export interface Presentation {
  readonly label?: string;
  readonly order?: number;
  /** Folded under "Advanced settings". */
  readonly advanced?: boolean;
  /** A longer explanation shown under the field, besides the schema's description. */
  readonly explain?: string;
  readonly reference?: Reference;
  /** Not edited in a form. */
  readonly hidden?: boolean;
}

const SERVER_CERTIFICATE: Reference = { collection: 'certificates', offer: { type: 'Server' } };
const CA_CERTIFICATE: Reference = { collection: 'certificates', offer: { type: 'CA' } };

const LISTENER_COMMON: Record<string, Presentation> = {
  loadBalancerId: { label: 'Load balancer', order: 0, reference: { collection: 'load-balancers' } },
  protocol: { label: 'Listener Protocol', order: 1 },
  port: {
    label: 'Listener Port',
    order: 2,
    explain: 'Typically HTTP uses port 80 and HTTPS port 443. On one load balancer, the ports of its listeners must be unique.',
  },
  description: { label: 'Listener Name', order: 3 },
  tags: { label: 'Tag', order: 4, explain: 'After you add tags, you can filter listeners by tag.' },
  defaultServerGroupId: { label: 'Server Group', order: 5, reference: { collection: 'server-groups' } },
  certificates: { label: 'SSL Certificates', order: 6 },
  'certificates.defaultCertificateId': { label: 'Server Certificate', reference: SERVER_CERTIFICATE },
  'certificates.additionalCertificateIds': { label: 'Extension certificates', reference: SERVER_CERTIFICATE },
  idleTimeout: {
    label: 'Idle Connection Timeout Period',
    order: 21,
    advanced: true,
    explain: 'If no request arrives within the timeout period, the load balancer closes the connection and opens a new one when the next request arrives.',
  },
  requestTimeout: {
    label: 'Connection Request Timeout',
    order: 22,
    advanced: true,
    explain: 'If the backend server does not respond within the timeout period, the load balancer stops waiting and returns HTTP 504 to the client.',
  },
};

const LISTENER: Record<string, Presentation> = {
  ...LISTENER_COMMON,
  tlsPolicyId: { label: 'TLS Security Policy', order: 8, reference: { collection: 'tls-policies' } },
  mutualAuthentication: { label: 'Mutual Authentication', order: 7 },
  'mutualAuthentication.enabled': {
    label: 'Enable mutual authentication',
    explain: 'The server uses a CA certificate to verify the client certificate; if the verification fails, the connection is refused. Only Standard and WAF-enabled load balancers support mutual authentication.',
  },
  'mutualAuthentication.caCertificateId': { label: 'Default CA Certificate', reference: CA_CERTIFICATE },
  http2Enabled: { label: 'Enable HTTP/2', order: 20, advanced: true },
  compressionEnabled: {
    label: 'Data Compression',
    order: 23,
    advanced: true,
    explain:
      'When enabled, eligible responses are compressed; when disabled, nothing is. Brotli compresses all file types; gzip compresses text/xml, text/plain, text/css, application/javascript, application/x-javascript, application/rss+xml, application/atom+xml, application/xml and application/json. If a client accepts both, Brotli is used.',
  },
  forwardedHeaders: { label: 'Additional HTTP Header Fields', order: 24, advanced: true },
  'forwardedHeaders.xForwardedFor': { label: 'X-Forwarded-For', order: 1 },
  'forwardedHeaders.xForwardedFor.enabled': {
    label: 'Add X-Forwarded-For to preserve client IP addresses',
    explain:
      'If not selected, the X-Forwarded-For header of the request is left as it is. Format: X-Forwarded-For: <client-ip-address>, <proxy1>, <proxy2>, …',
  },
  'forwardedHeaders.xForwardedFor.mode': {
    label: 'X-Forwarded-For action',
    explain:
      'append (Add, the default): the IP address of the last hop is added to the X-Forwarded-For header, which is created if the request has none. remove: the X-Forwarded-For header is removed before the request is forwarded.',
  },
  'forwardedHeaders.clientIp': { label: 'Retrieve Client IP', order: 0 },
  'forwardedHeaders.clientIp.enabled': {
    label: 'Retrieve Client IP',
    explain:
      'Retrieve the client IP address from the X-Forwarded-For header; you must then list the trusted IP addresses. With 0.0.0.0/0 the leftmost address of the header is the client. Otherwise the addresses of the header are compared from right to left against the trusted list, and the first one not on it is the client. Not supported by Basic load balancers.',
  },
  'forwardedHeaders.clientIp.trustedProxies': { label: 'Trusted IP addresses' },
  'forwardedHeaders.slbId': { label: 'SLB-ID', order: 2, explain: 'Add the SLB-ID header field to get the load balancer ID.' },
  'forwardedHeaders.proto': { label: 'X-Forwarded-Proto', order: 3, explain: "Add the X-Forwarded-Proto header field to get the listener's protocol." },
  'forwardedHeaders.port': { label: 'X-Forwarded-Port', order: 4, explain: "Add the X-Forwarded-Port header field to get the listener's port." },
  'forwardedHeaders.host': { label: 'X-Forwarded-Host', order: 5, explain: 'Add the X-Forwarded-Host header field to get the domain name the client asked for.' },
  'forwardedHeaders.clientSrcPort': {
    label: 'X-Forwarded-Client-srcport',
    order: 6,
    explain: 'Add the X-Forwarded-Client-srcport header field to get the port of the client.',
  },
  'forwardedHeaders.clientCertSubjectDn': {
    label: 'X-Forwarded-Clientcert-subjectdn',
    order: 7,
    explain: 'Add the X-Forwarded-Clientcert-subjectdn header field to get the owner information of the client certificate.',
  },
  'forwardedHeaders.clientCertIssuerDn': {
    label: 'X-Forwarded-Clientcert-issuerdn',
    order: 8,
    explain: 'Add the X-Forwarded-Clientcert-issuerdn header field to get the issuer of the client certificate.',
  },
  'forwardedHeaders.clientCertFingerprint': {
    label: 'X-Forwarded-Clientcert-fingerprint',
    order: 9,
    explain: 'Add the X-Forwarded-Clientcert-fingerprint header field to get the fingerprint of the client certificate.',
  },
  'forwardedHeaders.clientCertClientVerify': {
    label: 'X-Forwarded-Clientcert-clientverify',
    order: 10,
    explain: 'Add the X-Forwarded-Clientcert-clientverify header field to get the verification result of the client certificate.',
  },
  underscoreHeadersEnabled: { label: 'Forward header fields with underscores', order: 25, advanced: true },
  quic: { label: 'QUIC Upgrade', order: 26, advanced: true },
  'quic.upgradeEnabled': { label: 'Enable QUIC upgrade', explain: 'If enabled, select a QUIC listener of the same load balancer.' },
  'quic.quicListenerId': { label: 'Associated QUIC listener', reference: { collection: 'quic-listeners' } },
};

const TABLE: Readonly<Record<ResourceKindName, Readonly<Record<string, Presentation>>>> = {
  Listener: LISTENER,
  QuicListener: { ...LISTENER_COMMON, port: { label: 'Listener Port (UDP)', order: 2 } },
  LoadBalancer: {
    name: { order: 0 },
    address: { order: 1 },
    edition: { order: 2 },
    deletionProtection: { label: 'Deletion protection', order: 3 },
    tags: { order: 4 },
  },
  Certificate: {
    name: { order: 0 },
    type: { order: 1 },
    certificatePem: { label: 'Certificate (PEM)', order: 2 },
    privateKeyPem: { label: 'Private key (PEM)', order: 3 },
    tags: { order: 4 },
  },
  TlsSecurityPolicy: {
    name: { order: 0 },
    tlsVersions: { label: 'TLS versions', order: 1 },
    ciphers: { label: 'Cipher suites', order: 2 },
    tags: { order: 3 },
  },
  ServerGroup: {
    name: { order: 0 },
    protocol: { label: 'Backend protocol', order: 1 },
    scheduler: { order: 2 },
    servers: { label: 'Servers', order: 3 },
    'servers[].address': { label: 'Address' },
    'servers[].port': { label: 'Port' },
    healthCheck: { label: 'Health check', order: 10, advanced: true },
    'healthCheck.httpVersion': { label: 'HTTP version' },
    stickySession: { label: 'Session persistence', order: 11, advanced: true },
    connectionDrain: { label: 'Connection draining', order: 12, advanced: true },
    tags: { order: 5 },
  },
};

/** presentationOf is what the table says about a field of a kind (nothing: an empty object). */
export function presentationOf(kind: ResourceKindName, schemaPath: string): Presentation {
  return TABLE[kind][schemaPath] ?? {};
}

/** KIND_TITLES are the names of the kinds as the pages say them. */
export const KIND_TITLES: Readonly<Record<ResourceKindName, string>> = {
  LoadBalancer: 'load balancer',
  Listener: 'listener',
  QuicListener: 'QUIC listener',
  Certificate: 'certificate',
  TlsSecurityPolicy: 'TLS policy',
  ServerGroup: 'server group',
};
