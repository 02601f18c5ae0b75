/**
 * Links to resource pages. An id names its collection by its prefix (`cert-`, `alb-`, …), except
 * that listeners and QUIC listeners share `lsn-`; a field's name (`quicListenerId`,
 * `caCertificateId`) or an event's kind says which, so callers pass what they know.
 */
import { ALL_RESOURCE_KINDS, kindByName } from '../../../schema/kinds.ts';
import { COLLECTIONS, href, type Collection } from '../router.ts';

function asCollection(c: string | undefined): Collection | undefined {
  return (COLLECTIONS as readonly string[]).includes(c ?? '') ? (c as Collection) : undefined;
}

/** collectionOfKind is the collection of a kind name (`Listener` → `listeners`). */
export function collectionOfKind(kindName: string): Collection | undefined {
  return asCollection(kindByName(kindName)?.collection);
}

/** FIELD_COLLECTIONS: the words of a reference field's name that say what it names, most specific first. */
const FIELD_COLLECTIONS: readonly [RegExp, Collection][] = [
  [/quiclistener/i, 'quic-listeners'],
  [/listener/i, 'listeners'],
  [/loadbalancer/i, 'load-balancers'],
  [/certificate/i, 'certificates'],
  [/tlspolicy/i, 'tls-policies'],
  [/servergroup/i, 'server-groups'],
];

/**
 * collectionOfField is the collection a reference field names (`defaultServerGroupId`,
 * `additionalCertificateIds`), or undefined when the field is not a reference.
 */
export function collectionOfField(field: string): Collection | undefined {
  if (!/Ids?$/.test(field)) return undefined;
  return FIELD_COLLECTIONS.find(([re]) => re.test(field))?.[1];
}

/** collectionOfId is the collection an id's prefix names, when only one kind has it. */
export function collectionOfId(id: string): Collection | undefined {
  const kinds = ALL_RESOURCE_KINDS.filter((k) => id.startsWith(k.idPrefix));
  return kinds.length === 1 ? asCollection(kinds[0]!.collection) : undefined;
}

/** ResourceLink links to a resource's page; the text is its name when given, else the id. */
export function ResourceLink({ collection, id, name }: { collection: Collection; id: string; name?: string | undefined }) {
  return (
    <a href={href({ page: 'resource', collection, id })} class={name ? undefined : 'id'}>
      {name ?? id}
    </a>
  );
}

/** IdLink links an id when its collection is known, else shows it as text. */
export function IdLink({ id, collection }: { id: string; collection?: Collection | undefined }) {
  const c = collection ?? collectionOfId(id);
  return c ? <ResourceLink collection={c} id={id} /> : <span class="id">{id}</span>;
}
