/**
 * EngineLog sends diagnostics to the Pulumi engine's Log service, so warnings (a QUIC listener
 * that is Unavailable, a dry run that could not reach the API) appear in the user's `pulumi up`
 * output next to the resource. Without an engine address it writes to stderr, which the engine
 * also shows. Messages never carry the token or a private key: callers pass only names, ids,
 * codes and server texts.
 */
import * as grpc from '@grpc/grpc-js';
import engineGrpc from '@pulumi/pulumi/proto/engine_grpc_pb.js';
import enginePb from '@pulumi/pulumi/proto/engine_pb.js';

/** LogLevel is a severity of the engine's Log service. */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

const SEVERITY: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/** Logger is what the resource operations log through. */
export interface Logger {
  /** log sends one message; the promise settles once the engine has it (it never rejects). */
  log(level: LogLevel, message: string, urn?: string): Promise<void>;
}

/** EngineLog is a Logger over the engine's gRPC Log service. */
export class EngineLog implements Logger {
  #client: InstanceType<typeof engineGrpc.EngineClient> | undefined;
  #address: string | undefined;

  /** connect points the log at the engine (idempotent for the same address). */
  connect(address: string | undefined): void {
    if (!address || address === this.#address) return;
    this.close();
    this.#address = address;
    this.#client = new engineGrpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  log(level: LogLevel, message: string, urn?: string): Promise<void> {
    const client = this.#client;
    const toStderr = (): void => {
      if (level !== 'debug') process.stderr.write(`${level}: ${urn ? `${urn}: ` : ''}${message}\n`);
    };
    if (!client) {
      toStderr();
      return Promise.resolve();
    }
    const req = new enginePb.LogRequest();
    req.setSeverity(SEVERITY[level]);
    req.setMessage(message);
    if (urn) req.setUrn(urn);
    return new Promise((resolve) => {
      client.log(req, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => {
        if (err) toStderr();
        resolve();
      });
    });
  }

  /** close drops the connection to the engine; idempotent. */
  close(): void {
    this.#client?.close();
    this.#client = undefined;
    this.#address = undefined;
  }
}
