/**
 * The plugin's gRPC server, as go-plugin serves one: on 127.0.0.1 (a free port, or the first
 * free one of PLUGIN_MIN_PORT..PLUGIN_MAX_PORT), over TLS when Terraform sent its client
 * certificate, with the provider service and go-plugin's own services. Stopping is graceful:
 * no new calls, the calls in flight finish, the long-lived streams end.
 */
import * as grpc from '@grpc/grpc-js';
import { loadProtocol } from '../protocol/load.ts';
import { clientCertificate, createServerTls, serverCredentials } from './auto-mtls.ts';
import { brokerService, controllerService, healthService, OpenStreams, stdioService } from './go-plugin-services.ts';
import { handshakeLine, portRange, type PortRange } from './handshake.ts';

/** MAX_MESSAGE_BYTES matches what Terraform allows a provider's messages (a large schema or state). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** SHUTDOWN_GRACE_MS is how long calls in flight may take to finish before the server stops by force. */
const SHUTDOWN_GRACE_MS = 5000;

/** RunningPlugin is a listening plugin: its handshake line, a stop function and a promise of the stop. */
export interface RunningPlugin {
  readonly port: number;
  readonly line: string;
  /** stop shuts the server down gracefully; idempotent. */
  stop(): Promise<void>;
  /** stopped resolves once the server has stopped (by stop() or the controller's Shutdown). */
  readonly stopped: Promise<void>;
}

/** ServePluginOptions give the provider's service implementation and what to do after the server stopped. */
export interface ServePluginOptions {
  provider: grpc.UntypedServiceImplementation;
  env: NodeJS.ProcessEnv;
  /** onStop runs once the server has stopped (the provider's own cleanup). */
  onStop?: () => Promise<void> | void;
}

async function bindInRange(server: grpc.Server, range: PortRange, credentials: grpc.ServerCredentials): Promise<number> {
  const bind = (port: number): Promise<number> =>
    new Promise((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))));
  if (range.min === 0 && range.max === 0) return bind(0);
  for (let port = Math.max(range.min, 1); port <= range.max; port++) {
    try {
      return await bind(port);
    } catch {
      // Taken: try the next one, as go-plugin does.
    }
  }
  throw new Error(`no free port between PLUGIN_MIN_PORT ${range.min} and PLUGIN_MAX_PORT ${range.max}`);
}

/** servePlugin starts the server and returns the handshake line to print. */
export async function servePlugin(opts: ServePluginOptions): Promise<RunningPlugin> {
  const range = portRange(opts.env);
  const clientCert = clientCertificate(opts.env);
  const tls = clientCert === undefined ? undefined : await createServerTls();
  const services = loadProtocol();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const streams = new OpenStreams();
  let stopping: Promise<void> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      streams.endAll();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await opts.onStop?.();
      markStopped();
    })();
    return stopping;
  };
  server.addService(services.provider, opts.provider);
  server.addService(services.health, healthService());
  server.addService(services.stdio, stdioService(streams));
  server.addService(services.broker, brokerService(streams));
  server.addService(services.controller, controllerService(() => void stop()));
  const port = await bindInRange(server, range, serverCredentials(clientCert, tls));
  return { port, line: handshakeLine(port, tls?.certDer), stop, stopped };
}
