/**
 * The protocol declarations of terraform/protocol/*.proto: the tfplugin6 Provider service,
 * go-plugin's broker, controller and stdio services, and the gRPC health service. Messages are
 * plain objects with the .proto's field names; 64-bit integers are numbers, enums their names,
 * bytes Buffers.
 *
 * The texts are parsed with protobufjs (what @grpc/proto-loader itself parses with) rather than
 * loaded by file name, so that the packaged provider, a single executable with no files beside
 * it, reads the same declarations from its embedded assets (packaging/terraform-provider-archive.ts).
 */
import { readFileSync } from 'node:fs';
import { getAsset, isSea } from 'node:sea';
import * as grpc from '@grpc/grpc-js';
import { fromJSON, type Options } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/** PROTO_FILES are the declarations, by file name: in this folder, or as assets of the single executable. */
export const PROTO_FILES = ['tfplugin6.proto', 'go-plugin.proto', 'health.proto'] as const;
/** WELL_KNOWN are the protobuf well-known types the declarations import, from protobufjs's own copies. */
const WELL_KNOWN = ['google/protobuf/empty.proto'] as const;
const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

/** protoText is one declaration's text: the embedded asset in the single executable, else the file here. */
function protoText(name: (typeof PROTO_FILES)[number]): string {
  return isSea() ? getAsset(name, 'utf8') : readFileSync(new URL(name, import.meta.url), 'utf8');
}

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
  const declarations = new protobuf.Root();
  for (const name of PROTO_FILES) protobuf.parse(protoText(name), declarations, { keepCase: true });
  for (const name of WELL_KNOWN) {
    const common = protobuf.common.get(name);
    if (!common?.nested) throw new Error(`protobufjs has no ${name}`);
    declarations.addJSON(common.nested);
  }
  declarations.resolveAll();
  const root = grpc.loadPackageDefinition(fromJSON(declarations.toJSON(), LOADER_OPTIONS));
  return {
    provider: service(root, 'tfplugin6.Provider'),
    broker: service(root, 'plugin.GRPCBroker'),
    controller: service(root, 'plugin.GRPCController'),
    stdio: service(root, 'plugin.GRPCStdio'),
    health: service(root, 'grpc.health.v1.Health'),
  };
}
