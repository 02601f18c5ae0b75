/**
 * Loads the generated Pulumi protobuf and gRPC modules shipped in `@pulumi/pulumi/proto`.
 *
 * The message modules assign their exports through `goog.object.extend`, which Node's ESM
 * named-export detection cannot see, so they are loaded with `require` and typed through
 * their `.d.ts` files.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** providerPb is the ResourceProvider message module (CheckRequest, DiffResponse…). */
export const providerPb = require('@pulumi/pulumi/proto/provider_pb.js') as typeof import('@pulumi/pulumi/proto/provider_pb.js');
/** providerGrpc holds ResourceProviderService / ResourceProviderClient. */
export const providerGrpc = require('@pulumi/pulumi/proto/provider_grpc_pb.js') as typeof import('@pulumi/pulumi/proto/provider_grpc_pb.js');
/** resourcePb is the ResourceMonitor message module (RegisterResourceRequest…). */
export const resourcePb = require('@pulumi/pulumi/proto/resource_pb.js') as typeof import('@pulumi/pulumi/proto/resource_pb.js');
/** resourceGrpc holds ResourceMonitorService. */
export const resourceGrpc = require('@pulumi/pulumi/proto/resource_grpc_pb.js') as typeof import('@pulumi/pulumi/proto/resource_grpc_pb.js');
/** enginePb is the Engine message module (LogRequest, root resource messages). */
export const enginePb = require('@pulumi/pulumi/proto/engine_pb.js') as typeof import('@pulumi/pulumi/proto/engine_pb.js');
/** engineGrpc holds EngineService. */
export const engineGrpc = require('@pulumi/pulumi/proto/engine_grpc_pb.js') as typeof import('@pulumi/pulumi/proto/engine_grpc_pb.js');
/** pluginPb holds PluginInfo and friends. */
export const pluginPb = require('@pulumi/pulumi/proto/plugin_pb.js') as typeof import('@pulumi/pulumi/proto/plugin_pb.js');
/** structPb is google.protobuf.Struct / Value as used by every Pulumi message. */
export const structPb = require('google-protobuf/google/protobuf/struct_pb.js') as typeof import('google-protobuf/google/protobuf/struct_pb.js');
/** emptyPb is google.protobuf.Empty. */
export const emptyPb = require('google-protobuf/google/protobuf/empty_pb.js') as typeof import('google-protobuf/google/protobuf/empty_pb.js');

/** Struct is the protobuf Struct class type. */
export type Struct = import('google-protobuf/google/protobuf/struct_pb.js').Struct;

/** PULUMI_CMD_RUN is the path of `@pulumi/pulumi/cmd/run`, the Node.js program runner. */
export const PULUMI_CMD_RUN = require.resolve('@pulumi/pulumi/cmd/run/index.js');
