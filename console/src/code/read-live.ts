/**
 * readLive reads what "show as code" declares: one resource, or for a load balancer the load
 * balancer with its listeners, QUIC listeners and every resource they refer to (read from the
 * collections, then picked by loadBalancerResources).
 */
import { ALL_RESOURCE_KINDS, kindByCollection } from '../../../schema/kinds.ts';
import { loadBalancerResources, type LiveResource } from '../../../schema/emit/pulumi-program.ts';
import { apiGet, listAll } from '../api.ts';
import type { Collection } from '../router.ts';

/** readLive returns the live resources the program of `collection/id` declares (or refers to). */
export async function readLive(collection: Collection, id: string, token: string, signal?: AbortSignal): Promise<LiveResource[]> {
  const kind = kindByCollection(collection);
  if (!kind) throw new Error(`no collection ${collection}`);
  if (kind.name !== 'LoadBalancer') {
    const live = await apiGet<Record<string, unknown>>(`/v1/${collection}/${encodeURIComponent(id)}`, token, signal);
    return [{ kind, live }];
  }
  // The load balancer itself first, so that an unknown id answers 404 as the resource page would.
  await apiGet(`/v1/${collection}/${encodeURIComponent(id)}`, token, signal);
  const pages = await Promise.all(
    ALL_RESOURCE_KINDS.map(async (k) => (await listAll<Record<string, unknown>>(k.collection, token, signal)).map((live) => ({ kind: k, live }))),
  );
  return loadBalancerResources(id, pages.flat());
}
