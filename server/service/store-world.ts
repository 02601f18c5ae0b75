/**
 * StoreWorld exposes the store to the cross-resource rules of `schema/rules` as their World.
 * Rules run inside the write transaction, so they see exactly the state the write commits on.
 */
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import type { StoredBodies, World } from '../../schema/rules/world.ts';
import type { ResourceRepo } from '../store/resource-repo.ts';

/** StoreWorld is a World over the resource table (stored resources only; no system policies). */
export class StoreWorld implements World {
  readonly #repo: ResourceRepo;

  constructor(repo: ResourceRepo) {
    this.#repo = repo;
  }

  get<K extends ResourceKindName>(kind: K, id: string): StoredBodies[K] | undefined {
    return this.#repo.getStored(kind, id)?.body;
  }

  list<K extends ResourceKindName>(kind: K): readonly StoredBodies[K][] {
    return this.#repo.allStored(kind).map((stored) => stored.body);
  }
}
