/**
 * Reading values of PostgreSQL result rows with their types checked. node-postgres returns
 * `bigint` and `bigserial` columns as strings (they may exceed a JavaScript number); the
 * store's counters never do, and these readers say which column broke the rule if one did.
 */

/** pgInteger reads an integer column (integer, bigint as text) that fits a JavaScript number. */
export function pgInteger(value: unknown, column: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
  throw new Error(`PostgreSQL column ${column}: expected an integer, got ${value === null ? 'null' : typeof value}`);
}

/** pgText reads a text column. */
export function pgText(value: unknown, column: string): string {
  if (typeof value === 'string') return value;
  throw new Error(`PostgreSQL column ${column}: expected text, got ${value === null ? 'null' : typeof value}`);
}

/** pgBytesOrNull reads a bytea column that may be NULL. */
export function pgBytesOrNull(value: unknown, column: string): Uint8Array | null {
  if (value === null || value instanceof Uint8Array) return value;
  throw new Error(`PostgreSQL column ${column}: expected bytes or null, got ${typeof value}`);
}
