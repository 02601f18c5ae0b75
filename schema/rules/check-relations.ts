/**
 * checkRelations: the one entry point for the rules that need other resources. The server
 * calls it inside its write transaction (so a dry run gives the same answer as a real write);
 * the provider may call it over a World of its own.
 */
import type { FieldError } from '../errors.ts';
import type { ResourceKindName } from '../resource-kind.ts';
import type { Edition } from '../resources/load-balancer.ts';
import { checkEditionChange, checkListenerEdition } from './editions.ts';
import { checkPorts } from './ports.ts';
import { checkReferences, type Candidate } from './references.ts';
import type { World } from './world.ts';

/** RelationOptions say which write is checked; on update, `previous` is the stored resource. */
export interface RelationOptions {
  op: 'create' | 'update';
  /** The stored resource being replaced (update); its `id` is excluded from conflicts. */
  previous?: Readonly<Record<string, unknown>>;
  /** The resource's id when `previous` does not carry it. */
  id?: string;
}

/**
 * checkRelations returns every cross-resource failure of a parsed body: references
 * (REFERENCE_NOT_FOUND, wrong certificate type, QUIC association), editions
 * (EDITION_UNSUPPORTED, edition changes) and rule P (PORT_CONFLICT).
 */
export function checkRelations(kindName: ResourceKindName, candidate: Candidate, world: World, options: RelationOptions): FieldError[] {
  const selfId = typeof options.previous?.id === 'string' ? options.previous.id : options.id;
  switch (kindName) {
    case 'Listener':
      return [...checkReferences(kindName, candidate, world, selfId), ...checkListenerEdition(candidate, world), ...checkPorts(kindName, candidate, world, selfId)];
    case 'QuicListener':
      return [...checkReferences(kindName, candidate, world, selfId), ...checkPorts(kindName, candidate, world, selfId)];
    case 'LoadBalancer': {
      const before = options.previous?.edition;
      const after = candidate.edition;
      if (options.op === 'update' && typeof before === 'string' && typeof after === 'string') {
        return checkEditionChange(before as Edition, after as Edition);
      }
      return [];
    }
    default:
      return [];
  }
}
