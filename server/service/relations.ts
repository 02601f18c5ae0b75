/**
 * RelationRules runs the cross-resource rules of `schema/rules` against the store: references,
 * editions, rule P on writes, and the referrers that make a delete 409 IN_USE.
 */
import type { FieldError } from '../../schema/errors.ts';
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import { checkRelations, findReferrers, type Referrer } from '../../schema/rules/index.ts';
import type { Store } from '../store/store.ts';
import { StoreWorld } from './store-world.ts';

/** RelationRules checks writes and deletes against the stored world. */
export class RelationRules {
  readonly #world: StoreWorld;

  constructor(store: Store) {
    this.#world = new StoreWorld(store.resources);
  }

  /** check returns the relation failures of a body about to be written. */
  check(kind: ResourceKindName, candidate: Readonly<Record<string, unknown>>, op: 'create' | 'update', previous: Readonly<Record<string, unknown>> | undefined): FieldError[] {
    return checkRelations(kind, candidate, this.#world, previous ? { op, previous } : { op, id: String(candidate.id) });
  }

  /** referrers lists the stored resources that name (kind, id). */
  referrers(kind: ResourceKindName, id: string): Referrer[] {
    return findReferrers(kind, id, this.#world);
  }
}
