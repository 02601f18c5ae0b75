/**
 * The TLS side of one HTTPS listener, prepared at apply time (E1–E5, E17): the server's own
 * context options (default certificate, policy versions and ciphers, client CA, session
 * ticket lifetime, renegotiation off) and the SNI table of per-certificate contexts. The
 * handshake callbacks only look things up in what is prepared here.
 */
import { constants, createHash } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { SnapshotCertificate, SnapshotListener, SnapshotListenerTls } from '../../schema/snapshot.ts';
import { SniTable } from '../../schema/wildcard.ts';
import { describeError, ListenerApplyError } from '../errors.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import { preferredCipherList, preferredTls13Suites } from './cipher-preference.ts';
import type { SecureContextCache } from './secure-contexts.ts';

/** SESSION_TICKET_LIFETIME_S is the ticket lifetime hint of E5 (the seed's FAQ: 300 s). */
export const SESSION_TICKET_LIFETIME_S = 300;

/**
 * SECURE_OPTIONS refuses renegotiation outright (E17): OpenSSL answers a client's
 * renegotiation request with a no_renegotiation alert instead of counting attempts.
 */
const SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION;

/** ListenerTls is everything the TLS front door of one listener needs for new handshakes. */
export interface ListenerTls {
  /** Identifies the server context's inputs: equal keys mean the running context can stay. */
  readonly serverContextKey: string;
  /** Options for `server.setSecureContext` (and the server's construction). */
  readonly serverOptions: SecureContextOptions;
  /** SNI name → context of the certificate serving it; a miss serves the default certificate. */
  readonly sni: SniTable<SecureContext>;
  readonly http2Enabled: boolean;
  /** Mutual TLS: ask for a client certificate and refuse the handshake without a valid one. */
  readonly requireClientCertificate: boolean;
}

/** prepareListenerTls builds a listener's TLS configuration, throwing ListenerApplyError when it cannot load. */
export function prepareListenerTls(listener: SnapshotListener, lookup: SnapshotLookup, cache: SecureContextCache): ListenerTls {
  const tls = listener.tls;
  if (!tls) throw new ListenerApplyError(`listener ${listener.id} is HTTPS but has no TLS settings`);
  const policy = lookup.tlsPolicies.get(tls.tlsPolicyId);
  if (!policy) throw new ListenerApplyError(`TLS policy ${tls.tlsPolicyId} is not in the snapshot`);
  const defaultCert = serverCertificate(lookup, tls.defaultCertificateId);
  const clientCa = clientCaOf(lookup, tls);

  const sni = new SniTable<SecureContext>();
  for (const id of [tls.defaultCertificateId, ...tls.additionalCertificateIds]) {
    const cert = serverCertificate(lookup, id);
    sni.add(cert.domains, cache.certificateContext(cert, clientCa));
  }

  const o = policy.openssl;
  // node:tls takes both lists in one string and splits off the TLS_* (TLS 1.3) names itself.
  const tls12 = preferredCipherList(o.cipherList);
  const ciphers = o.tls13Suites ? `${tls12}:${preferredTls13Suites(o.tls13Suites)}` : tls12;
  const serverContextKey = createHash('sha256')
    .update(listener.id).update('\0')
    .update(defaultCert.certificatePem).update('\0')
    .update(defaultCert.privateKeyPem ?? '').update('\0')
    .update(`${o.minVersion}|${o.maxVersion}|${ciphers}`).update('\0')
    .update(clientCa?.certificatePem ?? '')
    .digest('hex');
  const serverOptions: SecureContextOptions = {
    cert: defaultCert.certificatePem,
    key: defaultCert.privateKeyPem,
    ...(clientCa ? { ca: clientCa.certificatePem } : {}),
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    ciphers,
    honorCipherOrder: true,
    secureOptions: SECURE_OPTIONS,
    sessionTimeout: SESSION_TICKET_LIFETIME_S,
    // A session resumes only under the configuration that created it: a policy or mutual-TLS
    // change must not let an old session skip the new rules.
    sessionIdContext: serverContextKey.slice(0, 32),
  };
  try {
    createSecureContext(serverOptions);
  } catch (err) {
    throw new ListenerApplyError(`TLS policy ${policy.id} cannot be applied with certificate ${defaultCert.id}: ${describeError(err)}`, { cause: err });
  }
  return Object.freeze({
    serverContextKey,
    serverOptions,
    sni,
    http2Enabled: tls.http2Enabled,
    requireClientCertificate: clientCa !== undefined,
  });
}

function serverCertificate(lookup: SnapshotLookup, id: string): SnapshotCertificate {
  const cert = lookup.certificates.get(id);
  if (!cert) throw new ListenerApplyError(`certificate ${id} is not in the snapshot`);
  if (cert.type !== 'Server' || !cert.privateKeyPem) throw new ListenerApplyError(`certificate ${id} is not a Server certificate with a private key`);
  return cert;
}

function clientCaOf(lookup: SnapshotLookup, tls: SnapshotListenerTls): SnapshotCertificate | undefined {
  const mtls = tls.mutualAuthentication;
  if (!mtls.enabled) return undefined;
  const ca = mtls.caCertificateId === undefined ? undefined : lookup.certificates.get(mtls.caCertificateId);
  if (!ca) throw new ListenerApplyError(`CA certificate ${mtls.caCertificateId ?? '(none)'} for mutual TLS is not in the snapshot`);
  return ca;
}
