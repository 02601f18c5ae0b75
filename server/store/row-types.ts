/**
 * The rows the store's tables hold, as values: what the repositories read and write and what a
 * write's journal records (mutation-journal.ts), kept apart so that both can name them.
 */
import type { ResourceKindName } from '../../schema/resource-kind.ts';

/** ResourceRow is one stored resource with its body decoded. */
export interface ResourceRow {
  readonly seq: number;
  readonly id: string;
  readonly kind: ResourceKindName;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The outputs as stored (id, version and timestamps included); shared, never mutate it. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly secret: Uint8Array | null;
}

/** NewResourceRow is what an insert or update writes: a row before the table numbers it. */
export type NewResourceRow = Omit<ResourceRow, 'seq'>;

/** StoredResponse is the answer recorded for a key. */
export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}
