/**
 * IdempotencyKeys remembers the answer to a create sent with an `Idempotency-Key` header, so
 * that a client retrying after a lost response gets the same resource instead of a second one.
 * The record commits in the same transaction as the resource: either both exist or neither.
 */
import { createHmac } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { canonicalJson } from '../util/canonical-json.ts';
import type { MutationJournal } from './mutation-journal.ts';
import type { StoredResponse } from './row-types.ts';

export type { StoredResponse } from './row-types.ts';

/** IDEMPOTENCY_TTL_MS is how long a key is remembered (a day, as payment APIs do). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * requestHash fingerprints a request body by its canonical JSON (key order does not matter).
 * It is keyed (HMAC) because a create body may carry a private key: the stored fingerprint must
 * not let anyone who reads the file test guesses against it.
 */
export function requestHash(body: unknown, hmacKey: Uint8Array): string {
  return createHmac('sha256', hmacKey).update(canonicalJson(body)).digest('hex');
}

/** IdempotencyKeys is the table of remembered keys, scoped by route (method + collection). */
export class IdempotencyKeys {
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #purge: StatementSync;
  readonly #journal: MutationJournal;

  constructor(db: DatabaseSync, journal: MutationJournal) {
    this.#journal = journal;
    this.#get = db.prepare('SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ? AND key = ? AND created_at >= ?');
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO idempotency_keys (scope, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#purge = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?');
  }

  /** find returns the remembered answer for a key that has not expired. */
  find(scope: string, key: string, now: Date): StoredResponse | undefined {
    const row = this.#get.get(scope, key, new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString()) as
      | { request_hash: string; status: number; response: string }
      | undefined;
    return row ? { requestHash: row.request_hash, status: row.status, body: JSON.parse(row.response) } : undefined;
  }

  /** remember stores the answer for a key (inside the write's transaction) and drops expired keys. */
  remember(scope: string, key: string, response: StoredResponse, now: Date): void {
    this.#purge.run(new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString());
    this.#put.run(scope, key, response.requestHash, response.status, JSON.stringify(response.body), now.toISOString());
    this.#journal.record({ op: 'rememberIdempotency', scope, key, response, at: now.toISOString() });
  }
}
