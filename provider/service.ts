/**
 * The ResourceProvider gRPC service: decodes each request, calls GatehouseProvider, encodes the
 * answer. Implemented directly on @grpc/grpc-js with the stubs of @pulumi/pulumi, because the
 * SDK's own provider host drops Configure arguments, never sends a detailed diff and hides
 * preview and old inputs.
 */
import { readFileSync } from 'node:fs';
import { getAsset, isSea } from 'node:sea';
import * as grpc from '@grpc/grpc-js';
import { decodeStruct, encodeStruct, type Decoded } from './marshal.ts';
import type { GatehouseProvider, ResourceRef } from './gatehouse-provider.ts';
import { anyPb, emptyPb, pluginPb, providerGrpc, providerPb, statusPb } from './proto.ts';
import type { DiffOutcome } from './resources/diff.ts';
import { ProviderError, ResourceInitError } from './resources/errors.ts';

type Pb = typeof providerPb;
type PropertyDiffKind = import('@pulumi/pulumi/proto/provider_pb.js').PropertyDiff.Kind;

/** PROPERTY_DIFF_KIND is the protocol's PropertyDiff.Kind, the numbers a detailed diff carries. */
const PROPERTY_DIFF_KIND = providerPb.PropertyDiff.Kind;
/** DIFF_CHANGES is the protocol's DiffResponse.DiffChanges: whether a diff found anything. */
const DIFF_CHANGES = providerPb.DiffResponse.DiffChanges;

const SCHEMA_URL = new URL('../schema/pulumi/schema.json', import.meta.url);
const PACKAGE_URL = new URL('../package.json', import.meta.url);

/**
 * shippedText reads a file the plugin ships with: from the checkout (or an installed package),
 * or, in the plugin archive's single executable, the asset of that name that packaging put in it
 * (`schema.json`, `package.json`: the schema and version chosen when the archive was packed).
 */
function shippedText(asset: string, url: URL): string {
  return isSea() ? getAsset(asset, 'utf8') : readFileSync(url, 'utf8');
}

/** UNVERSIONED is the version reported when package.json names none: the lowest, never mistaken for a release. */
const UNVERSIONED = '0.0.0';

/** pluginVersion is the package version, reported by GetPluginInfo. */
export function pluginVersion(): string {
  const pkg = JSON.parse(shippedText('package.json', PACKAGE_URL)) as { version?: string };
  return pkg.version ?? UNVERSIONED;
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** unary adapts an async handler; failures become gRPC errors with a message fit for the user. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res> | Res): Handler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}

function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof ResourceInitError) {
    // The resource exists: the engine keeps it in state with these outputs and reports the reasons.
    const detail = new providerPb.ErrorResourceInitFailed();
    detail.setId(err.id);
    detail.setProperties(encodeStruct(err.outputs, err.secretPaths));
    detail.setReasonsList(err.reasons);
    const any = new anyPb.Any();
    any.pack(detail.serializeBinary(), 'pulumirpc.ErrorResourceInitFailed');
    const status = new statusPb.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(err.message);
    status.addDetails(any);
    const metadata = new grpc.Metadata();
    metadata.add('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
    return { code: grpc.status.UNKNOWN, details: err.message, metadata };
  }
  if (err instanceof ProviderError) return { code: grpc.status.UNKNOWN, details: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: grpc.status.INTERNAL, details: `gatehouse provider: ${message}` };
}

/** notOffered answers a protocol method the package has no use for (no functions, no components). */
function notOffered(method: string): Handler<unknown, unknown> {
  return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `the gatehouse package offers no ${method}` });
}

function optionalStruct(has: boolean, get: () => import('./marshal.ts').Struct | undefined): Decoded | undefined {
  return has ? decodeStruct(get()) : undefined;
}

/** KIND_CODES maps a change to its PropertyDiff kind: in place first, with replacement second. */
const KIND_CODES: Record<string, [PropertyDiffKind, PropertyDiffKind]> = {
  add: [PROPERTY_DIFF_KIND.ADD, PROPERTY_DIFF_KIND.ADD_REPLACE],
  delete: [PROPERTY_DIFF_KIND.DELETE, PROPERTY_DIFF_KIND.DELETE_REPLACE],
  update: [PROPERTY_DIFF_KIND.UPDATE, PROPERTY_DIFF_KIND.UPDATE_REPLACE],
};

function diffResponse(pb: Pb, outcome: DiffOutcome): InstanceType<Pb['DiffResponse']> {
  const res = new pb.DiffResponse();
  res.setChanges(outcome.changes.length > 0 ? DIFF_CHANGES.DIFF_SOME : DIFF_CHANGES.DIFF_NONE);
  res.setDiffsList(outcome.diffs);
  res.setReplacesList(outcome.replaces);
  res.setDeletebeforereplace(outcome.deleteBeforeReplace);
  res.setHasdetaileddiff(true);
  const map = res.getDetaileddiffMap();
  for (const c of outcome.changes) {
    const pd = new pb.PropertyDiff();
    const codes = KIND_CODES[c.kind];
    if (codes) pd.setKind(c.replace ? codes[1] : codes[0]);
    pd.setInputdiff(true);
    map.set(c.path, pd);
  }
  return res;
}

function refOf(req: { getUrn(): string; getType?(): string; getName?(): string }): ResourceRef {
  return { urn: req.getUrn(), type: req.getType?.(), name: req.getName?.() };
}

/** createService builds the ResourceProvider implementation over one GatehouseProvider. */
export function createService(provider: GatehouseProvider): grpc.UntypedServiceImplementation {
  const pb = providerPb;
  return {
    handshake: unary((req: InstanceType<Pb['ProviderHandshakeRequest']>) => {
      provider.engineAddress(req.getEngineAddress());
      const res = new pb.ProviderHandshakeResponse();
      res.setAcceptSecrets(true);
      res.setAcceptResources(true);
      res.setAcceptOutputs(false);
      return res;
    }),
    getPluginInfo: unary(() => new pluginPb.PluginInfo().setVersion(pluginVersion())),
    getSchema: unary((req: InstanceType<Pb['GetSchemaRequest']>) => {
      if (req.getSubpackageName()) throw new ProviderError(`the gatehouse provider has no sub-package ${req.getSubpackageName()}`);
      let text: string;
      try {
        text = shippedText('schema.json', SCHEMA_URL);
      } catch {
        throw new ProviderError('the Pulumi schema (schema/pulumi/schema.json) has not been generated: run npm run gen:schema');
      }
      return new pb.GetSchemaResponse().setSchema(text);
    }),
    checkConfig: unary((req: InstanceType<Pb['CheckRequest']>) => {
      const out = provider.checkConfig(decodeStruct(req.getNews()));
      const res = new pb.CheckResponse();
      res.setInputs(encodeStruct(out.inputs, out.secretPaths));
      res.setFailuresList(out.failures.map((f) => new pb.CheckFailure().setProperty(f.property).setReason(f.reason)));
      return res;
    }),
    diffConfig: unary((req: InstanceType<Pb['DiffRequest']>) => {
      const olds = req.hasOldInputs() ? decodeStruct(req.getOldInputs()) : decodeStruct(req.getOlds());
      return diffResponse(pb, provider.diffConfig(olds.value, decodeStruct(req.getNews()).value));
    }),
    configure: unary(async (req: InstanceType<Pb['ConfigureRequest']>) => {
      const variables: Record<string, string> = {};
      req.getVariablesMap().forEach((v, k) => {
        variables[k] = v;
      });
      await provider.configure(decodeStruct(req.getArgs()).value, variables);
      const res = new pb.ConfigureResponse();
      res.setAcceptsecrets(true);
      res.setAcceptresources(true);
      res.setAcceptoutputs(false);
      res.setSupportspreview(true);
      return res;
    }),
    check: unary(async (req: InstanceType<Pb['CheckRequest']>) => {
      const oldOutputs = optionalStruct(req.hasOldOutputs(), () => req.getOldOutputs());
      const out = await provider.check(refOf(req), decodeStruct(req.getOlds()), decodeStruct(req.getNews()), oldOutputs);
      const res = new pb.CheckResponse();
      res.setInputs(encodeStruct(out.inputs, out.secretPaths));
      res.setFailuresList(out.failures.map((f) => new pb.CheckFailure().setProperty(f.property).setReason(f.reason)));
      return res;
    }),
    diff: unary(async (req: InstanceType<Pb['DiffRequest']>) => {
      const oldInputs = optionalStruct(req.hasOldInputs(), () => req.getOldInputs());
      const outcome = await provider.diff(refOf(req), decodeStruct(req.getOlds()), oldInputs, decodeStruct(req.getNews()), req.getIgnorechangesList());
      return diffResponse(pb, outcome);
    }),
    create: unary(async (req: InstanceType<Pb['CreateRequest']>) => {
      const out = await provider.create(refOf(req), decodeStruct(req.getProperties()), req.getPreview(), req.getTimeout());
      const res = new pb.CreateResponse();
      res.setId(out.id);
      res.setProperties(encodeStruct(out.outputs, out.secretPaths));
      return res;
    }),
    read: unary(async (req: InstanceType<Pb['ReadRequest']>) => {
      const out = await provider.read(refOf(req), req.getId(), decodeStruct(req.getProperties()), decodeStruct(req.getInputs()));
      const res = new pb.ReadResponse();
      res.setId(out.id);
      if (out.id !== '') {
        res.setProperties(encodeStruct(out.outputs, out.secretPaths));
        res.setInputs(encodeStruct(out.inputs, out.inputSecretPaths));
      }
      return res;
    }),
    update: unary(async (req: InstanceType<Pb['UpdateRequest']>) => {
      const out = await provider.update(refOf(req), req.getId(), decodeStruct(req.getOlds()), decodeStruct(req.getNews()), req.getPreview(), req.getTimeout());
      const res = new pb.UpdateResponse();
      res.setProperties(encodeStruct(out.outputs, out.secretPaths));
      return res;
    }),
    delete: unary(async (req: InstanceType<Pb['DeleteRequest']>) => {
      await provider.delete(refOf(req), req.getId());
      return new emptyPb.Empty();
    }),
    cancel: unary(() => {
      provider.cancel();
      return new emptyPb.Empty();
    }),
    attach: unary((req: import('@pulumi/pulumi/proto/plugin_pb.js').PluginAttach) => {
      provider.engineAddress(req.getAddress());
      return new emptyPb.Empty();
    }),
    getMapping: unary(() => new pb.GetMappingResponse()),
    getMappings: unary(() => new pb.GetMappingsResponse()),
    parameterize: notOffered('Parameterize'),
    invoke: notOffered('Invoke'),
    call: notOffered('Call'),
    construct: notOffered('Construct'),
    list: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'the gatehouse package offers no List' });
    },
  };
}

/** RESOURCE_PROVIDER_SERVICE is the service definition to register the implementation under. */
export const RESOURCE_PROVIDER_SERVICE = providerGrpc.ResourceProviderService;
