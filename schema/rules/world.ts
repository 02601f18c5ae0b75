/**
 * World: the read-only view of stored resources that cross-resource rules run against. The
 * server implements it over its store inside the write transaction; tests and the provider
 * can build one from plain lists with `worldFromLists`.
 */
import type { z } from 'zod';
import type { ResourceKindName } from '../resource-kind.ts';
import type { StoredCertificate } from '../resources/certificate.ts';
import type { StoredListener } from '../resources/listener.ts';
import type { loadBalancerStoredSchema } from '../resources/load-balancer.ts';
import type { StoredQuicListener } from '../resources/quic-listener.ts';
import type { serverGroupStoredSchema } from '../resources/server-group.ts';
import type { tlsSecurityPolicyStoredSchema } from '../resources/tls-security-policy.ts';

/** StoredBodies maps each kind to its body as stored (each kind's `stored` schema), which the rules read. */
export interface StoredBodies {
  LoadBalancer: z.output<typeof loadBalancerStoredSchema>;
  Listener: StoredListener;
  QuicListener: StoredQuicListener;
  Certificate: StoredCertificate;
  TlsSecurityPolicy: z.output<typeof tlsSecurityPolicyStoredSchema>;
  ServerGroup: z.output<typeof serverGroupStoredSchema>;
}

/**
 * World answers lookups of stored resources by kind. It holds stored (custom) resources only:
 * the rules resolve system TLS policies themselves.
 */
export interface World {
  get<K extends ResourceKindName>(kind: K, id: string): StoredBodies[K] | undefined;
  list<K extends ResourceKindName>(kind: K): readonly StoredBodies[K][];
}

/** WorldLists are plain arrays of stored outputs per kind; a kind left out is empty. */
export type WorldLists = { [K in ResourceKindName]?: readonly StoredBodies[K][] };

/** worldFromLists builds an in-memory World (for tests, the provider and snapshot checks). */
export function worldFromLists(lists: WorldLists): World {
  return {
    get(kind, id) {
      const items = lists[kind] ?? [];
      return items.find((r) => r.id === id);
    },
    list(kind) {
      return lists[kind] ?? [];
    },
  };
}
