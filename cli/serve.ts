/**
 * `gatehouse serve`: runs the management API, the store and the engine in this process until
 * SIGINT / SIGTERM, then stops gracefully (the API stops taking requests, listeners drain).
 */
import { resolve } from 'node:path';
import { DEFAULT_ENDPOINT } from '../client/management-client.ts';
import { isIpLiteral } from '../schema/net.ts';
import { GATEHOUSE_VERSION } from '../server/version.ts';
import { defaultWorkers, GatehouseServer } from '../server/runtime/gatehouse-server.ts';
import { parseArgs, parseHostPort, pick, UsageError } from './args.ts';
import { DEFAULT_DATA_DIR, DEFAULT_LISTEN } from './cli-config.ts';
import type { CliIo } from './cli-io.ts';
import { isPostgresUrl } from '../server/store/postgres/open-postgres-store.ts';
import { describeConnection } from '../server/store/postgres/pg-connection.ts';

/** MAX_WORKERS bounds --workers: past a few per CPU, more processes only cost memory. */
export const MAX_WORKERS = 256;

/** SERVE_USAGE is the help text of `gatehouse serve`. */
export const SERVE_USAGE = `Usage: gatehouse serve [--data-dir DIR] [--listen HOST:PORT] [--token-file FILE] [--token TOKEN] [--workers N] [--demo]
                      [--store postgres://… --master-key-file FILE [--store-password-file FILE]]

  --data-dir DIR       store, master key and admin token (default ${DEFAULT_DATA_DIR}; GATEHOUSE_DATA_DIR)
  --store URL          keep the configuration in PostgreSQL, shared with every node given the same URL
                       (GATEHOUSE_STORE); the node then needs --token-file or --token, and the master key
                       every node shares: GATEHOUSE_MASTER_KEY or --master-key-file (GATEHOUSE_MASTER_KEY_FILE)
  --store-password-file FILE
                       the database password (GATEHOUSE_STORE_PASSWORD_FILE; or PGPASSWORD), never printed
  --bind-address ADDR  bind the listeners of load balancers on 0.0.0.0 / :: to ADDR instead: one interface,
                       or one of several nodes on one host (GATEHOUSE_BIND_ADDRESS)
  --node-name NAME     how cluster status names this node (GATEHOUSE_NODE_NAME; default host name/API address)
  --listen HOST:PORT   where the management API listens (default ${DEFAULT_LISTEN}; GATEHOUSE_LISTEN)
  --token-file FILE    read the admin token from FILE (created with a fresh token if missing)
  --token TOKEN        use TOKEN as the admin token (GATEHOUSE_TOKEN)
  --endpoint URL       accepted for symmetry with other commands: listen where URL points
  --workers N          engine worker processes, 1–${MAX_WORKERS} (default: the number of CPUs, here ${defaultWorkers()};
                       GATEHOUSE_WORKERS); 1 runs the engine in the server's own process
  --demo               on an empty data dir, create a ready HTTPS example on 127.0.0.1:8443
  GATEHOUSE_MASTER_KEY 32-byte key (hex or base64) that encrypts private keys; default DIR/master-key
`;

const SPEC = {
  values: ['data-dir', 'listen', 'token-file', 'token', 'endpoint', 'workers', 'store', 'store-password-file', 'master-key-file', 'bind-address', 'node-name'],
  switches: ['demo', 'help'],
};


/** parseWorkers reads --workers / GATEHOUSE_WORKERS: a whole number from 1 to MAX_WORKERS. */
export function parseWorkers(text: string, what: string): number {
  const n = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_WORKERS)) throw new UsageError(`${what} must be a whole number from 1 to ${MAX_WORKERS}, got "${text}"`);
  return n;
}

/** SHUTDOWN_DRAIN_MS is how long listeners drain on SIGINT / SIGTERM before connections are cut. */
export const SHUTDOWN_DRAIN_MS = 30_000;

/** runServe starts the server and resolves with the exit code once it has stopped. */
export async function runServe(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.flags.has('help')) {
    io.out(SERVE_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const dataDir = resolve(pick(args, 'data-dir', env, 'GATEHOUSE_DATA_DIR', DEFAULT_DATA_DIR)!);
  const listenText = args.flags.get('listen') ?? listenFromEndpoint(args.flags.get('endpoint')) ?? pick(args, 'listen', env, 'GATEHOUSE_LISTEN', DEFAULT_LISTEN)!;
  const listen = parseHostPort(listenText, '--listen');
  const demo = args.flags.has('demo');
  const workersText = pick(args, 'workers', env, 'GATEHOUSE_WORKERS');
  const workers = workersText === undefined ? defaultWorkers() : parseWorkers(workersText, args.flags.has('workers') ? '--workers' : 'GATEHOUSE_WORKERS');
  const store = pick(args, 'store', env, 'GATEHOUSE_STORE');
  const bindAddress = pick(args, 'bind-address', env, 'GATEHOUSE_BIND_ADDRESS');
  if (bindAddress !== undefined && !isIpLiteral(bindAddress)) {
    throw new UsageError(`${args.flags.has('bind-address') ? '--bind-address' : 'GATEHOUSE_BIND_ADDRESS'} must be an IP address, got "${bindAddress}"`);
  }
  const nodeName = pick(args, 'node-name', env, 'GATEHOUSE_NODE_NAME');
  if (nodeName !== undefined && (nodeName.length > 200 || /[\u0000-\u001f\u007f]/.test(nodeName))) {
    throw new UsageError('--node-name must be at most 200 characters without control characters');
  }
  const token = pick(args, 'token', env, 'GATEHOUSE_TOKEN');
  if (store !== undefined) {
    if (!isPostgresUrl(store)) throw new UsageError(`--store must be a postgres:// URL, got "${redactUrl(store)}"`);
    // Every node of a cluster must accept the same token: a generated per-node one would not.
    if (args.flags.get('token-file') === undefined && token === undefined) {
      throw new UsageError('--store needs the admin token every node shares: give --token-file FILE or --token / GATEHOUSE_TOKEN');
    }
  }

  // Demo backends start first so that the stored example can point at their ports.
  const backends = demo ? await (await import('./demo/demo-backends.ts')).DemoBackends.start() : undefined;
  let server: GatehouseServer;
  // A signal while the store is being waited for (PostgreSQL down at start) ends the wait; one
  // that comes later in the start stops the server as soon as it is up.
  const starting = new AbortController();
  const stopStart = () => starting.abort();
  if (store !== undefined) {
    process.once('SIGINT', stopStart);
    process.once('SIGTERM', stopStart);
  }
  try {
    server = await GatehouseServer.start({
      dataDir,
      store,
      storePasswordFile: pick(args, 'store-password-file', env, 'GATEHOUSE_STORE_PASSWORD_FILE'),
      masterKeyFile: pick(args, 'master-key-file', env, 'GATEHOUSE_MASTER_KEY_FILE'),
      signal: starting.signal,
      bindAddress,
      nodeName,
      host: listen.host,
      port: listen.port,
      tokenFile: args.flags.get('token-file'),
      token,
      env,
      drainTimeoutMs: SHUTDOWN_DRAIN_MS,
      workers,
    });
  } catch (err) {
    await backends?.close();
    throw err;
  } finally {
    process.off('SIGINT', stopStart);
    process.off('SIGTERM', stopStart);
  }
  if (starting.signal.aborted) {
    await server.close(0);
    await backends?.close();
    io.out('gatehouse: stopped\n');
    return 0;
  }

  io.out(`gatehouse ${GATEHOUSE_VERSION}: management API listening on ${server.url}\n`);
  io.out(`  data directory: ${dataDir}\n`);
  io.out(`  store:          ${server.store.description}\n`);
  io.out(
    server.adminToken.path
      ? `  admin token:    ${server.adminToken.path}${server.adminToken.generated ? ' (generated)' : ''}\n`
      : '  admin token:    given by --token / GATEHOUSE_TOKEN\n',
  );
  io.out(`  master key:     ${server.store.masterKeySource}\n`);
  io.out(`  engine:         ${workers === 1 ? 'in this process (--workers 1)' : `${workers} worker processes`}\n`);

  if (backends) {
    const { setUpDemo } = await import('./demo/demo-setup.ts');
    try {
      const report = await setUpDemo(server, backends, dataDir);
      io.out(report);
    } catch (err) {
      io.err(`gatehouse: the demo could not be set up: ${(err as Error).message}\n`);
    }
  }

  await waitForStopSignal(io);
  await server.close(SHUTDOWN_DRAIN_MS);
  await backends?.close();
  io.out('gatehouse: stopped\n');
  return 0;
}

function listenFromEndpoint(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint must be a URL such as ${DEFAULT_ENDPOINT}, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:') throw new UsageError('--endpoint of serve must be an http:// URL');
  return `${url.hostname}:${url.port || '80'}`;
}

/** The first SIGINT / SIGTERM starts a graceful stop; a second one ends the process at once. */
function waitForStopSignal(io: CliIo): Promise<void> {
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      io.err(`gatehouse: ${signal}: stopping; listeners drain for up to ${SHUTDOWN_DRAIN_MS / 1000} s (signal again to stop now)\n`);
      const force = () => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** redactUrl shows a --store value in an error without a password it may carry. */
function redactUrl(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? describeConnection(value) : value;
}
