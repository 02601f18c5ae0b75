/**
 * The master key that encrypts private keys at rest. It comes from GATEHOUSE_MASTER_KEY, so that
 * operators can keep it outside the data directory (a secret store, a KMS-unwrapped variable),
 * or it is generated once into `<data-dir>/master-key` with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** MASTER_KEY_FILE is the file name of a generated master key inside the data directory. */
export const MASTER_KEY_FILE = 'master-key';

/** MasterKey is 32 bytes of AES-256 key material and where it came from (never the key in text). */
export interface MasterKey {
  readonly key: Buffer;
  readonly source: 'environment' | 'file' | 'generated';
  readonly path?: string;
}

/**
 * parseMasterKey accepts 64 hexadecimal characters or the base64 / base64url form of 32 bytes;
 * anything else is refused, because a short key silently padded would weaken every secret.
 */
export function parseMasterKey(text: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new Error('the master key must be 32 bytes, written as 64 hex characters or 44 base64 characters');
}

/**
 * loadMasterKey resolves the master key: the environment value wins; otherwise the key file of
 * the data directory is read, or created (exclusively, mode 0600, fsynced) when absent.
 */
export function loadMasterKey(dataDir: string, envValue: string | undefined): MasterKey {
  if (envValue !== undefined && envValue.trim() !== '') {
    try {
      return { key: parseMasterKey(envValue), source: 'environment' };
    } catch (err) {
      throw new Error(`GATEHOUSE_MASTER_KEY: ${(err as Error).message}`);
    }
  }
  const path = join(dataDir, MASTER_KEY_FILE);
  try {
    return { key: parseMasterKey(readFileSync(path, 'utf8')), source: 'file', path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: ${(err as Error).message}`);
  }
  const key = randomBytes(32);
  writeSecretFile(path, `${key.toString('base64')}\n`);
  return { key, source: 'generated', path };
}

/**
 * writeSecretFile creates a file that only the owner can read, failing when it already exists
 * (two processes starting at once must not overwrite each other's secret), and syncs it to disk.
 */
export function writeSecretFile(path: string, content: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
