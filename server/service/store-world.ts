/**
 * StoreWorld exposes the store to the cross-resource rules of `schema/rules` as their World.
 * Rules run inside the write transaction, so they see exactly the state the write commits on.
 */
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import type { ResourceOutputs, World } from '../../schema/rules/world.ts';
import type { ResourceRepo } from '../store/resource-repo.ts';

/** StoreWorld is a World over the resource table (stored resources only; no system policies). */
export class StoreWorld implements World {
  readonly #repo: ResourceRepo;

  constructor(repo: ResourceRepo) {
    this.#repo = repo;
  }

  get<K extends ResourceKindName>(kind: K, id: string): ResourceOutputs[K] | undefined {
    const row = this.#repo.get(id);
    return row && row.kind === kind ? (row.body as unknown as ResourceOutputs[K]) : undefined;
  }

  list<K extends ResourceKindName>(kind: K): readonly ResourceOutputs[K][] {
    return this.#repo.all(kind).map((row) => row.body as unknown as ResourceOutputs[K]);
  }
}
