/**
 * E2: each system TLS policy (SPEC 1.5) is enforced on the handshake — a client inside the
 * policy gets the version and cipher it asked for; a client offering only a version or only a
 * cipher outside it is refused. One HTTPS listener per policy, RSA certificate (so RSA
 * key-exchange suites are possible), real node:tls clients.
 */
import type { SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { tlsHandshake } from '../support/clients.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup, SYSTEM_POLICIES } from '../support/snapshots.ts';

let harness: EngineHarness;
const ports = new Map<string, number>();

beforeAll(async () => {
  const ca = await createCa('Policy CA', 'rsa');
  const cert = await issueCertificate({ commonName: 'policy.test', dnsNames: ['policy.test'], keyType: 'rsa' }, ca);
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  const result = await harness.apply(
    buildSnapshot({
      listeners: SYSTEM_POLICIES.map((p) => httpsListener(`lsn-${p.id}`, 'sgp-1', 'cert-rsa', { tlsPolicyId: p.id })),
      certificates: [serverCertificate('cert-rsa', cert, ['policy.test'])],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    }),
  );
  for (const p of SYSTEM_POLICIES) ports.set(p.id, portOf(result, `lsn-${p.id}`));
}, 60_000);

afterAll(() => harness.close());

interface Case {
  policy: string;
  what: string;
  version: SecureVersion;
  /** The only cipher(s) the client offers; TLS_* names are TLS 1.3 suites. */
  cipher: string;
  accepted: boolean;
}

const ACCEPT = true;
const REFUSE = false;

const CASES: Case[] = [
  { policy: 'tls_cipher_policy_1_0', what: 'TLS 1.0 with ECDHE-RSA-AES128-SHA', version: 'TLSv1', cipher: 'ECDHE-RSA-AES128-SHA', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_0', what: 'TLS 1.1 with AES256-SHA', version: 'TLSv1.1', cipher: 'AES256-SHA', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_0', what: 'TLS 1.2 with AES128-GCM-SHA256', version: 'TLSv1.2', cipher: 'AES128-GCM-SHA256', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_0', what: 'TLS 1.3 (version outside)', version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_0', what: 'ECDHE-RSA-CHACHA20-POLY1305 (cipher outside)', version: 'TLSv1.2', cipher: 'ECDHE-RSA-CHACHA20-POLY1305', accepted: REFUSE },

  { policy: 'tls_cipher_policy_1_1', what: 'TLS 1.1 with ECDHE-RSA-AES256-SHA', version: 'TLSv1.1', cipher: 'ECDHE-RSA-AES256-SHA', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_1', what: 'TLS 1.2 with AES256-SHA256', version: 'TLSv1.2', cipher: 'AES256-SHA256', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_1', what: 'TLS 1.0 (version outside)', version: 'TLSv1', cipher: 'ECDHE-RSA-AES128-SHA', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_1', what: 'DHE-RSA-AES128-GCM-SHA256 (cipher outside)', version: 'TLSv1.2', cipher: 'DHE-RSA-AES128-GCM-SHA256', accepted: REFUSE },

  { policy: 'tls_cipher_policy_1_2', what: 'TLS 1.2 with AES128-SHA', version: 'TLSv1.2', cipher: 'AES128-SHA', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2', what: 'TLS 1.2 with ECDHE-RSA-AES256-GCM-SHA384', version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2', what: 'TLS 1.1 (version outside)', version: 'TLSv1.1', cipher: 'AES128-SHA', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_2', what: 'TLS 1.3 (version outside)', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_2', what: 'ECDHE-RSA-CHACHA20-POLY1305 (cipher outside)', version: 'TLSv1.2', cipher: 'ECDHE-RSA-CHACHA20-POLY1305', accepted: REFUSE },

  { policy: 'tls_cipher_policy_1_2_strict', what: 'TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256', version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2_strict', what: 'TLS 1.2 with ECDHE-RSA-AES256-SHA', version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-SHA', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2_strict', what: 'AES128-GCM-SHA256 (non-ECDHE cipher outside)', version: 'TLSv1.2', cipher: 'AES128-GCM-SHA256', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_2_strict', what: 'TLS 1.3 (version outside)', version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_2_strict', what: 'TLS 1.1 (version outside)', version: 'TLSv1.1', cipher: 'ECDHE-RSA-AES128-SHA', accepted: REFUSE },

  { policy: 'tls_cipher_policy_1_2_strict_with_1_3', what: 'TLS 1.3 with TLS_AES_256_GCM_SHA384', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2_strict_with_1_3', what: 'TLS 1.3 with TLS_AES_128_CCM_SHA256', version: 'TLSv1.3', cipher: 'TLS_AES_128_CCM_SHA256', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2_strict_with_1_3', what: 'TLS 1.2 with ECDHE-RSA-AES256-GCM-SHA384', version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', accepted: ACCEPT },
  { policy: 'tls_cipher_policy_1_2_strict_with_1_3', what: 'AES256-SHA (non-ECDHE cipher outside)', version: 'TLSv1.2', cipher: 'AES256-SHA', accepted: REFUSE },
  { policy: 'tls_cipher_policy_1_2_strict_with_1_3', what: 'TLS 1.1 (version outside)', version: 'TLSv1.1', cipher: 'ECDHE-RSA-AES128-SHA', accepted: REFUSE },
];

describe('E2 system TLS policies on the handshake', () => {
  it.each(CASES)('$policy: $what → accepted $accepted', async ({ policy, version, cipher, accepted }) => {
    const tls13 = cipher.startsWith('TLS_');
    const hs = await tlsHandshake(ports.get(policy)!, {
      servername: 'policy.test',
      minVersion: version,
      maxVersion: version,
      // The client offers exactly one suite; @SECLEVEL=0 lets it offer legacy versions at all.
      ciphers: tls13 ? cipher : `${cipher}:@SECLEVEL=0`,
      settleMs: 0,
    });
    if (!accepted) {
      expect(hs.ok).toBe(false);
      return;
    }
    expect(hs).toMatchObject({ ok: true, protocol: version, cipher });
  });

  it.each(['tls_cipher_policy_1_0', 'tls_cipher_policy_1_2'])('%s: a client offering every suite gets a forward-secret AEAD suite, not the first one listed', async (policy) => {
    const hs = await tlsHandshake(ports.get(policy)!, { servername: 'policy.test', maxVersion: 'TLSv1.2', ciphers: 'ALL:@SECLEVEL=0', settleMs: 0 });
    expect(hs).toMatchObject({ ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
  });

  it('sets @SECLEVEL=0 only for the policies that include TLS 1.0/1.1 or 3DES', () => {
    const needing = SYSTEM_POLICIES.filter((p) => p.openssl.cipherList.endsWith('@SECLEVEL=0')).map((p) => p.id);
    expect(needing).toEqual(['tls_cipher_policy_1_0', 'tls_cipher_policy_1_1', 'tls_cipher_policy_1_2']);
  });
});
