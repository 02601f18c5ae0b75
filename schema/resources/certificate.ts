/**
 * Certificate (SPEC 1.4): a `Server` certificate with its private key, or a `CA` certificate
 * for mutual TLS. The model checks presence and shape; parsing the PEM, matching the key and
 * the wildcard rules are in `certificate-inspect.ts`, which needs the stored key on PUT.
 */
import { z } from 'zod';
import { fieldsWith, replaces, secret } from '../field-facts.ts';
import type { DeepReadonly, ResourceKind, StoredResource } from '../resource-kind.ts';
import { applyRules, forbiddenWhen, requiredWhen, type FieldRule } from '../field-rules.ts';
import { commonOutputShape, optionalShape, resourceName } from './common.ts';
import { tagsField } from './tags.ts';

/** MAX_PEM_LENGTH bounds a certificate chain or key text; a chain of ten 4096-bit certificates fits. */
export const MAX_PEM_LENGTH = 65_536;

const typeField = replaces(z.enum(['Server', 'CA']).describe('`Server` (served to clients, has a key) or `CA` (verifies client certificates).'));

const certMutableShape = {
  name: resourceName('certificate'),
  certificatePem: z.string().min(1).max(MAX_PEM_LENGTH).describe('PEM text: the leaf certificate first, then its chain.'),
  privateKeyPem: secret(
    z
      .string()
      .min(1)
      .max(MAX_PEM_LENGTH)
      .optional()
      .describe('PEM private key of the leaf: required for `Server`, forbidden for `CA`. On update, omitted = keep the stored key.'),
  ),
  tags: tagsField(),
};

const certOutputShape = {
  commonName: z.string().describe('Common name (CN) of the leaf subject; empty when it has none.'),
  domains: z.array(z.string()).describe('DNS subject alternative names, else the common name: the names SNI matches.'),
  subjectDn: z.string().describe('Subject distinguished name of the leaf.'),
  issuerDn: z.string().describe('Issuer distinguished name of the leaf.'),
  serialNumber: z.string().describe('Serial number of the leaf, hex.'),
  notBefore: z.string().describe('Start of validity (RFC 3339).'),
  notAfter: z.string().describe('End of validity (RFC 3339).'),
  fingerprintSha256: z.string().describe('SHA-256 fingerprint of the leaf, colon-separated upper-case hex.'),
  keyAlgorithm: z.string().describe('Key algorithm and size of the leaf, e.g. `RSA-2048`, `EC-P256`.'),
  expired: z.boolean().describe('Whether notAfter has passed, computed at read time.'),
};

const caCarriesNoKey = forbiddenWhen('privateKeyPem', { path: 'type', equals: 'CA' }, 'A CA certificate may not carry privateKeyPem.', {
  id: 'ca-has-no-key',
  message: 'a CA certificate may not carry a private key',
});

/**
 * certificateRules are the rules of a create body: a CA certificate carries no key, a Server
 * certificate carries one. A PUT runs only the first, since an omitted key keeps the stored one.
 */
export const certificateRules: readonly FieldRule[] = [
  caCarriesNoKey,
  requiredWhen('privateKeyPem', { path: 'type', equals: 'Server' }, 'A Server certificate requires privateKeyPem (on update, an omitted key keeps the stored one).', {
    id: 'server-requires-key',
    message: 'is required for a Server certificate',
  }),
];

/** certificateCreateSchema is the strict create body of a Certificate. */
export const certificateCreateSchema = z
  .strictObject({ type: typeField.default('Server'), ...certMutableShape })
  .superRefine(applyRules(certificateRules))
  .describe('A TLS certificate: `Server` with its private key, or `CA` for mutual TLS.');

/** certificateUpdateSchema is the strict PUT body of a Certificate (an omitted key keeps the stored one). */
export const certificateUpdateSchema = z
  .strictObject({
    type: typeField.optional(),
    ...certMutableShape,
    ...optionalShape(commonOutputShape),
    ...optionalShape(certOutputShape),
  })
  .superRefine(applyRules([caCarriesNoKey]))
  .describe('The full desired state of a certificate (PUT); an omitted privateKeyPem keeps the stored key.');

const { privateKeyPem: _secret, ...certReadableShape } = certMutableShape;

/** certificateOutputSchema is a Certificate as every read returns it: never the private key. */
export const certificateOutputSchema = z
  .object({ ...commonOutputShape, type: typeField, ...certReadableShape, ...certOutputShape })
  .describe('A TLS certificate: `Server` with its private key, or `CA` for mutual TLS.');

/** CertificateCreate is a parsed create body. */
export type CertificateCreate = z.output<typeof certificateCreateSchema>;
/** CertificateOutput is a Certificate as read. */
export type CertificateOutput = z.output<typeof certificateOutputSchema>;
/** CertificateInspection is what the server derives from the PEM: the read-only outputs except `expired`. */
export type CertificateInspection = Omit<z.output<z.ZodObject<typeof certOutputShape>>, 'expired'>;

/** certificateStoredSchema is a certificate as the store keeps it: its output without `expired`, computed at read time (the key is sealed in its own column). */
export const certificateStoredSchema = certificateOutputSchema.omit({ expired: true });

/** StoredCertificate is a certificate as the store keeps it. */
export type StoredCertificate = z.output<typeof certificateStoredSchema>;

/** certificateSnapshotSchema is what the engine gets of a certificate: the PEM, the names SNI matches and, for a Server certificate, the decrypted key. */
export const certificateSnapshotSchema = z.strictObject({
  id: commonOutputShape.id,
  type: typeField,
  certificatePem: certMutableShape.certificatePem,
  privateKeyPem: certMutableShape.privateKeyPem,
  domains: certOutputShape.domains,
});

/** SnapshotCertificate is a certificate in the engine snapshot, with its decrypted key (Server) or none (CA). */
export type SnapshotCertificate = DeepReadonly<z.output<typeof certificateSnapshotSchema>>;

/** certificateToSnapshot projects a stored certificate and its opened key (if it has one) into the engine snapshot. */
export function certificateToSnapshot(stored: StoredResource<StoredCertificate>, privateKeyPem: string | undefined): SnapshotCertificate {
  const b = stored.body;
  const cert: z.output<typeof certificateSnapshotSchema> = { id: stored.id, type: b.type, certificatePem: b.certificatePem, domains: b.domains };
  if (privateKeyPem !== undefined) cert.privateKeyPem = privateKeyPem;
  return cert;
}

/** Certificate is the ResourceKind of certificates. */
export const Certificate: ResourceKind<typeof certificateCreateSchema, typeof certificateUpdateSchema, typeof certificateOutputSchema, typeof certificateStoredSchema> = {
  name: 'Certificate',
  collection: 'certificates',
  idPrefix: 'cert-',
  token: 'gatehouse:index:Certificate',
  create: certificateCreateSchema,
  update: certificateUpdateSchema,
  output: certificateOutputSchema,
  stored: certificateStoredSchema,
  replaceFields: fieldsWith(certificateCreateSchema.shape, 'replaces'),
  secretFields: fieldsWith(certificateCreateSchema.shape, 'secret'),
  outputFields: Object.keys(certOutputShape),
  rules: certificateRules,
  listFilters: ['tag'],
  subRoutes: [],
  runtimeStatus: false,
  readTimeFields: ['expired'],
  fixedOutputs: {},
  engineFaultField: 'certificatePem',
  systemResources: false,
};
