/**
 * The plugin entry: serves the ResourceProvider on 127.0.0.1 at an ephemeral port and prints
 * the port as the first line of stdout — nothing may be printed before it, as the engine
 * reads that line to connect. Arguments: flags the engine passes (ignored) and the engine's
 * address. Stops on SIGINT / SIGTERM.
 */
import * as grpc from '@grpc/grpc-js';
import { GatehouseProvider } from './gatehouse-provider.ts';
import { createService, RESOURCE_PROVIDER_SERVICE } from './service.ts';

/** MAX_MESSAGE_BYTES is generous: a Struct of certificates with long chains stays far below it. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/**
 * SHUTDOWN_GRACE_MS is how long a stop lets calls in flight finish (they were just cancelled, so
 * they end quickly) before the gRPC server is shut down by force: the engine waits for the plugin.
 */
const SHUTDOWN_GRACE_MS = 5000;

/** engineAddressFromArgs returns the last argument that is not a flag (`host:port`), if any. */
export function engineAddressFromArgs(args: readonly string[]): string | undefined {
  const positional = args.filter((a) => !a.startsWith('-'));
  return positional.at(-1);
}

/** serve starts the gRPC server and resolves with its port and a stop function. */
export async function serve(provider: GatehouseProvider): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(RESOURCE_PROVIDER_SERVICE, createService(provider));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      provider.cancel();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await provider.close();
    })();
    return stopping;
  };
  return { port, stop };
}

async function main(): Promise<void> {
  const provider = new GatehouseProvider(process.env);
  provider.engineAddress(engineAddressFromArgs(process.argv.slice(2)));
  const { port, stop } = await serve(provider);
  process.stdout.write(`${port}\n`);
  const shutdown = (): void => {
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`gatehouse provider failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
