/**
 * PluginProcess: spawns the real `provider/pulumi-resource-gatehouse` executable as the Pulumi
 * engine does (engine address as argument, port read from the first stdout line) and calls it
 * with requests shaped like the engine's (see the recorded engine log of pulumi/providertest):
 * Handshake, Configure with `args` and `acceptSecrets`/`acceptResources`/`sendsOldInputs`,
 * Check with olds/news (and old outputs), Diff with olds = old outputs plus oldInputs, Create /
 * Update with `preview`, Read with id + properties + inputs, or the id alone for import.
 *
 * A small Engine service stands in for the engine's Log endpoint so tests can read warnings.
 * Values go over the wire in Pulumi's wire form: tests write sentinels and secret objects
 * themselves (UNKNOWN, secret()), independent of the provider's own marshalling code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { PLUGIN } from '../../helpers/gatehouse-serve.ts';

const require = createRequire(import.meta.url);
const providerPb = require('@pulumi/pulumi/proto/provider_pb.js') as typeof import('@pulumi/pulumi/proto/provider_pb.js');
const providerGrpc = require('@pulumi/pulumi/proto/provider_grpc_pb.js') as typeof import('@pulumi/pulumi/proto/provider_grpc_pb.js');
const engineGrpc = require('@pulumi/pulumi/proto/engine_grpc_pb.js') as typeof import('@pulumi/pulumi/proto/engine_grpc_pb.js');
const statusPb = require('@pulumi/pulumi/proto/status_pb.js') as typeof import('@pulumi/pulumi/proto/status_pb.js');
const structPb = require('google-protobuf/google/protobuf/struct_pb.js') as typeof import('google-protobuf/google/protobuf/struct_pb.js');
const emptyPb = require('google-protobuf/google/protobuf/empty_pb.js') as typeof import('google-protobuf/google/protobuf/empty_pb.js');

export { PLUGIN };

/** UNKNOWN is the engine's unknown-value sentinel. */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const SIG = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** secret wraps a value as the engine sends a secret. */
export function secret(value: unknown): Record<string, unknown> {
  return { [SIG]: SECRET_SIG, value };
}

/** isSecret tells whether a wire value is a secret object. */
export function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[SIG] === SECRET_SIG;
}

/** urn builds the URN of a resource in the test stack. */
export function urn(type: string, name: string): string {
  return `urn:pulumi:dev::gatehouse-test::${type}::${name}`;
}

/** AddressedRequest is what every per-resource request shares: the resource's urn, name and type. */
interface AddressedRequest {
  setUrn(value: string): unknown;
  setName(value: string): unknown;
  setType(value: string): unknown;
}

/** resourceRequest makes a request of class `Request` addressed to resource `type`/`name`, so each call sets only what is its own. */
function resourceRequest<R extends AddressedRequest>(Request: new () => R, type: string, name: string): R {
  const req = new Request();
  req.setUrn(urn(type, name));
  req.setName(name);
  req.setType(type);
  return req;
}

type Json = Record<string, unknown>;
type Struct = import('google-protobuf/google/protobuf/struct_pb.js').Struct;

function S(obj: Json): Struct {
  return structPb.Struct.fromJavaScript(obj as never);
}

function J(s: Struct | undefined): Json {
  return s ? s.toJavaScript() : {};
}

/** LogEntry is one message the provider sent to the engine's Log service. */
export interface LogEntry {
  severity: number;
  message: string;
  urn: string;
}

/** DiffKindName maps PropertyDiff.Kind numbers to names. */
export const DIFF_KIND = ['ADD', 'ADD_REPLACE', 'DELETE', 'DELETE_REPLACE', 'UPDATE', 'UPDATE_REPLACE'] as const;

/** DiffResult is Diff's answer in plain JS. */
export interface DiffResult {
  changes: 'DIFF_UNKNOWN' | 'DIFF_NONE' | 'DIFF_SOME';
  replaces: string[];
  diffs: string[];
  deleteBeforeReplace: boolean;
  hasDetailedDiff: boolean;
  detailedDiff: Record<string, { kind: (typeof DIFF_KIND)[number]; inputDiff: boolean }>;
}

/** PluginError is a failed call, with the ErrorResourceInitFailed detail when there is one. */
export class PluginError extends Error {
  readonly code: number;
  readonly initFailed: { id: string; properties: Json; reasons: string[] } | undefined;
  constructor(err: grpc.ServiceError) {
    super(err.details || err.message);
    this.code = err.code;
    const bin = err.metadata?.get('grpc-status-details-bin')[0];
    if (bin instanceof Buffer) {
      const status = statusPb.Status.deserializeBinary(new Uint8Array(bin));
      const any = status.getDetailsList()[0];
      if (any && any.getTypeName() === 'pulumirpc.ErrorResourceInitFailed') {
        const d = providerPb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
        this.initFailed = { id: d.getId(), properties: J(d.getProperties()), reasons: d.getReasonsList() };
      }
    }
  }
}

function toDiffResult(res: InstanceType<typeof providerPb.DiffResponse>): DiffResult {
  const detailedDiff: DiffResult['detailedDiff'] = {};
  res.getDetaileddiffMap().forEach((v, k) => {
    detailedDiff[k] = { kind: DIFF_KIND[v.getKind()], inputDiff: v.getInputdiff() };
  });
  return {
    changes: (['DIFF_UNKNOWN', 'DIFF_NONE', 'DIFF_SOME'] as const)[res.getChanges()],
    replaces: res.getReplacesList(),
    diffs: res.getDiffsList(),
    deleteBeforeReplace: res.getDeletebeforereplace(),
    hasDetailedDiff: res.getHasdetaileddiff(),
    detailedDiff,
  };
}

/** PluginProcess owns one running plugin and the stand-in engine log. */
export class PluginProcess {
  port = 0;
  /** Port of the stand-in engine (its Log service). */
  enginePort = 0;
  /** Everything printed on stdout before the port line (must be nothing). */
  beforePort = '';
  /** stderr and stdout after the port line. */
  output = '';
  readonly logs: LogEntry[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #client: InstanceType<typeof providerGrpc.ResourceProviderClient> | undefined;
  #engine: grpc.Server | undefined;
  #closed = false;

  /** start spawns the plugin with `env` (merged over a clean base) and connects. */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<PluginProcess> {
    const p = new PluginProcess();
    try {
      await p.#launch(env);
    } catch (err) {
      await p.close();
      throw err;
    }
    return p;
  }

  async #launch(env: NodeJS.ProcessEnv): Promise<void> {
    const engine = new grpc.Server();
    engine.addService(engineGrpc.EngineService, {
      log: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
        this.logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
        cb(null, new emptyPb.Empty());
      },
      getRootResource: (_c: unknown, cb: grpc.sendUnaryData<any>) => cb({ code: grpc.status.UNIMPLEMENTED }),
      setRootResource: (_c: unknown, cb: grpc.sendUnaryData<any>) => cb({ code: grpc.status.UNIMPLEMENTED }),
      startDebugging: (_c: unknown, cb: grpc.sendUnaryData<any>) => cb({ code: grpc.status.UNIMPLEMENTED }),
      requirePulumiVersion: (_c: unknown, cb: grpc.sendUnaryData<any>) => cb({ code: grpc.status.UNIMPLEMENTED }),
    });
    this.#engine = engine;
    const enginePort = (this.enginePort = await new Promise<number>((resolve, reject) =>
      engine.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
    ));
    // A clean environment: no GATEHOUSE_* or PULUMI_CONFIG from the developer's shell leaks in.
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const child = spawn(PLUGIN, [`127.0.0.1:${enginePort}`], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`no port within 20 s; output: ${this.output}`)), 20_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`plugin exited with ${code} before its port; output: ${this.output}`));
      });
      child.stdout?.on('data', (d: Buffer) => {
        if (this.port !== 0) {
          this.output += d.toString();
          return;
        }
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        const line = buf.slice(0, nl);
        this.output += buf.slice(nl + 1);
        if (!/^\d+$/.test(line)) {
          this.beforePort = line;
          reject(new Error(`first stdout line is not a port: ${JSON.stringify(line)}`));
        } else resolve(Number(line));
      });
    });
    this.#client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${this.port}`, grpc.credentials.createInsecure());
  }

  #call<T>(method: string, req: unknown): Promise<T> {
    const client = this.#client as unknown as Record<string, (r: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: T) => void) => void>;
    const fn = client[method];
    if (!fn) throw new Error(`no method ${method}`);
    return new Promise<T>((resolve, reject) => {
      fn.call(this.#client, req, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (e, r) => (e ? reject(new PluginError(e)) : resolve(r)));
    });
  }

  /** handshake answers the engine's first call. */
  async handshake(): Promise<{ acceptSecrets: boolean; acceptResources: boolean; acceptOutputs: boolean }> {
    const req = new providerPb.ProviderHandshakeRequest();
    req.setEngineAddress(`127.0.0.1:${this.enginePort}`);
    const res = await this.#call<InstanceType<typeof providerPb.ProviderHandshakeResponse>>('handshake', req);
    return { acceptSecrets: res.getAcceptSecrets(), acceptResources: res.getAcceptResources(), acceptOutputs: res.getAcceptOutputs() };
  }

  /** getPluginInfo returns the plugin version. */
  async getPluginInfo(): Promise<string> {
    const res = await this.#call<{ getVersion(): string }>('getPluginInfo', new emptyPb.Empty());
    return res.getVersion();
  }

  /** getSchema returns the package schema text. */
  async getSchema(): Promise<string> {
    const res = await this.#call<{ getSchema(): string }>('getSchema', new providerPb.GetSchemaRequest());
    return res.getSchema();
  }

  /** checkConfig validates provider inputs. */
  async checkConfig(news: Json): Promise<{ inputs: Json; failures: { property: string; reason: string }[] }> {
    const req = new providerPb.CheckRequest();
    req.setUrn(urn('pulumi:providers:gatehouse', 'default'));
    req.setOlds(S({}));
    req.setNews(S(news));
    const res = await this.#call<InstanceType<typeof providerPb.CheckResponse>>('checkConfig', req);
    return { inputs: J(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }

  /** diffConfig compares old and new provider inputs. */
  async diffConfig(olds: Json, news: Json): Promise<DiffResult> {
    const req = new providerPb.DiffRequest();
    req.setUrn(urn('pulumi:providers:gatehouse', 'default'));
    req.setOlds(S(olds));
    req.setOldInputs(S(olds));
    req.setNews(S(news));
    return toDiffResult(await this.#call<InstanceType<typeof providerPb.DiffResponse>>('diffConfig', req));
  }

  /** configure sends provider args as the engine does after Handshake. */
  async configure(args: Json = {}, variables: Record<string, string> = {}): Promise<{ supportsPreview: boolean; acceptSecrets: boolean }> {
    const req = new providerPb.ConfigureRequest();
    req.setArgs(S(args));
    for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    const res = await this.#call<InstanceType<typeof providerPb.ConfigureResponse>>('configure', req);
    return { supportsPreview: res.getSupportspreview(), acceptSecrets: res.getAcceptsecrets() };
  }

  /** check validates inputs of resource `type`/`name`. */
  async check(type: string, name: string, olds: Json, news: Json, oldOutputs?: Json): Promise<{ inputs: Json; failures: { property: string; reason: string }[] }> {
    const req = resourceRequest(providerPb.CheckRequest, type, name);
    req.setOlds(S(olds));
    req.setNews(S(news));
    req.setRandomseed(new Uint8Array(32));
    if (oldOutputs) req.setOldOutputs(S(oldOutputs));
    const res = await this.#call<InstanceType<typeof providerPb.CheckResponse>>('check', req);
    return { inputs: J(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }

  /** diff compares old outputs/inputs with checked news. */
  async diff(type: string, name: string, id: string, oldOutputs: Json, news: Json, oldInputs?: Json, ignoreChanges: string[] = []): Promise<DiffResult> {
    const req = resourceRequest(providerPb.DiffRequest, type, name);
    req.setId(id);
    req.setOlds(S(oldOutputs));
    req.setNews(S(news));
    if (oldInputs) req.setOldInputs(S(oldInputs));
    req.setIgnorechangesList(ignoreChanges);
    return toDiffResult(await this.#call<InstanceType<typeof providerPb.DiffResponse>>('diff', req));
  }

  /** create creates (or previews) a resource. */
  async create(type: string, name: string, properties: Json, preview = false, timeout = 0): Promise<{ id: string; properties: Json }> {
    const req = resourceRequest(providerPb.CreateRequest, type, name);
    req.setProperties(S(properties));
    req.setPreview(preview);
    req.setTimeout(timeout);
    const res = await this.#call<InstanceType<typeof providerPb.CreateResponse>>('create', req);
    return { id: res.getId(), properties: J(res.getProperties()) };
  }

  /** update updates (or previews) a resource. */
  async update(type: string, name: string, id: string, oldOutputs: Json, news: Json, oldInputs: Json, preview = false): Promise<Json> {
    const req = resourceRequest(providerPb.UpdateRequest, type, name);
    req.setId(id);
    req.setOlds(S(oldOutputs));
    req.setNews(S(news));
    req.setOldInputs(S(oldInputs));
    req.setPreview(preview);
    const res = await this.#call<InstanceType<typeof providerPb.UpdateResponse>>('update', req);
    return J(res.getProperties());
  }

  /** read serves refresh (with state) or import (`properties`/`inputs` omitted). */
  async read(type: string, name: string, id: string, properties?: Json, inputs?: Json): Promise<{ id: string; properties: Json; inputs: Json }> {
    const req = resourceRequest(providerPb.ReadRequest, type, name);
    req.setId(id);
    if (properties) req.setProperties(S(properties));
    if (inputs) req.setInputs(S(inputs));
    const res = await this.#call<InstanceType<typeof providerPb.ReadResponse>>('read', req);
    return { id: res.getId(), properties: J(res.getProperties()), inputs: J(res.getInputs()) };
  }

  /** delete deletes a resource. */
  async delete(type: string, name: string, id: string, properties: Json = {}): Promise<void> {
    const req = resourceRequest(providerPb.DeleteRequest, type, name);
    req.setId(id);
    req.setProperties(S(properties));
    await this.#call('delete', req);
  }

  /** cancel asks the provider to stop its operations. */
  async cancel(): Promise<void> {
    await this.#call('cancel', new emptyPb.Empty());
  }

  /** rawCall exposes an arbitrary method (for UNIMPLEMENTED checks). */
  rawCall<T>(method: string, req: unknown): Promise<T> {
    return this.#call<T>(method, req);
  }

  /** close stops the plugin and the engine stand-in; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client?.close();
    if (this.#child && this.#child.exitCode === null) {
      this.#child.kill('SIGTERM');
      const killer = setTimeout(() => this.#child?.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(killer);
    }
    await new Promise<void>((resolve) => (this.#engine ? this.#engine.tryShutdown(() => resolve()) : resolve()));
  }
}

/** protoModules exposes the message modules to tests that build raw requests. */
export const protoModules = { providerPb, emptyPb };
