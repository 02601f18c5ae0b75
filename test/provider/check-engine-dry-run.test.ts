/**
 * Check (SPEC §5) over gRPC reaches the engine's part of the server's dry run (SPEC §3): a
 * listener on a TLS policy the engine cannot serve with its certificate, or a policy edited
 * into suites the engine cannot serve under a listener that uses it, fails the preview at the
 * field with ENGINE_REJECTED — not after `pulumi up` as a Failed listener.
 */
import { describe, expect, it } from 'vitest';
import { freePort, httpsListenerInputs, T, useBasicsWithCertificate, useProviderFixture } from './support/fixture.ts';

/** DES_ONLY is a policy the schema accepts and this OpenSSL cannot serve (no 3DES). */
const DES_ONLY = { name: 'des-only', tlsVersions: ['TLSv1.2'], ciphers: ['DES-CBC3-SHA'] };
const ECDSA_12 = { name: 'ecdsa-12', tlsVersions: ['TLSv1.2'], ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256'] };

const fx = useProviderFixture();
const base = useBasicsWithCertificate(fx, 'engine-check');

describe('Check: the engine\'s verdict in the dry run', () => {
  it('a listener on a policy the engine cannot serve with its certificate fails at tlsPolicyId', async () => {
    const des = await fx.deploy(T.TlsSecurityPolicy, 'des', DES_ONLY);
    const news = httpsListenerInputs(base, await freePort(), { tlsPolicyId: des.id });
    const res = await fx.plugin.check(T.Listener, 'des-listener', {}, news);
    expect(res.failures).toEqual([{ property: 'tlsPolicyId', reason: expect.stringContaining('ENGINE_REJECTED') }]);
    expect(res.failures[0]!.reason).toContain(`TLS policy ${des.id} cannot be applied with certificate ${base.cert.id}`);
    // The same listener on a policy the engine serves checks clean.
    const ok = await fx.plugin.check(T.Listener, 'ok-listener', {}, { ...news, tlsPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3' });
    expect(ok.failures).toEqual([]);
  });

  it('a policy edited into suites the engine cannot serve under a listener using it fails at ciphers', async () => {
    const policy = await fx.deploy(T.TlsSecurityPolicy, 'ecdsa', ECDSA_12);
    const listener = await fx.deploy(T.Listener, 'ecdsa-listener', httpsListenerInputs(base, await freePort(), { tlsPolicyId: policy.id }));
    const res = await fx.plugin.check(T.TlsSecurityPolicy, 'ecdsa', policy.inputs, { ...policy.inputs, ciphers: DES_ONLY.ciphers }, policy.outputs);
    expect(res.failures).toEqual([{ property: 'ciphers', reason: expect.stringContaining('ENGINE_REJECTED') }]);
    expect(res.failures[0]!.reason).toContain(`listener ${listener.id}`);
  });
});
