/**
 * `gatehouse serve`: runs the management API, the store and the engine in this process until
 * SIGINT / SIGTERM, then stops gracefully (the API stops taking requests, listeners drain).
 */
import { resolve } from 'node:path';
import { DEFAULT_ENDPOINT } from '../client/management-client.ts';
import { GATEHOUSE_VERSION } from '../server/version.ts';
import { defaultWorkers, GatehouseServer } from '../server/runtime/gatehouse-server.ts';
import { parseArgs, parseHostPort, pick, UsageError } from './args.ts';
import { DEFAULT_DATA_DIR, DEFAULT_LISTEN } from './cli-config.ts';
import type { CliIo } from './cli-io.ts';

/** MAX_WORKERS bounds --workers: past a few per CPU, more processes only cost memory. */
export const MAX_WORKERS = 256;

/** SERVE_USAGE is the help text of `gatehouse serve`. */
export const SERVE_USAGE = `Usage: gatehouse serve [--data-dir DIR] [--listen HOST:PORT] [--token-file FILE] [--token TOKEN] [--workers N] [--demo]

  --data-dir DIR       store, master key and admin token (default ${DEFAULT_DATA_DIR}; GATEHOUSE_DATA_DIR)
  --listen HOST:PORT   where the management API listens (default ${DEFAULT_LISTEN}; GATEHOUSE_LISTEN)
  --token-file FILE    read the admin token from FILE (created with a fresh token if missing)
  --token TOKEN        use TOKEN as the admin token (GATEHOUSE_TOKEN)
  --endpoint URL       accepted for symmetry with other commands: listen where URL points
  --workers N          engine worker processes, 1–${MAX_WORKERS} (default: the number of CPUs, here ${defaultWorkers()};
                       GATEHOUSE_WORKERS); 1 runs the engine in the server's own process
  --demo               on an empty data dir, create a ready HTTPS example on 127.0.0.1:8443
  GATEHOUSE_MASTER_KEY 32-byte key (hex or base64) that encrypts private keys; default DIR/master-key
`;

const SPEC = { values: ['data-dir', 'listen', 'token-file', 'token', 'endpoint', 'workers'], switches: ['demo', 'help'] };


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

  // Demo backends start first so that the stored example can point at their ports.
  const backends = demo ? await (await import('./demo/demo-backends.ts')).DemoBackends.start() : undefined;
  let server: GatehouseServer;
  try {
    server = await GatehouseServer.start({
      dataDir,
      host: listen.host,
      port: listen.port,
      tokenFile: args.flags.get('token-file'),
      token: pick(args, 'token', env, 'GATEHOUSE_TOKEN'),
      env,
      drainTimeoutMs: SHUTDOWN_DRAIN_MS,
      workers,
    });
  } catch (err) {
    await backends?.close();
    throw err;
  }

  io.out(`gatehouse ${GATEHOUSE_VERSION}: management API listening on ${server.url}\n`);
  io.out(`  data directory: ${dataDir}\n`);
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
