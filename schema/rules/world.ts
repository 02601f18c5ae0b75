/**
 * World: the read-only view of stored resources that cross-resource rules run against. The
 * server implements it over its store inside the write transaction; tests and the provider
 * can build one from plain lists with `worldFromLists`.
 */
import type { ResourceKindName } from '../resource-kind.ts';
import type { CertificateOutput } from '../resources/certificate.ts';
import type { ListenerOutput } from '../resources/listener.ts';
import type { LoadBalancerOutput } from '../resources/load-balancer.ts';
import type { QuicListenerOutput } from '../resources/quic-listener.ts';
import type { ServerGroupOutput } from '../resources/server-group.ts';
import type { TlsSecurityPolicyOutput } from '../resources/tls-security-policy.ts';

/** ResourceOutputs maps each kind to the stored output the rules read. */
export interface ResourceOutputs {
  LoadBalancer: LoadBalancerOutput;
  Listener: ListenerOutput;
  QuicListener: QuicListenerOutput;
  Certificate: CertificateOutput;
  TlsSecurityPolicy: TlsSecurityPolicyOutput;
  ServerGroup: ServerGroupOutput;
}

/**
 * World answers lookups of stored resources by kind. It holds stored (custom) resources only:
 * the rules resolve system TLS policies themselves.
 */
export interface World {
  get<K extends ResourceKindName>(kind: K, id: string): ResourceOutputs[K] | undefined;
  list<K extends ResourceKindName>(kind: K): readonly ResourceOutputs[K][];
}

/** WorldLists are plain arrays of stored outputs per kind; a kind left out is empty. */
export type WorldLists = { [K in ResourceKindName]?: readonly ResourceOutputs[K][] };

/** worldFromLists builds an in-memory World (for tests, the provider and snapshot checks). */
export function worldFromLists(lists: WorldLists): World {
  return {
    get(kind, id) {
      const items = (lists[kind] ?? []) as readonly { id: string }[];
      return items.find((r) => r.id === id) as never;
    },
    list(kind) {
      return (lists[kind] ?? []) as never;
    },
  };
}
