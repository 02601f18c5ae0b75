/**
 * Reading columns of a node:sqlite result row with their types checked. A row comes back as
 * `Record<string, SQLOutputValue>`; the store's tables declare each column's type, and these
 * readers hold the code to that declaration instead of asserting a row shape with a cast, so a
 * schema change that is not reflected in the code fails with the table and column named.
 */
import type { SQLOutputValue } from 'node:sqlite';

/** SqlRow is one result row as node:sqlite returns it. */
export type SqlRow = Readonly<Record<string, SQLOutputValue>>;

function columnError(row: SqlRow, column: string, expected: string): Error {
  const value = row[column];
  const got = value === null ? 'null' : value instanceof Uint8Array ? 'a blob' : typeof value;
  return new Error(`column ${column}: expected ${expected}, got ${got}`);
}

/** textColumn reads a TEXT column. */
export function textColumn(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw columnError(row, column, 'text');
  return value;
}

/** integerColumn reads an INTEGER column that fits a JavaScript number. */
export function integerColumn(row: SqlRow, column: string): number {
  const value = row[column];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(value);
  throw columnError(row, column, 'an integer');
}

/** blobOrNullColumn reads a BLOB column that may be NULL. */
export function blobOrNullColumn(row: SqlRow, column: string): Uint8Array | null {
  const value = row[column];
  if (value === null || value instanceof Uint8Array) return value;
  throw columnError(row, column, 'a blob or null');
}
