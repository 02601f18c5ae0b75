/**
 * TLS versions, the cipher table and the five system TLS policies of SPEC 1.5, plus the
 * mapping of a policy to the OpenSSL settings the engine configures.
 */
import { z } from 'zod';

/** TLS_VERSIONS lists the versions a policy may choose, oldest first. */
export const TLS_VERSIONS = ['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
/** TlsVersion is one protocol version name as the API spells it. */
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** CIPHERS_TLS10 are the suites usable with TLS 1.0 and 1.1 (and 1.2). */
export const CIPHERS_TLS10 = [
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-RSA-AES256-SHA',
  'AES128-SHA',
  'AES256-SHA',
  'DES-CBC3-SHA',
] as const;

/** CIPHERS_TLS12 are the 19 suites usable with TLS 1.2. */
export const CIPHERS_TLS12 = [
  ...CIPHERS_TLS10,
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-RSA-AES256-SHA384',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-SHA256',
  'AES256-SHA256',
] as const;

/** CIPHERS_TLS13 are the TLS 1.3 suites, configured separately from the TLS ≤1.2 list. */
export const CIPHERS_TLS13 = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
] as const;


/** ALL_CIPHERS is every cipher name a custom policy may list. */
export const ALL_CIPHERS = [...CIPHERS_TLS12, ...CIPHERS_TLS13] as const;
/** CipherName is one cipher suite name a policy may list. */
export type CipherName = (typeof ALL_CIPHERS)[number];

/** CIPHERS_BY_VERSION is the table of SPEC 1.5: which cipher names each version supports. */
export const CIPHERS_BY_VERSION: Readonly<Record<TlsVersion, readonly CipherName[]>> = {
  'TLSv1.0': CIPHERS_TLS10,
  'TLSv1.1': CIPHERS_TLS10,
  'TLSv1.2': CIPHERS_TLS12,
  'TLSv1.3': CIPHERS_TLS13,
};

const ECDHE_TLS12 = CIPHERS_TLS12.filter((c) => c.startsWith('ECDHE-'));

/** SystemTlsPolicy is a read-only policy that every edition may use. */
export interface SystemTlsPolicy {
  readonly id: string;
  readonly name: string;
  readonly tlsVersions: readonly TlsVersion[];
  readonly ciphers: readonly CipherName[];
}

function systemPolicy(id: string, tlsVersions: TlsVersion[], ciphers: readonly CipherName[]): SystemTlsPolicy {
  return Object.freeze({ id, name: id, tlsVersions: Object.freeze(tlsVersions), ciphers: Object.freeze([...ciphers]) });
}

/** SYSTEM_TLS_POLICIES are the five built-in policies, in the order the API lists them. */
export const SYSTEM_TLS_POLICIES: readonly SystemTlsPolicy[] = Object.freeze([
  systemPolicy('tls_cipher_policy_1_0', ['TLSv1.0', 'TLSv1.1', 'TLSv1.2'], CIPHERS_TLS12),
  systemPolicy('tls_cipher_policy_1_1', ['TLSv1.1', 'TLSv1.2'], CIPHERS_TLS12),
  systemPolicy('tls_cipher_policy_1_2', ['TLSv1.2'], CIPHERS_TLS12),
  systemPolicy('tls_cipher_policy_1_2_strict', ['TLSv1.2'], ECDHE_TLS12),
  systemPolicy('tls_cipher_policy_1_2_strict_with_1_3', ['TLSv1.2', 'TLSv1.3'], [...ECDHE_TLS12, ...CIPHERS_TLS13]),
]);

/** DEFAULT_TLS_POLICY_ID is the policy an HTTPS listener gets when it names none. */
export const DEFAULT_TLS_POLICY_ID = 'tls_cipher_policy_1_2_strict_with_1_3';

/** systemPolicyById finds a system policy by its id (= its name). */
export function systemPolicyById(id: string): SystemTlsPolicy | undefined {
  return SYSTEM_TLS_POLICIES.find((p) => p.id === id);
}

/** NODE_TLS_VERSIONS are the version names as node:tls spells them (`minVersion`, `maxVersion`). */
const NODE_TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** openSslSettingsSchema is what node:tls needs to enforce one policy (E2). */
export const openSslSettingsSchema = z.strictObject({
  minVersion: z.enum(NODE_TLS_VERSIONS).describe('Lowest version, as node:tls spells it.'),
  maxVersion: z.enum(NODE_TLS_VERSIONS).describe('Highest version, as node:tls spells it.'),
  cipherList: z.string().describe('The TLS ≤1.2 cipher list (OpenSSL `ciphers`), with `@SECLEVEL=0` appended when needed.'),
  tls13Suites: z.string().describe('The TLS 1.3 suites (OpenSSL `ciphersuites`), colon-separated; empty when 1.3 is off.'),
  secLevel0: z.boolean().describe('Whether `@SECLEVEL=0` is required: TLS 1.0/1.1 or 3DES are in the policy.'),
});

/** OpenSslSettings are what node:tls needs to enforce one policy (E2). */
export type OpenSslSettings = z.output<typeof openSslSettingsSchema>;

const NODE_VERSION_NAMES: Record<TlsVersion, OpenSslSettings['minVersion']> = {
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/**
 * toOpenSslSettings maps a policy's versions and ciphers to node:tls settings. Versions are
 * contiguous in OpenSSL (min..max); a policy with a gap (1.0 and 1.2 only) is served as the
 * whole range between its ends, which custom-policy validation prevents by refusing gaps.
 */
export function toOpenSslSettings(policy: { tlsVersions: readonly string[]; ciphers: readonly string[] }): OpenSslSettings {
  const versions = TLS_VERSIONS.filter((v) => policy.tlsVersions.includes(v));
  if (versions.length === 0) throw new Error('toOpenSslSettings: the policy has no TLS version');
  const legacy = versions.includes('TLSv1.0') || versions.includes('TLSv1.1');
  const tls12Ciphers = policy.ciphers.filter((c) => !c.startsWith('TLS_'));
  const tls13Ciphers = policy.ciphers.filter((c) => c.startsWith('TLS_'));
  const secLevel0 = legacy || tls12Ciphers.includes('DES-CBC3-SHA');
  const onlyTls13 = versions.every((v) => v === 'TLSv1.3');
  // A TLS 1.3-only policy still needs a valid ≤1.2 list for OpenSSL; it is never negotiated.
  const base = tls12Ciphers.length > 0 ? tls12Ciphers.join(':') : onlyTls13 ? 'ECDHE-RSA-AES128-GCM-SHA256' : '';
  return Object.freeze({
    minVersion: NODE_VERSION_NAMES[versions[0]!],
    maxVersion: NODE_VERSION_NAMES[versions[versions.length - 1]!],
    cipherList: secLevel0 ? `${base}:@SECLEVEL=0` : base,
    tls13Suites: versions.includes('TLSv1.3') ? tls13Ciphers.join(':') : '',
    secLevel0,
  });
}
