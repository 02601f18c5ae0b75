/**
 * ResourceService is the write and read path of every resource kind. Each write is one
 * transaction of the store of record (ConfigStore.commit), a synchronous function in which
 * every check runs against the state it will commit on: idempotency key, existence, If-Match, schema, replace fields, certificate material,
 * references, editions, rule P, IN_USE. A dry run is the very same transaction, rolled back,
 * plus the engine's preparation of the snapshot it would make (EngineDryRun).
 */
import { inspectCertificate } from '../../schema/certificate-inspect.ts';
import { fromFieldErrors, GatehouseError, type FieldError } from '../../schema/errors.ts';
import { newId } from '../../schema/ids.ts';
import { changedReplaceFields, parseResource } from '../../schema/parse.ts';
import type { ListPage as Page } from '../../schema/api/list-page.ts';
import type { ResourceKind } from '../../schema/resource-kind.ts';
import { EngineDryRun } from '../compiler/dry-run-check.ts';
import { requestHash } from '../store/idempotency-keys.ts';
import type { ResourceRow } from '../store/resource-repo.ts';
import type { ConfigStore } from '../store/config-store.ts';
import { secretContext, type Store } from '../store/store.ts';
import { decodeCursor, encodeCursor, type Cursor } from './list-cursor.ts';
import { present } from './presenter.ts';
import { describeReferrers } from '../../schema/rules/index.ts';
import { RelationRules } from './relations.ts';
import type { RuntimeView } from './runtime-view.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { SYSTEM_POLICY_OUTPUTS, systemPolicyOutput } from './system-policies.ts';

type Body = Readonly<Record<string, unknown>>;

/** WriteContext is what a write knows about its request. */
export interface WriteContext {
  readonly sourceAddress: string;
  readonly dryRun: boolean;
  /** The raw If-Match header. */
  readonly ifMatch?: string | undefined;
  readonly idempotencyKey?: string | undefined;
}

/** WriteOutcome is the HTTP answer of a write: a status and a body (none for 204). */
export interface WriteOutcome {
  readonly status: number;
  readonly body?: unknown;
  /** The resource version, for the ETag header. */
  readonly version?: number;
}

/** ListParams are the validated query of a list. */
export interface ListParams {
  readonly limit: number;
  readonly nextToken?: string | undefined;
  readonly loadBalancerId?: string | undefined;
  readonly tags: ReadonlyArray<readonly [string, string]>;
}

/** ListPage is `{items, nextToken}` of SPEC §3. */
export type ListPage = Page<Record<string, unknown>>;

const DRY_RUN_OK = Object.freeze({ valid: true });

/** ResourceService performs the resource operations of the API over one store. */
export class ResourceService {
  readonly #config: ConfigStore;
  /** The synchronous view every transaction reads and writes (config.local). */
  readonly #store: Store;
  readonly #runtime: RuntimeView;
  readonly #rules: RelationRules;
  /** The engine's preparation, a dry run's last check; undefined when no engine runs. */
  readonly #engineDryRun: EngineDryRun | undefined;
  readonly #now: () => Date;

  constructor(config: ConfigStore, runtime: RuntimeView, now: () => Date = () => new Date()) {
    this.#config = config;
    const store = config.local;
    this.#store = store;
    this.#runtime = runtime;
    this.#rules = new RelationRules(store);
    const prepare = runtime.prepareSnapshot?.bind(runtime);
    this.#engineDryRun = prepare && new EngineDryRun(store, { prepareSnapshot: prepare, listenerStatus: (lid, v) => runtime.listenerStatus(lid, v) });
    this.#now = now;
  }

  /** get reads one resource of a kind; 404 when absent (or of another kind). */
  async get(kind: ResourceKind, id: string): Promise<{ body: Record<string, unknown>; version: number }> {
    const now = this.#now();
    const system = systemResource(kind, id);
    if (system) return { body: { ...system }, version: 1 };
    return this.#config.readLatest(() => {
      const row = this.#store.resources.get(id);
      if (!row || row.kind !== kind.name) throw notFound(kind, id);
      return { body: present(kind.name, row.body, this.#runtime, now), version: row.version };
    });
  }

  /** list pages a kind in creation order (its system resources first). */
  list(kind: ResourceKind, params: ListParams): Promise<ListPage> {
    return this.#config.readLatest(() => this.#listNow(kind, params));
  }

  #listNow(kind: ResourceKind, params: ListParams): ListPage {
    const now = this.#now();
    let cursor: Cursor = params.nextToken === undefined ? { system: 0 } : decodeCursor(params.nextToken);
    const items: Record<string, unknown>[] = [];
    // System resources carry no tags and belong to no load balancer: a filter leaves them out.
    const system = params.tags.length === 0 && params.loadBalancerId === undefined ? systemResources(kind) : [];
    if ('system' in cursor) {
      if (system.length > 0) {
        const slice = system.slice(cursor.system, cursor.system + params.limit);
        for (const p of slice) items.push({ ...p });
        if (cursor.system + slice.length < system.length) {
          return { items, nextToken: encodeCursor({ system: cursor.system + slice.length }) };
        }
      }
      cursor = { afterSeq: 0 };
    }
    const room = params.limit - items.length;
    if (room === 0) {
      const more = this.#store.resources.list(kind.name, { afterSeq: cursor.afterSeq, limit: 1 }).length > 0;
      return { items, nextToken: more ? encodeCursor(cursor) : null };
    }
    const rows = this.#store.resources.list(kind.name, {
      afterSeq: cursor.afterSeq,
      limit: room + 1,
      loadBalancerId: params.loadBalancerId,
      tags: params.tags,
    });
    const page = rows.slice(0, room);
    for (const row of page) items.push(present(kind.name, row.body, this.#runtime, now));
    const last = page.at(-1);
    return { items, nextToken: rows.length > room && last ? encodeCursor({ afterSeq: last.seq }) : null };
  }

  /** create validates and stores a new resource: 201, or 200 `{valid:true}` for a dry run. */
  async create(kind: ResourceKind, input: unknown, ctx: WriteContext): Promise<WriteOutcome> {
    const now = this.#now();
    const scope = `POST /v1/${kind.collection}`;
    const hash = ctx.idempotencyKey === undefined ? '' : requestHash(input, this.#store.requestHashKey);
    const outcome = await this.#config.commit((): WriteOutcome => {
      if (ctx.idempotencyKey !== undefined) {
        const seen = this.#store.idempotency.find(scope, ctx.idempotencyKey, now);
        if (seen && seen.requestHash !== hash) {
          throw new GatehouseError(
            'IDEMPOTENCY_KEY_REUSED',
            `the Idempotency-Key "${ctx.idempotencyKey}" was used with a different request body`,
          );
        }
        if (seen) return ctx.dryRun ? { status: 200, body: DRY_RUN_OK } : replay(seen.status, seen.body);
      }
      const parsed = parseResource(kind, 'create', input);
      if (!parsed.ok) throw fromFieldErrors(parsed.errors);
      const id = newId(kind.name);
      const stamp = now.toISOString();
      const { body, secret } = this.#materialise(kind, id, { id, version: 1, createdAt: stamp, updatedAt: stamp }, parsed.value, undefined);
      this.#check(this.#rules.check(kind.name, body, 'create', undefined));
      this.#store.resources.insert({ id, kind: kind.name, version: 1, createdAt: stamp, updatedAt: stamp, body, secret });
      const revision = this.#store.bumpRevision();
      this.#store.events.append({ time: stamp, action: 'create', kind: kind.name, resourceId: id, version: 1, sourceAddress: ctx.sourceAddress, revision });
      if (ctx.dryRun) {
        this.#engineDryRun?.check({ kind: kind.name, id });
        return { status: 200, body: DRY_RUN_OK };
      }
      const response = present(kind.name, body, this.#runtime, now);
      if (ctx.idempotencyKey !== undefined) {
        this.#store.idempotency.remember(scope, ctx.idempotencyKey, { requestHash: hash, status: 201, body: response }, now);
      }
      return { status: 201, body: response, version: 1 };
    }, { dryRun: ctx.dryRun });
    if (!ctx.dryRun) this.#runtime.committed();
    return outcome;
  }

  /** update replaces the mutable state of a resource: 200 with the new version. */
  async update(kind: ResourceKind, id: string, input: unknown, ctx: WriteContext): Promise<WriteOutcome> {
    const now = this.#now();
    let changed = false;
    const outcome = await this.#config.commit((): WriteOutcome => {
      const row = this.#load(kind, id, 'change');
      checkIfMatch(ctx.ifMatch, row.version);
      const parsed = parseResource(kind, 'update', input, { previous: row.body });
      if (!parsed.ok) throw fromFieldErrors(parsed.errors);
      const immutable = changedReplaceFields(kind, row.body, parsed.value);
      if (immutable.length > 0) {
        throw fromFieldErrors(
          immutable.map((f) => ({ path: f, code: 'IMMUTABLE_FIELD', message: `cannot change in place (stored: ${JSON.stringify(row.body[f])})` })),
        );
      }
      const value = { ...parsed.value };
      for (const f of kind.replaceFields) value[f] = row.body[f];
      const stamp = now.toISOString();
      const version = row.version + 1;
      const common = { id, version, createdAt: row.createdAt, updatedAt: stamp };
      const { body, secret, secretText } = this.#materialise(kind, id, common, value, row);
      if (sameContent(row.body, body) && this.#sameSecret(row, secretText)) {
        // A PUT of what is stored is not a change: no new version, no event, no apply.
        return ctx.dryRun ? { status: 200, body: DRY_RUN_OK } : { status: 200, body: present(kind.name, row.body, this.#runtime, now), version: row.version };
      }
      this.#check(this.#rules.check(kind.name, body, 'update', row.body));
      this.#store.resources.update({ id, kind: kind.name, version, createdAt: row.createdAt, updatedAt: stamp, body, secret });
      const revision = this.#store.bumpRevision();
      this.#store.events.append({ time: stamp, action: 'update', kind: kind.name, resourceId: id, version, sourceAddress: ctx.sourceAddress, revision });
      changed = true;
      if (ctx.dryRun) {
        this.#engineDryRun?.check({ kind: kind.name, id });
        return { status: 200, body: DRY_RUN_OK };
      }
      return { status: 200, body: present(kind.name, body, this.#runtime, now), version };
    }, { dryRun: ctx.dryRun });
    if (changed && !ctx.dryRun) this.#runtime.committed();
    return outcome;
  }

  /** remove deletes a resource that nothing references: 204. */
  async remove(kind: ResourceKind, id: string, ctx: WriteContext): Promise<WriteOutcome> {
    const now = this.#now();
    const outcome = await this.#config.commit((): WriteOutcome => {
      const row = this.#load(kind, id, 'delete');
      checkIfMatch(ctx.ifMatch, row.version);
      if (row.body.deletionProtection === true) {
        throw new GatehouseError('DELETION_PROTECTED', `${kind.name} ${id} has deletionProtection enabled; set it to false first`);
      }
      const referrers = this.#rules.referrers(kind.name, id);
      if (referrers.length > 0) {
        throw new GatehouseError(
          'IN_USE',
          `${kind.name} ${id} is referenced by ${describeReferrers(referrers)}; delete or change those first`,
          referrers.map((r) => ({ path: '', code: 'IN_USE', message: `${r.kind} ${r.id} references it through ${r.path}` })),
        );
      }
      this.#store.resources.delete(id);
      const revision = this.#store.bumpRevision();
      const stamp = now.toISOString();
      this.#store.events.append({ time: stamp, action: 'delete', kind: kind.name, resourceId: id, version: row.version, sourceAddress: ctx.sourceAddress, revision });
      return ctx.dryRun ? { status: 200, body: DRY_RUN_OK } : { status: 204 };
    }, { dryRun: ctx.dryRun });
    if (!ctx.dryRun) this.#runtime.committed();
    return outcome;
  }

  #load(kind: ResourceKind, id: string, what: 'change' | 'delete'): ResourceRow {
    if (systemResource(kind, id)) {
      throw new GatehouseError('IMMUTABLE_FIELD', `${id} is a system TLS policy: it is read-only and cannot ${what === 'delete' ? 'be deleted' : 'change'}`);
    }
    const row = this.#store.resources.get(id);
    if (!row || row.kind !== kind.name) throw notFound(kind, id);
    return row;
  }

  /**
   * #materialise builds the stored body (outputs, no secret) and the sealed secret from a
   * parsed input; for a certificate it inspects the PEM with the new key or the stored one.
   */
  #materialise(
    kind: ResourceKind,
    id: string,
    common: Body,
    value: Record<string, unknown>,
    previous: ResourceRow | undefined,
  ): { body: Record<string, unknown>; secret: Uint8Array | null; secretText: string | undefined } {
    // The one kind with a secret field is the certificate: its key is sealed, and checked against its PEM.
    const [secretField] = kind.secretFields;
    if (secretField === undefined) return { body: { ...common, ...value, ...kind.fixedOutputs }, secret: null, secretText: undefined };
    const { [secretField]: secretInput, ...rest } = value;
    let key = typeof secretInput === 'string' ? secretInput : undefined;
    if (key === undefined && previous?.secret) key = this.#store.secrets.open(previous.secret, secretContext(id));
    const type = rest.type === 'CA' ? 'CA' : 'Server';
    const inspected = inspectCertificate({ type, certificatePem: String(rest.certificatePem), privateKeyPem: key });
    if (!inspected.ok) throw fromFieldErrors(inspected.errors);
    const secret = key === undefined ? null : this.#store.secrets.seal(key, secretContext(id));
    return { body: { ...common, ...rest, ...inspected.value }, secret, secretText: key };
  }

  #sameSecret(row: ResourceRow, secretText: string | undefined): boolean {
    if (row.secret === null) return secretText === undefined;
    return secretText !== undefined && this.#store.secrets.open(row.secret, secretContext(row.id)) === secretText;
  }

  #check(errors: FieldError[]): void {
    if (errors.length > 0) throw fromFieldErrors(errors);
  }
}

/** systemResources are the read-only resources of a kind that ship with the product, in SPEC order. */
function systemResources(kind: ResourceKind): readonly Body[] {
  return kind.systemResources ? SYSTEM_POLICY_OUTPUTS : [];
}

/** systemResource is the system resource of a kind with this id, or undefined. */
function systemResource(kind: ResourceKind, id: string): Body | undefined {
  return kind.systemResources ? systemPolicyOutput(id) : undefined;
}

function notFound(kind: ResourceKind, id: string): GatehouseError {
  return new GatehouseError('NOT_FOUND', `${kind.name} ${id} does not exist`);
}

function replay(status: number, body: unknown): WriteOutcome {
  const version = body !== null && typeof body === 'object' ? (body as { version?: unknown }).version : undefined;
  return typeof version === 'number' ? { status, body, version } : { status, body };
}

/**
 * checkIfMatch enforces an If-Match header: `"3"`, `W/"3"`, `3`, a list of them, or `*`.
 * A header that names no current version is 412.
 */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  const current = String(version);
  for (const tag of tags) {
    if (tag === '*') return;
    const bare = tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    if (bare === current) return;
  }
  throw new GatehouseError('VERSION_MISMATCH', `If-Match ${header} does not match the current version "${current}"; read the resource again and retry`);
}

/** Two bodies are the same content when they differ only in version and updatedAt. */
function sameContent(a: Body, b: Body): boolean {
  const strip = ({ version: _v, updatedAt: _u, ...rest }: Body) => rest;
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}
