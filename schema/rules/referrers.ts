/**
 * Referrers: which stored resources name a given one, so that deleting it answers 409 IN_USE
 * naming them instead of leaving dangling references.
 */
import type { ResourceKindName } from '../resource-kind.ts';
import type { World } from './world.ts';

/** Referrer is one stored resource that references another, and through which field. */
export interface Referrer {
  kind: ResourceKindName;
  id: string;
  path: string;
}

/** findReferrers lists every stored resource that references (`kindName`, `id`). */
export function findReferrers(kindName: ResourceKindName, id: string, world: World): Referrer[] {
  const out: Referrer[] = [];
  const add = (kind: ResourceKindName, rid: string, path: string) => out.push({ kind, id: rid, path });
  for (const l of world.list('Listener')) {
    switch (kindName) {
      case 'LoadBalancer':
        if (l.loadBalancerId === id) add('Listener', l.id, 'loadBalancerId');
        break;
      case 'ServerGroup':
        if (l.defaultServerGroupId === id) add('Listener', l.id, 'defaultServerGroupId');
        break;
      case 'Certificate':
        if (l.certificates?.defaultCertificateId === id) add('Listener', l.id, 'certificates.defaultCertificateId');
        l.certificates?.additionalCertificateIds.forEach((c, i) => {
          if (c === id) add('Listener', l.id, `certificates.additionalCertificateIds[${i}]`);
        });
        if (l.mutualAuthentication?.caCertificateId === id) add('Listener', l.id, 'mutualAuthentication.caCertificateId');
        break;
      case 'TlsSecurityPolicy':
        if (l.tlsPolicyId === id) add('Listener', l.id, 'tlsPolicyId');
        break;
      case 'QuicListener':
        if (l.quic?.quicListenerId === id) add('Listener', l.id, 'quic.quicListenerId');
        break;
      case 'Listener':
        break;
    }
  }
  for (const q of world.list('QuicListener')) {
    if (kindName === 'LoadBalancer' && q.loadBalancerId === id) add('QuicListener', q.id, 'loadBalancerId');
    if (kindName === 'ServerGroup' && q.defaultServerGroupId === id) add('QuicListener', q.id, 'defaultServerGroupId');
    if (kindName === 'Certificate') {
      if (q.certificates.defaultCertificateId === id) add('QuicListener', q.id, 'certificates.defaultCertificateId');
      q.certificates.additionalCertificateIds.forEach((c, i) => {
        if (c === id) add('QuicListener', q.id, `certificates.additionalCertificateIds[${i}]`);
      });
    }
  }
  return out;
}

/** describeReferrers renders referrers for an IN_USE detail: `listener lsn-… (certificates.defaultCertificateId)`. */
export function describeReferrers(referrers: readonly Referrer[]): string {
  return referrers.map((r) => `${r.kind} ${r.id} (${r.path})`).join(', ');
}
