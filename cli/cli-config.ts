/**
 * Where the `gatehouse` command's settings come from when no flag gives them: the data
 * directory (SPEC §4), the address `serve` listens on (the host and port of the client's
 * DEFAULT_ENDPOINT, so that `serve` and the other commands meet without flags) and the token a
 * client command sends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENDPOINT } from '../client/management-client.ts';
import { ADMIN_TOKEN_FILE } from '../server/runtime/admin-token.ts';

/** DEFAULT_DATA_DIR is SPEC §4's default data directory: the store, the master key and the admin token. */
export const DEFAULT_DATA_DIR = './.gatehouse';

/** DEFAULT_LISTEN is where `gatehouse serve` listens by default: where the other commands call. */
export const DEFAULT_LISTEN = new URL(DEFAULT_ENDPOINT).host;

/**
 * resolveClientToken finds the token a client command uses: --token / GATEHOUSE_TOKEN, else
 * the admin-token file of the local data directory (the common case on the server's machine).
 */
export function resolveClientToken(explicit: string | undefined, dataDir: string): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new Error(`no token: pass --token or set GATEHOUSE_TOKEN (or run where ${path} exists)`);
  }
}
