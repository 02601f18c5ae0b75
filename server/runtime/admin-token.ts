/**
 * The admin token (SPEC §3): from --token-file, from --token / GATEHOUSE_TOKEN, or generated
 * at first start into `<data-dir>/admin-token` with mode 0600 and reused afterwards.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSecretFile } from '../secrets/master-key.ts';

/** ADMIN_TOKEN_BYTES is how much randomness a generated admin token carries (256 bits, base64url). */
const ADMIN_TOKEN_BYTES = 32;

/** ADMIN_TOKEN_FILE is the generated token's file name inside the data directory. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** AdminToken is the token and where an operator finds it (no path = given as a value). */
export interface AdminToken {
  readonly token: string;
  readonly path?: string;
  readonly generated: boolean;
}

/** TokenSource is what the command line and environment said about the token. */
export interface TokenSource {
  readonly tokenFile?: string | undefined;
  readonly token?: string | undefined;
  readonly dataDir: string;
}

/**
 * resolveAdminToken picks the token: a token file wins, then an explicit value, then the data
 * directory's file. A named or default file that does not exist yet is created with a fresh
 * 256-bit token, so the first start needs no setup.
 */
export function resolveAdminToken(source: TokenSource): AdminToken {
  if (source.tokenFile === undefined && source.token !== undefined) {
    const token = source.token.trim();
    if (token.length === 0) throw new Error('the admin token is empty');
    return { token, generated: false };
  }
  const path = source.tokenFile ?? join(source.dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length === 0) throw new Error(`${path}: the admin token file is empty`);
    return { token, path, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(ADMIN_TOKEN_BYTES).toString('base64url');
  writeSecretFile(path, `${token}\n`);
  return { token, path, generated: true };
}
