/**
 * The row changes a write transaction makes, as data. With PostgreSQL as the store of record
 * the service's write runs on the node's SQLite copy inside a transaction that is always rolled
 * back; the journal is what escapes it, and the PostgreSQL store replays it in its own
 * transaction. Each entry is one call of a repository's write method, with its arguments.
 */
import type { AuditEvent } from '../../schema/api/audit-event.ts';
import type { NewResourceRow, StoredResponse } from './row-types.ts';

/** Mutation is one row change of a write. */
export type Mutation =
  | { readonly op: 'insertResource'; readonly row: NewResourceRow }
  | { readonly op: 'updateResource'; readonly row: NewResourceRow }
  | { readonly op: 'deleteResource'; readonly id: string }
  | { readonly op: 'appendEvent'; readonly event: Omit<AuditEvent, 'seq'> }
  | { readonly op: 'rememberIdempotency'; readonly scope: string; readonly key: string; readonly response: StoredResponse; readonly at: string }
  | { readonly op: 'setRevision'; readonly revision: number };

/**
 * MutationJournal collects the mutations of the write under way while recording is on. The
 * repositories of one store share one journal; recording is off except inside Store.journal.
 */
export class MutationJournal {
  #recording: Mutation[] | undefined;

  /** record notes one mutation when recording (a no-op otherwise: the SQLite store of record). */
  record(mutation: Mutation): void {
    this.#recording?.push(mutation);
  }

  /** start begins recording; stop ends it and returns what was recorded. */
  start(): void {
    if (this.#recording !== undefined) throw new Error('MutationJournal: a recording is already under way');
    this.#recording = [];
  }

  stop(): Mutation[] {
    const recorded = this.#recording ?? [];
    this.#recording = undefined;
    return recorded;
  }
}
