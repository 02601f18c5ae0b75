/**
 * The TLS side of one HTTPS listener, prepared at apply time (E1–E5, E17): the shared server
 * context of its default certificate, policy and client CA, and the SNI table of its
 * certificates. The contexts themselves come from the engine's SecureContextCache, shared by
 * every listener with the same material; the handshake callbacks only look things up in what
 * is prepared here.
 */
import type { SecureContext } from 'node:tls';
import type { SnapshotCertificate, SnapshotListener, SnapshotListenerTls, SnapshotTlsPolicy } from '../../schema/snapshot.ts';
import { SniTable } from '../../schema/wildcard.ts';
import { ListenerApplyError } from '../errors.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import type { ContextSource } from './secure-contexts.ts';

export { SESSION_TICKET_LIFETIME_S } from './secure-contexts.ts';

/** TlsSources are the snapshot objects a ListenerTls was built from. */
export interface TlsSources {
  readonly policy: SnapshotTlsPolicy;
  /** The default certificate, then the additional ones, in the listener's order. */
  readonly certificates: readonly SnapshotCertificate[];
  readonly clientCa: SnapshotCertificate | undefined;
}

/** ListenerTls is everything the TLS front door of one listener needs for new handshakes. */
export interface ListenerTls {
  /** Names the server context: equal keys mean the running context can stay. */
  readonly serverContextKey: string;
  /** The (shared) context the listener's TLS server starts every new connection with. */
  readonly serverContext: SecureContext;
  /** Keys of every context this configuration uses, so the cache keeps them while it runs. */
  readonly contextKeys: readonly string[];
  /** SNI name → context of the certificate serving it; a miss serves the default certificate. */
  readonly sni: SniTable<SecureContext>;
  readonly http2Enabled: boolean;
  /** Mutual TLS: ask for a client certificate and refuse the handshake without a valid one. */
  readonly requireClientCertificate: boolean;
  readonly sources: TlsSources;
}

/** prepareListenerTls builds a listener's TLS configuration, throwing ListenerApplyError when it cannot load. */
export function prepareListenerTls(listener: SnapshotListener, lookup: SnapshotLookup, cache: ContextSource): ListenerTls {
  const tls = listener.tls;
  if (!tls) throw new ListenerApplyError(`listener ${listener.id} is HTTPS but has no TLS settings`);
  const policy = lookup.tlsPolicies.get(tls.tlsPolicyId);
  if (!policy) throw new ListenerApplyError(`TLS policy ${tls.tlsPolicyId} is not in the snapshot`, { fault: { kind: 'TlsSecurityPolicy', id: tls.tlsPolicyId } });
  const clientCa = clientCaOf(lookup, tls);
  const certificates = [tls.defaultCertificateId, ...tls.additionalCertificateIds].map((id) => serverCertificate(lookup, id));
  const defaultCert = certificates[0]!;

  const server = cache.serverContext(certificates, policy, clientCa);
  const contextKeys = [server.key];
  const sni = new SniTable<SecureContext>();
  // The default certificate's names select the server context itself: switching to it is a no-op.
  sni.add(defaultCert.domains, server.context);
  const defaultKey = cache.keys.certificate(defaultCert);
  for (const cert of certificates.slice(1)) {
    if (cache.keys.certificate(cert) === defaultKey) {
      sni.add(cert.domains, server.context);
      continue;
    }
    const built = cache.certificateContext(cert, clientCa);
    contextKeys.push(built.key);
    sni.add(cert.domains, built.context);
  }
  return Object.freeze({
    serverContextKey: server.key,
    serverContext: server.context,
    contextKeys,
    sni,
    http2Enabled: tls.http2Enabled,
    requireClientCertificate: clientCa !== undefined,
    sources: Object.freeze({ policy, certificates, clientCa }),
  });
}

/**
 * tlsSourcesUnchanged tells whether a listener's TLS settings (the same object it was built
 * from) still resolve to the very same policy, certificates and CA objects in `lookup`.
 */
export function tlsSourcesUnchanged(prepared: ListenerTls, tls: SnapshotListenerTls, lookup: SnapshotLookup): boolean {
  const s = prepared.sources;
  if (lookup.tlsPolicies.get(tls.tlsPolicyId) !== s.policy) return false;
  if (s.certificates[0] !== lookup.certificates.get(tls.defaultCertificateId)) return false;
  const extra = tls.additionalCertificateIds;
  if (s.certificates.length !== extra.length + 1) return false;
  for (let i = 0; i < extra.length; i++) if (s.certificates[i + 1] !== lookup.certificates.get(extra[i]!)) return false;
  const caId = tls.mutualAuthentication.enabled ? tls.mutualAuthentication.caCertificateId : undefined;
  return (caId === undefined ? undefined : lookup.certificates.get(caId)) === s.clientCa;
}

function serverCertificate(lookup: SnapshotLookup, id: string): SnapshotCertificate {
  const cert = lookup.certificates.get(id);
  if (!cert) throw new ListenerApplyError(`certificate ${id} is not in the snapshot`, { fault: { kind: 'Certificate', id } });
  if (cert.type !== 'Server' || !cert.privateKeyPem) throw new ListenerApplyError(`certificate ${id} is not a Server certificate with a private key`, { fault: { kind: 'Certificate', id } });
  return cert;
}

function clientCaOf(lookup: SnapshotLookup, tls: SnapshotListenerTls): SnapshotCertificate | undefined {
  const mtls = tls.mutualAuthentication;
  if (!mtls.enabled) return undefined;
  const ca = mtls.caCertificateId === undefined ? undefined : lookup.certificates.get(mtls.caCertificateId);
  if (!ca) throw new ListenerApplyError(`CA certificate ${mtls.caCertificateId ?? '(none)'} for mutual TLS is not in the snapshot`, mtls.caCertificateId === undefined ? undefined : { fault: { kind: 'Certificate', id: mtls.caCertificateId } });
  return ca;
}
