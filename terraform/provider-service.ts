/**
 * The `tfplugin6.Provider` service: metadata, schemas, validation of the provider's and the
 * resources' configuration, configuration (a ManagementClient of client/), the resources' plan,
 * apply, read, import and state upgrade (resources/), the data sources (data-sources/), and stop. Every other operation answers an
 * error diagnostic saying it is not implemented yet.
 */
import * as grpc from '@grpc/grpc-js';
import { ManagementClient } from '../client/management-client.ts';
import { dependsOnUnknown } from '../schema/field-path.ts';
import { parseResource } from '../schema/parse.ts';
import type { ResourceKind } from '../schema/resource-kind.ts';
import { attributePath, errorDiagnostic, notImplemented, renderSteps, type DiagnosticMessage } from './diagnostics.ts';
import { checkProviderConfig, resolveProviderConfig } from './provider-config.ts';
import { CtyCodecError, decodeCty, UNKNOWN, type CtyType, type CtyValue } from './protocol/cty-msgpack.ts';
import { encodeSchema } from './schema-encode.ts';
import { impliedType, type TerraformSchemaSource } from './schema-source.ts';
import { splitUnknowns } from './unknowns.ts';
import { dataSourceContext, readDataSource, unknownDataSource, validateDataSource, type ReadDataRequest, type ValidateDataRequest } from './data-sources/data-source.ts';
import { applyResourceChange, type ApplyRequest } from './resources/apply.ts';
import type { ResourceContext } from './resources/context.ts';
import type { LeftUnready } from './resources/private-data.ts';
import { planResourceChange, type PlanRequest } from './resources/plan.ts';
import { importResourceState, type ImportRequest } from './resources/import.ts';
import { readResource, type ReadRequest } from './resources/read.ts';
import { upgradeResourceState, type UpgradeRequest } from './resources/upgrade.ts';

/** DynamicValueMessage is the plain-object form of `tfplugin6.DynamicValue`. */
interface DynamicValueMessage {
  msgpack: Buffer;
  json: Buffer;
}

/** UNARY_NOT_IMPLEMENTED are the unary operations not offered yet, each answered with its diagnostics. */
const UNARY_NOT_IMPLEMENTED = [
  'GetResourceIdentitySchemas',
  'UpgradeResourceIdentity',
  'MoveResourceState',
  'GenerateResourceConfig',
  'ValidateEphemeralResourceConfig',
  'OpenEphemeralResource',
  'RenewEphemeralResource',
  'CloseEphemeralResource',
  'ValidateListResourceConfig',
  'GetFunctions',
  'ValidateStateStoreConfig',
  'ConfigureStateStore',
  'LockState',
  'UnlockState',
  'GetStates',
  'DeleteState',
  'PlanAction',
  'ValidateActionConfig',
] as const;

/** ProviderState is what ConfigureProvider set up, closed when the plugin stops. */
export class ProviderState {
  client: ManagementClient | undefined;
  /** stopping is aborted by StopProvider: operations in flight give up. */
  readonly stopping = new AbortController();
  /** leftUnready: listeners an earlier apply left not Running, as this process read them (resources/private-data.ts). */
  readonly leftUnready: LeftUnready = new Set();

  /** close closes the management client, if one was made. */
  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** unary adapts a handler; an unexpected failure becomes an error diagnostic in the answer's diagnostics field. */
function unary<Req, Res>(fn: (req: Req) => Res | Promise<Res>, onFailure: (d: DiagnosticMessage) => Res): Unary<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(null, onFailure(errorDiagnostic('Internal error in the Gatehouse provider', err instanceof Error ? err.message : String(err)))),
      );
  };
}

/** decodeConfig reads a DynamicValue of the given type; it must come as MessagePack. */
function decodeConfig(value: DynamicValueMessage | null | undefined, type: CtyType): CtyValue {
  if (!value || value.msgpack.length === 0) {
    if (value && value.json.length > 0) throw new CtyCodecError('a configuration sent as JSON is not supported; expected MessagePack', []);
    return null;
  }
  return decodeCty(value.msgpack, type);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** createProviderService builds the service implementation over a schema source and the environment. */
export function createProviderService(source: TerraformSchemaSource, env: NodeJS.ProcessEnv, state: ProviderState): grpc.UntypedServiceImplementation {
  const kindOf = (typeName: string): ResourceKind | undefined => source.resources.find((r) => r.typeName === typeName)?.kind;
  const providerType = (): CtyType => impliedType(source.providerSchema().block.attributes);

  const validateResource = (typeName: string, config: DynamicValueMessage | null): DiagnosticMessage[] => {
    const kind = kindOf(typeName);
    if (!kind) return [errorDiagnostic(`Unknown resource type ${typeName}`, `The Gatehouse provider offers ${source.resources.map((r) => r.typeName).join(', ')}.`)];
    const type = impliedType(source.resourceSchema(kind).block.attributes);
    const value = decodeConfig(config, type);
    if (value === UNKNOWN || value === null) return [];
    const { known, unknownPaths } = splitUnknowns(value, type, (a) => source.toFieldName(a));
    if (!isRecord(known)) return [];
    const parsed = parseResource(kind, 'create', source.fromTerraformValue(kind, known));
    if (parsed.ok) return [];
    return parsed.errors
      .filter((e) => !dependsOnUnknown(e, unknownPaths))
      .map((e) => {
        const steps = attributePath(e.path, type, (f) => source.toAttributeName(f));
        const where = renderSteps(steps);
        return errorDiagnostic(where === '' ? `Invalid ${typeName}` : `Invalid value for ${where}`, `${e.message} (${e.code})`, steps);
      });
  };

  /** resourceContext is what an operation on one resource type needs; undefined for a type not offered. */
  const resourceContext = (typeName: string): ResourceContext | undefined => {
    const kind = kindOf(typeName);
    if (!kind) return undefined;
    const attributes = source.resourceSchema(kind).block.attributes;
    return { typeName, kind, type: impliedType(attributes), attributes, source, client: state.client, signal: state.stopping.signal, leftUnready: state.leftUnready };
  };
  const unknownType = (typeName: string): DiagnosticMessage =>
    errorDiagnostic(`Unknown resource type ${typeName}`, `The Gatehouse provider offers ${source.resources.map((r) => r.typeName).join(', ')}.`);

  const impl: grpc.UntypedServiceImplementation = {
    GetMetadata: unary(
      () => ({
        server_capabilities: { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false },
        diagnostics: [],
        resources: source.resources.map((r) => ({ type_name: r.typeName })),
        data_sources: Object.keys(source.dataSources()).map((typeName) => ({ type_name: typeName })),
      }),
      (d) => ({ diagnostics: [d] }),
    ),
    GetProviderSchema: unary(
      () => ({
        provider: encodeSchema(source.providerSchema()),
        resource_schemas: Object.fromEntries(source.resources.map((r) => [r.typeName, encodeSchema(source.resourceSchema(r.kind))])),
        data_source_schemas: Object.fromEntries(Object.entries(source.dataSources()).map(([name, s]) => [name, encodeSchema(s)])),
        diagnostics: [],
        server_capabilities: { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false },
      }),
      (d) => ({ diagnostics: [d] }),
    ),
    ValidateProviderConfig: unary(
      (req: { config: DynamicValueMessage | null }) => ({ diagnostics: checkProviderConfig(decodeConfig(req.config, providerType())) }),
      (d) => ({ diagnostics: [d] }),
    ),
    ValidateResourceConfig: unary(
      (req: { type_name: string; config: DynamicValueMessage | null }) => ({ diagnostics: validateResource(req.type_name, req.config) }),
      (d) => ({ diagnostics: [d] }),
    ),
    ValidateDataResourceConfig: unary(
      (req: ValidateDataRequest) => {
        const ctx = dataSourceContext(source, req.type_name, state.client, state.stopping.signal);
        return { diagnostics: ctx ? validateDataSource(ctx, req) : [unknownDataSource(source, req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    ReadDataSource: unary(
      (req: ReadDataRequest) => {
        const ctx = dataSourceContext(source, req.type_name, state.client, state.stopping.signal);
        return ctx ? readDataSource(ctx, req) : { state: null, diagnostics: [unknownDataSource(source, req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    PlanResourceChange: unary(
      (req: PlanRequest) => {
        const ctx = resourceContext(req.type_name);
        return ctx ? planResourceChange(ctx, req) : { diagnostics: [unknownType(req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    ApplyResourceChange: unary(
      (req: ApplyRequest) => {
        const ctx = resourceContext(req.type_name);
        return ctx ? applyResourceChange(ctx, req) : { diagnostics: [unknownType(req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    ReadResource: unary(
      (req: ReadRequest) => {
        const ctx = resourceContext(req.type_name);
        return ctx ? readResource(ctx, req) : { diagnostics: [unknownType(req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    ImportResourceState: unary(
      (req: ImportRequest) => {
        const ctx = resourceContext(req.type_name);
        return ctx ? importResourceState(ctx, req) : { diagnostics: [unknownType(req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    UpgradeResourceState: unary(
      (req: UpgradeRequest) => {
        const ctx = resourceContext(req.type_name);
        return ctx ? upgradeResourceState(ctx, req) : { diagnostics: [unknownType(req.type_name)] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    ConfigureProvider: unary(
      async (req: { config: DynamicValueMessage | null }) => {
        const value = decodeConfig(req.config, providerType());
        const diagnostics = checkProviderConfig(value);
        if (diagnostics.length > 0) return { diagnostics };
        const config = resolveProviderConfig(value, env);
        await state.close();
        // With a value not known until apply, no call can go out yet: no client is made.
        if (!config.unknown) state.client = new ManagementClient({ endpoint: config.endpoint, token: config.token });
        return { diagnostics: [] };
      },
      (d) => ({ diagnostics: [d] }),
    ),
    StopProvider: unary(
      () => {
        state.stopping.abort();
        return { Error: '' };
      },
      (d) => ({ Error: d.detail }),
    ),
    CallFunction: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { error: { text: 'CallFunction is not implemented yet: the Gatehouse provider offers no functions' } }),
    ListResource: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.write({ diagnostics: [notImplemented('ListResource')] });
      call.end();
    },
    ReadStateBytes: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.write({ diagnostics: [notImplemented('ReadStateBytes')] });
      call.end();
    },
    InvokeAction: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.write({ completed: { diagnostics: [notImplemented('InvokeAction')] } });
      call.end();
    },
    WriteStateBytes: (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      call.on('data', () => undefined);
      call.on('end', () => callback(null, { diagnostics: [notImplemented('WriteStateBytes')] }));
    },
  };
  for (const rpc of UNARY_NOT_IMPLEMENTED) {
    impl[rpc] = (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => callback(null, { diagnostics: [notImplemented(rpc)] });
  }
  return impl;
}
