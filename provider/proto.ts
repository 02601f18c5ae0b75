/**
 * The Pulumi protocol modules shipped in `@pulumi/pulumi/proto`. They assign their exports via
 * `goog.object.extend`, which ESM named-export detection cannot see, so each is imported whole
 * (the default import of a CommonJS module is its `module.exports`) and typed through its
 * `.d.ts` file. Static imports, unlike `createRequire`, are also what a bundler can follow: the
 * plugin archive's single executable carries these modules inside it.
 */
import anyModule from 'google-protobuf/google/protobuf/any_pb.js';
import emptyModule from 'google-protobuf/google/protobuf/empty_pb.js';
import pluginModule from '@pulumi/pulumi/proto/plugin_pb.js';
import providerGrpcModule from '@pulumi/pulumi/proto/provider_grpc_pb.js';
import providerModule from '@pulumi/pulumi/proto/provider_pb.js';
import statusModule from '@pulumi/pulumi/proto/status_pb.js';

/** providerPb holds the ResourceProvider messages. */
export const providerPb = providerModule;
/** providerGrpc holds ResourceProviderService and ResourceProviderClient. */
export const providerGrpc = providerGrpcModule;
/** pluginPb holds PluginInfo and PluginAttach. */
export const pluginPb = pluginModule;
/** statusPb is google.rpc.Status, the carrier of error details. */
export const statusPb = statusModule;
/** emptyPb is google.protobuf.Empty. */
export const emptyPb = emptyModule;
/** anyPb is google.protobuf.Any. */
export const anyPb = anyModule;
