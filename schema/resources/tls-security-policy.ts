/**
 * TlsSecurityPolicy (SPEC 1.5): a custom set of TLS versions and ciphers. System policies
 * (`system: true`, ids = names) are read-only and live in `tls-policies.ts`.
 *
 * Consistency: every cipher must be supported by a chosen version and every chosen version
 * must have a chosen cipher. Gatehouse also refuses version sets with a gap (e.g. TLS 1.0 and
 * 1.2 without 1.1): OpenSSL enforces a contiguous min..max range, so such a policy would
 * silently serve the version it leaves out.
 */
import { z } from 'zod';
import type { DeepReadonly, ResourceKind } from '../resource-kind.ts';
import { applyRules, crossFieldRule, type FieldRule, type RuleIssue } from '../field-rules.ts';
import { ALL_CIPHERS, CIPHERS_BY_VERSION, openSslSettingsSchema, TLS_VERSIONS, toOpenSslSettings, type CipherName, type TlsVersion } from '../tls-policies.ts';
import { commonOutputShape, findDuplicates, optionalShape } from './common.ts';
import { tagsField } from './tags.ts';

/** TLS_POLICY_NAME_PATTERN: 2–128 characters of `[A-Za-z0-9._-]`, starting with a letter. */
export const TLS_POLICY_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{1,127}$/;

const policyMutableShape = {
  name: z
    .string()
    .regex(TLS_POLICY_NAME_PATTERN, { message: 'must be 2–128 characters of [A-Za-z0-9._-], starting with a letter' })
    .describe('Name of the policy: 2–128 characters of [A-Za-z0-9._-], starting with a letter.'),
  tlsVersions: z
    .array(z.enum(TLS_VERSIONS))
    .min(1)
    .describe('TLS versions offered: a non-empty, contiguous subset of TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3.'),
  ciphers: z
    .array(z.enum(ALL_CIPHERS))
    .min(1)
    .describe('Cipher suites offered (OpenSSL/IANA names); each must be supported by a chosen version.'),
  tags: tagsField(),
};

const policyOutputShape = {
  system: z.boolean().describe('True for the read-only system policies; false for custom ones.'),
};

type VersionsAndCiphers = { readonly tlsVersions: readonly TlsVersion[]; readonly ciphers: readonly CipherName[] };

/** tlsSecurityPolicyRules are the consistency rules of a version and cipher choice, in the order their failures are reported. */
export const tlsSecurityPolicyRules: readonly FieldRule<VersionsAndCiphers>[] = [
  crossFieldRule<VersionsAndCiphers>({
    id: 'tls-versions-unique',
    description: 'tlsVersions names each version once.',
    reads: ['tlsVersions'],
    check: ({ tlsVersions }) =>
      findDuplicates(tlsVersions, (v) => v).map(({ index, first }) => ({ path: ['tlsVersions', index], message: `duplicates tlsVersions[${first}]` })),
  }),
  crossFieldRule<VersionsAndCiphers>({
    id: 'ciphers-unique',
    description: 'ciphers names each cipher suite once.',
    reads: ['ciphers'],
    check: ({ ciphers }) => findDuplicates(ciphers, (c) => c).map(({ index, first }) => ({ path: ['ciphers', index], message: `duplicates ciphers[${first}]` })),
  }),
  crossFieldRule<VersionsAndCiphers>({
    id: 'cipher-supported-by-a-version',
    description: 'Every cipher suite in ciphers is supported by at least one of tlsVersions.',
    reads: ['tlsVersions', 'ciphers'],
    check: ({ tlsVersions, ciphers }) => {
      const issues: RuleIssue[] = [];
      ciphers.forEach((cipher, i) => {
        if (!tlsVersions.some((v) => CIPHERS_BY_VERSION[v].includes(cipher))) {
          issues.push({ path: ['ciphers', i], message: `${cipher} is not supported by any chosen TLS version (${tlsVersions.join(', ')})` });
        }
      });
      return issues;
    },
  }),
  crossFieldRule<VersionsAndCiphers>({
    id: 'version-has-a-cipher',
    description: 'Every version in tlsVersions has at least one cipher suite in ciphers that it supports.',
    reads: ['tlsVersions', 'ciphers'],
    check: ({ tlsVersions, ciphers }) => {
      const issues: RuleIssue[] = [];
      for (const version of new Set(tlsVersions)) {
        if (!ciphers.some((c) => CIPHERS_BY_VERSION[version].includes(c))) {
          issues.push({ path: ['tlsVersions', tlsVersions.indexOf(version)], message: `${version} has no chosen cipher it supports` });
        }
      }
      return issues;
    },
  }),
  crossFieldRule<VersionsAndCiphers>({
    id: 'tls-versions-contiguous',
    description: 'tlsVersions is a contiguous range (OpenSSL serves every version between the lowest and the highest).',
    reads: ['tlsVersions'],
    check: ({ tlsVersions }) => {
      const indexes = TLS_VERSIONS.map((v, i) => (tlsVersions.includes(v) ? i : -1)).filter((i) => i >= 0);
      const lo = indexes[0];
      const hi = indexes[indexes.length - 1];
      if (lo === undefined || hi === undefined || hi - lo + 1 === indexes.length) return [];
      const missing = TLS_VERSIONS.slice(lo, hi + 1).filter((v) => !tlsVersions.includes(v));
      return [
        {
          path: ['tlsVersions'],
          message: `TLS versions must be contiguous (OpenSSL serves every version between the lowest and highest); add ${missing.join(', ')} or narrow the range`,
        },
      ];
    },
  }),
];

/**
 * tlsPolicyProblems lists the consistency failures of a version and cipher choice, with the
 * path each belongs to: the model's rules, run by anything that checks a policy it did not parse.
 */
export function tlsPolicyProblems(tlsVersions: readonly TlsVersion[], ciphers: readonly CipherName[]): { path: PropertyKey[]; message: string }[] {
  return tlsSecurityPolicyRules.flatMap((rule) => rule.check({ tlsVersions, ciphers }).map((p) => ({ path: [...p.path], message: p.message })));
}

/** tlsSecurityPolicyCreateSchema is the strict create body of a custom TLS policy. */
export const tlsSecurityPolicyCreateSchema = z
  .strictObject(policyMutableShape)
  .superRefine(applyRules(tlsSecurityPolicyRules))
  .describe('A custom TLS security policy: the TLS versions and cipher suites a listener offers.');

/** tlsSecurityPolicyUpdateSchema is the strict PUT body of a custom TLS policy. */
export const tlsSecurityPolicyUpdateSchema = z
  .strictObject({ ...policyMutableShape, ...optionalShape(commonOutputShape), ...optionalShape(policyOutputShape) })
  .superRefine(applyRules(tlsSecurityPolicyRules))
  .describe('The full desired state of a custom TLS security policy (PUT).');

/** tlsSecurityPolicyOutputSchema is a policy as every read returns it, system or custom. */
export const tlsSecurityPolicyOutputSchema = z
  .object({ ...commonOutputShape, ...policyMutableShape, ...policyOutputShape })
  .describe('A TLS security policy: the TLS versions and cipher suites a listener offers.');

/** TlsSecurityPolicyCreate is a parsed create body. */
export type TlsSecurityPolicyCreate = z.output<typeof tlsSecurityPolicyCreateSchema>;
/** TlsSecurityPolicyOutput is a policy as read. */
export type TlsSecurityPolicyOutput = z.output<typeof tlsSecurityPolicyOutputSchema>;

/** tlsSecurityPolicyStoredSchema is a custom TLS policy as the store keeps it: all of its output. */
export const tlsSecurityPolicyStoredSchema = tlsSecurityPolicyOutputSchema;

/** tlsPolicySnapshotSchema is what the engine gets of a policy, system or custom: its versions and ciphers, and the OpenSSL settings they make. */
export const tlsPolicySnapshotSchema = z.strictObject({
  id: commonOutputShape.id,
  tlsVersions: policyMutableShape.tlsVersions,
  ciphers: policyMutableShape.ciphers,
  openssl: openSslSettingsSchema,
});

/** SnapshotTlsPolicy is a TLS policy in the engine snapshot. */
export type SnapshotTlsPolicy = DeepReadonly<z.output<typeof tlsPolicySnapshotSchema>>;

/** tlsPolicyToSnapshot projects a policy (a stored custom one, or a system one) into the engine snapshot. */
export function tlsPolicyToSnapshot(policy: { readonly id: string; readonly tlsVersions: readonly TlsVersion[]; readonly ciphers: readonly CipherName[] }): SnapshotTlsPolicy {
  const versionsAndCiphers = { tlsVersions: [...policy.tlsVersions], ciphers: [...policy.ciphers] };
  return { id: policy.id, ...versionsAndCiphers, openssl: toOpenSslSettings(versionsAndCiphers) };
}

/** TlsSecurityPolicy is the ResourceKind of custom TLS policies. */
export const TlsSecurityPolicy: ResourceKind<
  typeof tlsSecurityPolicyCreateSchema,
  typeof tlsSecurityPolicyUpdateSchema,
  typeof tlsSecurityPolicyOutputSchema,
  typeof tlsSecurityPolicyStoredSchema
> = {
  name: 'TlsSecurityPolicy',
  collection: 'tls-policies',
  idPrefix: 'tlsp-',
  token: 'gatehouse:index:TlsSecurityPolicy',
  create: tlsSecurityPolicyCreateSchema,
  update: tlsSecurityPolicyUpdateSchema,
  output: tlsSecurityPolicyOutputSchema,
  stored: tlsSecurityPolicyStoredSchema,
  replaceFields: [],
  secretFields: [],
  outputFields: Object.keys(policyOutputShape),
  rules: tlsSecurityPolicyRules,
  listFilters: ['tag'],
  subRoutes: [],
  runtimeStatus: false,
  readTimeFields: [],
  fixedOutputs: { system: false },
  engineFaultField: 'ciphers',
  systemResources: true,
};
