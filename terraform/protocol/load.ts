/**
 * The protocol declarations of terraform/protocol/*.proto, loaded at run time with
 * @grpc/proto-loader: the tfplugin6 Provider service, go-plugin's broker, controller and stdio
 * services, and the gRPC health service. Messages are plain objects with the .proto's field
 * names; 64-bit integers are numbers, enums their names, bytes Buffers.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('.', import.meta.url));
const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] };

/** ProtocolServices are the service definitions the plugin's gRPC server registers. */
export interface ProtocolServices {
  provider: grpc.ServiceDefinition;
  broker: grpc.ServiceDefinition;
  controller: grpc.ServiceDefinition;
  stdio: grpc.ServiceDefinition;
  health: grpc.ServiceDefinition;
}

function service(root: grpc.GrpcObject, path: string): grpc.ServiceDefinition {
  let at: unknown = root;
  for (const part of path.split('.')) at = (at as Record<string, unknown>)[part];
  const ctor = at as { service?: grpc.ServiceDefinition } | undefined;
  if (!ctor?.service) throw new Error(`protocol declaration ${path} not found`);
  return ctor.service;
}

/** loadProtocol reads the .proto files once and returns their service definitions. */
export function loadProtocol(): ProtocolServices {
  const definition = loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'], LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition);
  return {
    provider: service(root, 'tfplugin6.Provider'),
    broker: service(root, 'plugin.GRPCBroker'),
    controller: service(root, 'plugin.GRPCController'),
    stdio: service(root, 'plugin.GRPCStdio'),
    health: service(root, 'grpc.health.v1.Health'),
  };
}
