/**
 * The table of the six resource kinds, by name and by API collection, so that routes, the
 * provider and the SDK iterate one list instead of naming resources one by one.
 */
import type { ResourceKind, ResourceKindName } from './resource-kind.ts';
import { Certificate } from './resources/certificate.ts';
import { Listener } from './resources/listener.ts';
import { LoadBalancer } from './resources/load-balancer.ts';
import { QuicListener } from './resources/quic-listener.ts';
import { ServerGroup } from './resources/server-group.ts';
import { TlsSecurityPolicy } from './resources/tls-security-policy.ts';

/** RESOURCE_KINDS maps each resource name to its ResourceKind. */
export const RESOURCE_KINDS = Object.freeze({
  LoadBalancer,
  Listener,
  QuicListener,
  Certificate,
  TlsSecurityPolicy,
  ServerGroup,
}) satisfies Readonly<Record<ResourceKindName, ResourceKind>>;

/** ALL_RESOURCE_KINDS lists the kinds in SPEC §1 order. */
export const ALL_RESOURCE_KINDS: readonly ResourceKind[] = Object.freeze(Object.values(RESOURCE_KINDS));

/** kindByName returns the kind of a resource name, or undefined for a name that is not one. */
export function kindByName(name: string): ResourceKind | undefined {
  return Object.hasOwn(RESOURCE_KINDS, name) ? RESOURCE_KINDS[name as ResourceKindName] : undefined;
}

/** kindByCollection returns the kind served under an API collection (`load-balancers`, …), or undefined. */
export function kindByCollection(collection: string): ResourceKind | undefined {
  return ALL_RESOURCE_KINDS.find((k) => k.collection === collection);
}
