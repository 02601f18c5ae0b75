/**
 * ResourceRepo reads and writes resource rows. A row holds the resource's outputs as JSON
 * (never its secret) plus the sealed secret in its own column, so that every query, export
 * or backup of the body column is free of key material.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { kindByName } from '../../schema/kinds.ts';
import type { ResourceKindName, StoredResource } from '../../schema/resource-kind.ts';
import type { StoredBodies } from '../../schema/rules/world.ts';
import { deepFreeze } from '../../schema/snapshot.ts';
import type { MutationJournal } from './mutation-journal.ts';
import type { NewResourceRow, ResourceRow } from './row-types.ts';

export type { NewResourceRow, ResourceRow } from './row-types.ts';
import { blobOrNullColumn, integerColumn, textColumn, type SqlRow } from './sql-row.ts';
import { StoredBodyReader } from './stored-bodies.ts';

/** StoredRow is a row of one kind with its body read through the kind's stored schema. */
export interface StoredRow<K extends ResourceKindName> extends StoredResource<StoredBodies[K]> {
  readonly row: ResourceRow;
}

/** ListQuery filters and pages one kind's rows in creation order. */
export interface ListQuery {
  readonly afterSeq?: number;
  readonly limit?: number;
  readonly loadBalancerId?: string;
  readonly tags?: ReadonlyArray<readonly [string, string]>;
}

/** RawRow is a row of the resources table before its body is decoded. */
type RawRow = Omit<ResourceRow, 'body'> & { readonly body: string };

/** rawRow reads a result row of the resources table, every column's type checked. */
function rawRow(row: SqlRow): RawRow {
  const kind = textColumn(row, 'kind');
  const known = kindByName(kind);
  if (known === undefined) throw new Error(`column kind: ${JSON.stringify(kind)} is not a resource kind`);
  return {
    seq: integerColumn(row, 'seq'),
    id: textColumn(row, 'id'),
    kind: known.name,
    version: integerColumn(row, 'version'),
    createdAt: textColumn(row, 'created_at'),
    updatedAt: textColumn(row, 'updated_at'),
    body: textColumn(row, 'body'),
    secret: blobOrNullColumn(row, 'secret'),
  };
}

const COLUMNS = 'seq, id, kind, version, created_at, updated_at, body, secret';

/** ResourceRepo is the table of resources; every method is synchronous and transaction-agnostic. */
export class ResourceRepo {
  readonly #db: DatabaseSync;
  readonly #journal: MutationJournal;
  readonly #byId: StatementSync;
  readonly #byKind: StatementSync;
  readonly #insert: StatementSync;
  readonly #update: StatementSync;
  readonly #delete: StatementSync;
  readonly #countByKind: StatementSync;
  /** Decoded bodies keyed by id, reused while the stored text is identical (parsing dominates). */
  readonly #decoded = new Map<string, { text: string; body: Readonly<Record<string, unknown>> }>();
  readonly #stored = new StoredBodyReader();

  constructor(db: DatabaseSync, journal: MutationJournal) {
    this.#db = db;
    this.#journal = journal;
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM resources WHERE id = ?`);
    this.#byKind = db.prepare(`SELECT ${COLUMNS} FROM resources WHERE kind = ? ORDER BY seq`);
    this.#insert = db.prepare(
      'INSERT INTO resources (id, kind, version, created_at, updated_at, body, secret) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#update = db.prepare(
      'UPDATE resources SET version = ?, updated_at = ?, body = ?, secret = ? WHERE id = ? AND kind = ?',
    );
    this.#delete = db.prepare('DELETE FROM resources WHERE id = ?');
    this.#countByKind = db.prepare('SELECT kind, count(*) AS n FROM resources GROUP BY kind');
  }

  /** get reads one resource by id, of any kind. */
  get(id: string): ResourceRow | undefined {
    const raw = this.#byId.get(id);
    return raw ? this.#decode(rawRow(raw)) : undefined;
  }

  /** getStored reads one resource of a kind, its body typed; undefined when absent or of another kind. */
  getStored<K extends ResourceKindName>(kind: K, id: string): StoredRow<K> | undefined {
    const row = this.get(id);
    return row !== undefined && row.kind === kind ? { id, version: row.version, row, body: this.#stored.read(kind, id, row.body) } : undefined;
  }

  /** allStored lists every resource of one kind in creation order, bodies typed. */
  allStored<K extends ResourceKindName>(kind: K): StoredRow<K>[] {
    return this.all(kind).map((row) => ({ id: row.id, version: row.version, row, body: this.#stored.read(kind, row.id, row.body) }));
  }

  /** all lists every resource of one kind in creation order. */
  all(kind: ResourceKindName): ResourceRow[] {
    return this.#byKind.all(kind).map((r) => this.#decode(rawRow(r)));
  }

  /** list pages one kind with the API's filters; it asks for one row more to know if more exist. */
  list(kind: ResourceKindName, query: ListQuery): ResourceRow[] {
    const where = ['kind = ?', 'seq > ?'];
    const params: (string | number)[] = [kind, query.afterSeq ?? 0];
    if (query.loadBalancerId !== undefined) {
      where.push("json_extract(body, '$.loadBalancerId') = ?");
      params.push(query.loadBalancerId);
    }
    for (const [key, value] of query.tags ?? []) {
      // json_each sidesteps JSON-path quoting, so any tag key (dots, quotes) filters correctly.
      where.push("EXISTS (SELECT 1 FROM json_each(body, '$.tags') AS t WHERE t.key = ? AND t.type = 'text' AND t.value = ?)");
      params.push(key, value);
    }
    let sql = `SELECT ${COLUMNS} FROM resources WHERE ${where.join(' AND ')} ORDER BY seq`;
    if (query.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(query.limit);
    }
    return this.#db.prepare(sql).all(...params).map((r) => this.#decode(rawRow(r)));
  }

  /** insert adds a new resource and returns its sequence number. */
  insert(row: NewResourceRow): number {
    const result = this.#insert.run(row.id, row.kind, row.version, row.createdAt, row.updatedAt, JSON.stringify(row.body), row.secret);
    this.#journal.record({ op: 'insertResource', row });
    return Number(result.lastInsertRowid);
  }

  /** update replaces a resource's body, version and secret. */
  update(row: NewResourceRow): void {
    const result = this.#update.run(row.version, row.updatedAt, JSON.stringify(row.body), row.secret, row.id, row.kind);
    if (Number(result.changes) !== 1) throw new Error(`update of ${row.id} touched ${result.changes} rows`);
    this.#journal.record({ op: 'updateResource', row });
  }

  /** delete removes a resource; it returns whether a row was there. */
  delete(id: string): boolean {
    const removed = Number(this.#delete.run(id).changes) === 1;
    this.#decoded.delete(id);
    if (removed) this.#journal.record({ op: 'deleteResource', id });
    return removed;
  }

  /** forget drops the decoded body kept for a row that another writer removed (a replica's delete). */
  forget(id?: string): void {
    if (id === undefined) this.#decoded.clear();
    else this.#decoded.delete(id);
  }

  /** counts returns how many resources of each kind are stored (for metrics). */
  counts(): Map<string, number> {
    return new Map(this.#countByKind.all().map((r) => [textColumn(r, 'kind'), integerColumn(r, 'n')]));
  }

  #decode(raw: RawRow): ResourceRow {
    const cached = this.#decoded.get(raw.id);
    let body: Readonly<Record<string, unknown>>;
    if (cached !== undefined && cached.text === raw.body) {
      body = cached.body;
    } else {
      body = deepFreeze(decodeBody(raw));
      this.#decoded.set(raw.id, { text: raw.body, body });
    }
    return {
      seq: raw.seq,
      id: raw.id,
      kind: raw.kind,
      version: raw.version,
      createdAt: raw.createdAt,
      updatedAt: raw.updatedAt,
      body,
      secret: raw.secret,
    };
  }
}

/** decodeBody parses a row's JSON body, which is always an object. */
function decodeBody(raw: RawRow): Record<string, unknown> {
  const value: unknown = JSON.parse(raw.body);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`resource ${raw.id}: the stored body is not a JSON object`);
  return { ...value };
}
