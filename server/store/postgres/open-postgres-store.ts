/**
 * What `gatehouse serve --store postgres://…` needs before it can open the shared store: the
 * master key every node of the cluster is given (never generated here: a node that made its
 * own would seal keys no other node can open), and the database password from a file or
 * PGPASSWORD, so that it need not sit in the URL on the command line.
 */
import { readFileSync } from 'node:fs';
import { parseMasterKey } from '../../secrets/master-key.ts';
import { PostgresStore } from './postgres-store.ts';

/** PostgresStoreSettings are serve's settings for the PostgreSQL store. */
export interface PostgresStoreSettings {
  /** --store / GATEHOUSE_STORE: a postgres:// or postgresql:// URL. */
  readonly url: string;
  /** --store-password-file / GATEHOUSE_STORE_PASSWORD_FILE. */
  readonly passwordFile?: string | undefined;
  /** --master-key-file / GATEHOUSE_MASTER_KEY_FILE. */
  readonly masterKeyFile?: string | undefined;
  /** Where GATEHOUSE_MASTER_KEY and PGPASSWORD are read from. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: (message: string) => void;
  readonly signal?: AbortSignal | undefined;
}

/** isPostgresUrl tells whether a --store value names a PostgreSQL database. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** openPostgresStore resolves the key and password, then waits for and opens the store. */
export async function openPostgresStore(settings: PostgresStoreSettings): Promise<PostgresStore> {
  if (!isPostgresUrl(settings.url)) throw new Error('--store must be a postgres:// URL (without it, the store is the SQLite file in the data directory)');
  const { key, source } = clusterMasterKey(settings);
  return PostgresStore.open({
    url: settings.url,
    password: storePassword(settings),
    masterKey: key,
    masterKeySource: source,
    log: settings.log,
    signal: settings.signal,
  });
}

/** clusterMasterKey reads the shared master key: GATEHOUSE_MASTER_KEY, else the key file. */
function clusterMasterKey(settings: PostgresStoreSettings): { key: Buffer; source: string } {
  const fromEnv = settings.env.GATEHOUSE_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    try {
      return { key: parseMasterKey(fromEnv), source: 'GATEHOUSE_MASTER_KEY' };
    } catch (err) {
      throw new Error(`GATEHOUSE_MASTER_KEY: ${(err as Error).message}`, { cause: err });
    }
  }
  if (settings.masterKeyFile === undefined) {
    throw new Error(
      'a PostgreSQL store needs the master key every node shares: set GATEHOUSE_MASTER_KEY or --master-key-file (GATEHOUSE_MASTER_KEY_FILE)',
    );
  }
  try {
    return { key: parseMasterKey(readFileSync(settings.masterKeyFile, 'utf8')), source: settings.masterKeyFile };
  } catch (err) {
    throw new Error(`--master-key-file ${settings.masterKeyFile}: ${(err as Error).message}`, { cause: err });
  }
}

/** storePassword: the password file wins, then PGPASSWORD; undefined leaves the URL's (or none). */
function storePassword(settings: PostgresStoreSettings): string | undefined {
  if (settings.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(settings.passwordFile, 'utf8');
    } catch (err) {
      throw new Error(`--store-password-file ${settings.passwordFile}: ${(err as Error).message}`, { cause: err });
    }
    const password = text.replace(/\r?\n$/, '');
    if (password === '') throw new Error(`--store-password-file ${settings.passwordFile}: the file is empty`);
    return password;
  }
  const fromEnv = settings.env.PGPASSWORD;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
