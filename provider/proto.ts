/**
 * The Pulumi protocol modules shipped in `@pulumi/pulumi/proto`. They assign their exports via
 * `goog.object.extend`, which ESM named-export detection cannot see, so they are loaded with
 * `require` and typed through their `.d.ts` files.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** providerPb holds the ResourceProvider messages. */
export const providerPb = require('@pulumi/pulumi/proto/provider_pb.js') as typeof import('@pulumi/pulumi/proto/provider_pb.js');
/** providerGrpc holds ResourceProviderService and ResourceProviderClient. */
export const providerGrpc = require('@pulumi/pulumi/proto/provider_grpc_pb.js') as typeof import('@pulumi/pulumi/proto/provider_grpc_pb.js');
/** pluginPb holds PluginInfo and PluginAttach. */
export const pluginPb = require('@pulumi/pulumi/proto/plugin_pb.js') as typeof import('@pulumi/pulumi/proto/plugin_pb.js');
/** statusPb is google.rpc.Status, the carrier of error details. */
export const statusPb = require('@pulumi/pulumi/proto/status_pb.js') as typeof import('@pulumi/pulumi/proto/status_pb.js');
/** emptyPb is google.protobuf.Empty. */
export const emptyPb = require('google-protobuf/google/protobuf/empty_pb.js') as typeof import('google-protobuf/google/protobuf/empty_pb.js');
/** anyPb is google.protobuf.Any. */
export const anyPb = require('google-protobuf/google/protobuf/any_pb.js') as typeof import('google-protobuf/google/protobuf/any_pb.js');
