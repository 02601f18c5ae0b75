/**
 * StoredBodies reads a row's body as its kind's `stored` schema says it is. The write path
 * validated the body before storing it; reading it back through the same schema gives the
 * compiler and the rules a typed value without a cast, and turns a row that no longer matches
 * its kind (a hand-edited database, a downgrade) into an error that names the row and field.
 * The repository hands out the same frozen body object while the stored text is unchanged, so
 * each body is parsed once and the result kept beside it.
 */
import type { z } from 'zod';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import type { StoredBodies } from '../../schema/rules/world.ts';
import { deepFreeze } from '../../schema/snapshot.ts';

/** STORED_SCHEMAS are the kinds' stored schemas, typed by the body each one yields. */
const STORED_SCHEMAS: { readonly [K in ResourceKindName]: z.ZodType<StoredBodies[K]> } = {
  LoadBalancer: RESOURCE_KINDS.LoadBalancer.stored,
  Listener: RESOURCE_KINDS.Listener.stored,
  QuicListener: RESOURCE_KINDS.QuicListener.stored,
  Certificate: RESOURCE_KINDS.Certificate.stored,
  TlsSecurityPolicy: RESOURCE_KINDS.TlsSecurityPolicy.stored,
  ServerGroup: RESOURCE_KINDS.ServerGroup.stored,
};

/** StoredBodyError is a stored row whose body does not match its kind's stored schema. */
export class StoredBodyError extends Error {
  constructor(kind: ResourceKindName, id: string, issues: readonly z.core.$ZodIssue[]) {
    const where = issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    super(`stored ${kind} ${id} does not match its schema: ${where}`);
    this.name = 'StoredBodyError';
  }
}

/** StoredBodyReader parses stored bodies by kind, once per body object. */
export class StoredBodyReader {
  readonly #parsed: { readonly [K in ResourceKindName]: WeakMap<object, StoredBodies[K]> } = {
    LoadBalancer: new WeakMap(),
    Listener: new WeakMap(),
    QuicListener: new WeakMap(),
    Certificate: new WeakMap(),
    TlsSecurityPolicy: new WeakMap(),
    ServerGroup: new WeakMap(),
  };

  /** read returns `body` as a `kind` body; it throws StoredBodyError when it is not one. */
  read<K extends ResourceKindName>(kind: K, id: string, body: object): StoredBodies[K] {
    const cache: WeakMap<object, StoredBodies[K]> = this.#parsed[kind];
    const hit = cache.get(body);
    if (hit !== undefined) return hit;
    const schema: z.ZodType<StoredBodies[K]> = STORED_SCHEMAS[kind];
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new StoredBodyError(kind, id, parsed.error.issues);
    const value = deepFreeze(parsed.data);
    cache.set(body, value);
    return value;
  }
}
