/**
 * The entry of terraform-provider-gatehouse, as Terraform starts it: refuses to run without
 * Terraform's magic cookie, serves the provider (over mutual TLS when Terraform sent its
 * certificate) and prints the handshake line as the only line of stdout. Stops on the
 * controller's Shutdown, SIGINT or SIGTERM, after the calls in flight.
 */
import { kindSchemas } from './kind-schemas.ts';
import { hasMagicCookie, NOT_LAUNCHED_MESSAGE } from './plugin/handshake.ts';
import { servePlugin } from './plugin/serve.ts';
import { createProviderService, ProviderState } from './provider-service.ts';

async function main(): Promise<void> {
  if (!hasMagicCookie(process.env)) {
    process.stderr.write(NOT_LAUNCHED_MESSAGE);
    process.exit(1);
  }
  const state = new ProviderState();
  const plugin = await servePlugin({
    provider: createProviderService(kindSchemas(), process.env, state),
    env: process.env,
    onStop: () => state.close(),
  });
  process.stdout.write(`${plugin.line}\n`);
  const shutdown = (): void => void plugin.stop();
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await plugin.stopped;
  process.exit(0);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`terraform-provider-gatehouse failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
