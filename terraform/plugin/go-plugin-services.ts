/**
 * The services go-plugin's client expects beside the provider: the health check (`plugin` is
 * SERVING), the stdio relay (a stream kept open until shutdown; the plugin writes its own stderr
 * directly, so nothing is relayed), the controller's Shutdown, and the broker's stream (kept open;
 * this provider brokers no further connections).
 */
import * as grpc from '@grpc/grpc-js';

/** HEALTH_SERVICE_NAME is the service go-plugin's client asks the health of. */
export const HEALTH_SERVICE_NAME = 'plugin';

/** OpenStreams holds the long-lived streams, so that shutdown can end them. */
export class OpenStreams {
  readonly #streams = new Set<{ end(): void }>();

  /** add keeps a stream until it ends or the plugin shuts down. */
  add(stream: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>): void {
    this.#streams.add(stream);
    const forget = (): void => {
      this.#streams.delete(stream);
    };
    stream.on('cancelled', forget);
    stream.on('close', forget);
    stream.on('error', forget);
  }

  /** endAll ends every stream still open (the client sees them finish cleanly). */
  endAll(): void {
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }
}

/** healthService answers Check: SERVING for `plugin` (and the whole server), otherwise SERVICE_UNKNOWN. */
export function healthService(): grpc.UntypedServiceImplementation {
  return {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const known = call.request.service === HEALTH_SERVICE_NAME || call.request.service === '';
      callback(null, { status: known ? 'SERVING' : 'SERVICE_UNKNOWN' });
    },
  };
}

/** stdioService keeps StreamStdio open until shutdown. */
export function stdioService(streams: OpenStreams): grpc.UntypedServiceImplementation {
  return {
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => streams.add(call),
  };
}

/** brokerService keeps StartStream open until shutdown, reading and ignoring what the client sends. */
export function brokerService(streams: OpenStreams): grpc.UntypedServiceImplementation {
  return {
    StartStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      streams.add(call);
      call.on('data', () => undefined);
    },
  };
}

/** controllerService answers Shutdown, then runs the graceful shutdown. */
export function controllerService(shutdown: () => void): grpc.UntypedServiceImplementation {
  return {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      setImmediate(shutdown);
    },
  };
}
