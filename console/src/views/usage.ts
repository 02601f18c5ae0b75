/**
 * Which listeners use a certificate or a TLS policy, worked out from the listeners the page has
 * read: a certificate may be a listener's default one, an extension one (chosen by SNI) or the CA
 * that verifies its clients.
 */
import type { ListenerOutput } from '../../../schema/resources/listener.ts';
import type { QuicListenerOutput } from '../../../schema/resources/quic-listener.ts';
import type { Collection } from '../router.ts';

/** CertificateRole is how a listener uses a certificate. */
export type CertificateRole = 'default' | 'extension' | 'CA';

/** Use is one listener using a resource, and how. */
export interface Use {
  readonly collection: Collection;
  readonly id: string;
  /** The listener's port, to tell listeners apart at a glance. */
  readonly port: number;
  readonly role: string;
}

/** ROLE_WORDS say each certificate role in words. */
export const ROLE_WORDS: { readonly [R in CertificateRole]: string } = {
  default: 'default certificate',
  extension: 'extension certificate (SNI)',
  CA: 'client CA',
};

/** certificateUses lists each listener and QUIC listener using a certificate, with the role it has there. */
export function certificateUses(certificateId: string, listeners: readonly ListenerOutput[], quicListeners: readonly QuicListenerOutput[]): Use[] {
  const uses: Use[] = [];
  const add = (collection: Collection, l: { id: string; port: number }, role: CertificateRole) => uses.push({ collection, id: l.id, port: l.port, role: ROLE_WORDS[role] });
  for (const l of listeners) {
    if (l.certificates?.defaultCertificateId === certificateId) add('listeners', l, 'default');
    if (l.certificates?.additionalCertificateIds.includes(certificateId)) add('listeners', l, 'extension');
    if (l.mutualAuthentication?.caCertificateId === certificateId) add('listeners', l, 'CA');
  }
  for (const q of quicListeners) {
    if (q.certificates.defaultCertificateId === certificateId) add('quic-listeners', q, 'default');
    if (q.certificates.additionalCertificateIds.includes(certificateId)) add('quic-listeners', q, 'extension');
  }
  return uses;
}

/** policyUses lists the HTTPS listeners offering a TLS policy. */
export function policyUses(policyId: string, listeners: readonly ListenerOutput[]): Use[] {
  return listeners.filter((l) => l.tlsPolicyId === policyId).map((l) => ({ collection: 'listeners', id: l.id, port: l.port, role: 'TLS policy' }));
}
