/**
 * EventLog is the audit trail of SPEC §3 (`GET /v1/events`): one row per committed change,
 * written in the same transaction as the change itself, so the log and the state never disagree.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AuditEvent } from '../../schema/api/audit-event.ts';
import type { MutationJournal } from './mutation-journal.ts';
import { integerColumn, textColumn, type SqlRow } from './sql-row.ts';

/** AuditAction is what happened to a resource. */
export type AuditAction = 'create' | 'update' | 'delete';

/** AuditEvent is one change as the API returns it (the model in schema/api/audit-event.ts). */
export type { AuditEvent };

/** EventQuery selects events after a position or from a time on. */
export interface EventQuery {
  readonly afterSeq?: number;
  readonly fromTime?: string;
  readonly limit: number;
}

const AUDIT_ACTIONS: ReadonlySet<string> = new Set<AuditAction>(['create', 'update', 'delete']);

function isAuditAction(value: string): value is AuditAction {
  return AUDIT_ACTIONS.has(value);
}

/** eventFromRow reads a result row of the events table, every column's type checked. */
export function eventFromRow(row: SqlRow): AuditEvent {
  const action = textColumn(row, 'action');
  if (!isAuditAction(action)) throw new Error(`column action: ${JSON.stringify(action)} is not an audit action`);
  return {
    seq: integerColumn(row, 'seq'),
    time: textColumn(row, 'time'),
    action,
    kind: textColumn(row, 'kind'),
    resourceId: textColumn(row, 'resource_id'),
    version: integerColumn(row, 'version'),
    sourceAddress: textColumn(row, 'source'),
    revision: integerColumn(row, 'revision'),
  };
}

/** EventLog appends and reads audit events. */
export class EventLog {
  readonly #append: StatementSync;
  readonly #afterSeq: StatementSync;
  readonly #fromTime: StatementSync;
  readonly #journal: MutationJournal;

  constructor(db: DatabaseSync, journal: MutationJournal) {
    this.#journal = journal;
    this.#append = db.prepare(
      'INSERT INTO events (time, action, kind, resource_id, version, source, revision) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#afterSeq = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#fromTime = db.prepare('SELECT * FROM events WHERE time >= ? AND seq > ? ORDER BY seq LIMIT ?');
  }

  /** append records one change; call it inside the change's transaction. */
  append(event: Omit<AuditEvent, 'seq'>): void {
    this.#append.run(event.time, event.action, event.kind, event.resourceId, event.version, event.sourceAddress, event.revision);
    this.#journal.record({ op: 'appendEvent', event });
  }

  /** read returns events in log order. */
  read(query: EventQuery): AuditEvent[] {
    const rows =
      query.fromTime !== undefined
        ? this.#fromTime.all(query.fromTime, query.afterSeq ?? 0, query.limit)
        : this.#afterSeq.all(query.afterSeq ?? 0, query.limit);
    return rows.map(eventFromRow);
  }
}
