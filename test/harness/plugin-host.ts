/**
 * PluginHost: launches a resource provider plugin the way the Pulumi engine does and talks to
 * it over gRPC.
 *
 * The engine starts `pulumi-resource-<name> <engine address>`, reads the port from the first
 * stdout line, then calls Handshake (older plugins: UNIMPLEMENTED, Configure answers instead),
 * GetPluginInfo, CheckConfig and Configure before any resource call. Every call is timed so
 * benchmarks can separate time spent inside the provider from the harness's own work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { providerGrpc, providerPb, pluginPb, emptyPb } from './grpc-stubs.ts';
import { mapToStruct, structToMap, toPlain, type PropertyMap, type PropertyValue, type WireOptions } from './property-value.ts';

/** PluginHostOptions says which plugin to run and how. */
export interface PluginHostOptions {
  /** Path of the plugin executable (e.g. `provider/pulumi-resource-gatehouse`). */
  pluginPath: string;
  /** Address (`127.0.0.1:port`) of the Engine service, passed as the plugin's argument. */
  engineAddress: string;
  /** Environment for the plugin process (defaults to this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the plugin process. */
  cwd?: string;
  /** Root and program directories reported in Handshake. */
  rootDirectory?: string;
  programDirectory?: string;
  /** How long to wait for the port line; default 20 s. */
  startTimeoutMs?: number;
  /** Deadline of each gRPC call; default 120 s. */
  callTimeoutMs?: number;
  /** Receives every call's timing as it completes. */
  onCall?: (record: PluginCallRecord) => void;
}

/** PluginCallRecord is one timed gRPC call to the plugin. */
export interface PluginCallRecord {
  method: string;
  urn: string;
  /** When the call was sent, on the `performance.now()` clock of this process. */
  start: number;
  ms: number;
  ok: boolean;
}

/** CheckFailure is one property problem reported by Check or CheckConfig. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** CheckResult is Check's answer: checked inputs, or failures. */
export interface CheckResult {
  inputs: PropertyMap;
  failures: CheckFailure[];
}

/** DiffKind names a PropertyDiff kind (ADD 0 … UPDATE_REPLACE 5). */
export type DiffKind = 'add' | 'add-replace' | 'delete' | 'delete-replace' | 'update' | 'update-replace';

const DIFF_KINDS: readonly DiffKind[] = ['add', 'add-replace', 'delete', 'delete-replace', 'update', 'update-replace'];

/** PropertyDiffResult is one entry of a detailed diff. */
export interface PropertyDiffResult {
  kind: DiffKind;
  inputDiff: boolean;
}

/** DiffResult is Diff's (or DiffConfig's) answer in plain JS. */
export interface DiffResult {
  changes: 'unknown' | 'none' | 'some';
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  detailedDiff: Record<string, PropertyDiffResult>;
  hasDetailedDiff: boolean;
}

/** ConfigureResult carries what the provider said it accepts and supports. */
export interface ConfigureResult {
  acceptSecrets: boolean;
  acceptResources: boolean;
  acceptOutputs: boolean;
  supportsPreview: boolean;
}

/** ResourceCall names the resource a call is about. */
export interface ResourceCall {
  urn: string;
  name: string;
  type: string;
}

/** ConfigureArgs are the provider's configuration and identity. */
export interface ConfigureArgs {
  /** Package name: variables are keyed `<package>:config:<key>`. */
  packageName: string;
  inputs: PropertyMap;
  urn?: string;
  id?: string;
  name?: string;
  type?: string;
}

const CHANGES = ['unknown', 'none', 'some'] as const;

type UnaryMethod = (
  req: unknown,
  md: grpc.Metadata,
  opts: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientUnaryCall;

/** PluginHost owns one running plugin process and its gRPC client. */
export class PluginHost {
  readonly pluginPath: string;
  /** Port the plugin printed on its first stdout line. */
  port = 0;
  /** Plugin version from GetPluginInfo. */
  version = '';
  /** Whether the plugin implements Handshake. */
  handshakeImplemented = false;
  /** Accept flags and preview support, from Handshake and Configure. */
  caps: ConfigureResult = { acceptSecrets: false, acceptResources: false, acceptOutputs: false, supportsPreview: false };
  /** Every call made so far, with its duration. */
  readonly calls: PluginCallRecord[] = [];
  /** Total milliseconds spent waiting on plugin calls. */
  providerMs = 0;
  /** Everything the plugin wrote to stderr (and to stdout after the port line). */
  output = '';

  readonly #opts: PluginHostOptions;
  #child: ChildProcess | undefined;
  #client: InstanceType<typeof providerGrpc.ResourceProviderClient> | undefined;
  #exited: Promise<void> | undefined;
  #closed = false;

  constructor(opts: PluginHostOptions) {
    this.#opts = opts;
    this.pluginPath = opts.pluginPath;
  }

  /** PluginHost.start spawns a plugin, connects, and runs Handshake and GetPluginInfo. */
  static async start(opts: PluginHostOptions): Promise<PluginHost> {
    const host = new PluginHost(opts);
    try {
      await host.#launch();
      await host.#handshake();
      const info = await host.#unary<InstanceType<typeof pluginPb.PluginInfo>>('getPluginInfo', new emptyPb.Empty(), '');
      host.version = info.getVersion();
    } catch (err) {
      await host.close();
      throw err;
    }
    return host;
  }

  async #launch(): Promise<void> {
    const child = spawn(this.pluginPath, [this.#opts.engineAddress], {
      cwd: this.#opts.cwd,
      env: this.#opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    // If the test process exits without close(), take the plugin down with it.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    this.#exited = new Promise((resolve) => child.once('close', () => {
      process.removeListener('exit', killOnExit);
      resolve();
    }));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => this.#append(d));
    child.stdout?.setEncoding('utf8');
    const timeoutMs = this.#opts.startTimeoutMs ?? 20_000;
    this.port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      let settled = false;
      const finish = (err: Error | undefined, port?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(port ?? 0);
      };
      const timer = setTimeout(() => finish(new Error(`plugin ${this.pluginPath} printed no port within ${timeoutMs} ms; output: ${this.output}`)), timeoutMs);
      child.once('error', (e) => finish(new Error(`could not start plugin ${this.pluginPath}: ${e.message}`)));
      child.once('close', (code, signal) => finish(new Error(`plugin ${this.pluginPath} exited (code ${code}, signal ${signal}) before printing its port; output: ${this.output}`)));
      child.stdout?.on('data', (d: string) => {
        if (settled) {
          this.#append(d);
          return;
        }
        buf += d;
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl).trim();
        this.#append(buf.slice(nl + 1));
        const port = Number(line);
        if (!Number.isInteger(port) || port <= 0 || port > 65535) {
          finish(new Error(`plugin ${this.pluginPath} printed ${JSON.stringify(line)} instead of a port on its first stdout line`));
        } else {
          finish(undefined, port);
        }
      });
    });
    this.#client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${this.port}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 400 * 1024 * 1024,
      'grpc.max_send_message_length': 400 * 1024 * 1024,
    });
    const client = this.#client;
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
  }

  #append(s: string): void {
    // Keep the tail only: a chatty plugin must not grow the harness without bound.
    this.output = (this.output + s).slice(-65_536);
  }

  async #handshake(): Promise<void> {
    const req = new providerPb.ProviderHandshakeRequest();
    req.setEngineAddress(this.#opts.engineAddress);
    if (this.#opts.rootDirectory) req.setRootDirectory(this.#opts.rootDirectory);
    if (this.#opts.programDirectory) req.setProgramDirectory(this.#opts.programDirectory);
    req.setConfigureWithUrn(true);
    req.setSupportsViews(false);
    req.setSupportsRefreshBeforeUpdate(false);
    req.setInvokeWithPreview(true);
    try {
      const res = await this.#unary<InstanceType<typeof providerPb.ProviderHandshakeResponse>>('handshake', req, '');
      this.handshakeImplemented = true;
      this.caps = {
        ...this.caps,
        acceptSecrets: res.getAcceptSecrets(),
        acceptResources: res.getAcceptResources(),
        acceptOutputs: res.getAcceptOutputs(),
      };
    } catch (err) {
      if ((err as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw err;
    }
  }

  /** wire returns the marshalling options this plugin accepts for resource calls. */
  get wire(): WireOptions {
    return { keepSecrets: this.caps.acceptSecrets, keepResources: this.caps.acceptResources };
  }

  /** checkConfig validates provider configuration; UNIMPLEMENTED answers the news unchanged. */
  async checkConfig(call: ResourceCall, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const req = resourceRequest(providerPb.CheckRequest, call);
    req.setOlds(mapToStruct(olds, FULL_WIRE));
    req.setNews(mapToStruct(news, FULL_WIRE));
    try {
      const res = await this.#unary<InstanceType<typeof providerPb.CheckResponse>>('checkConfig', req, call.urn);
      return { inputs: res.hasInputs() ? structToMap(res.getInputs()) : news, failures: failuresOf(res.getFailuresList()) };
    } catch (err) {
      if ((err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return { inputs: news, failures: [] };
      throw err;
    }
  }

  /** diffConfig compares provider configurations; undefined means the plugin does not implement it. */
  async diffConfig(call: ResourceCall, olds: PropertyMap, news: PropertyMap, oldInputs: PropertyMap): Promise<DiffResult | undefined> {
    const req = resourceRequest(providerPb.DiffRequest, call);
    req.setOlds(mapToStruct(olds, FULL_WIRE));
    req.setNews(mapToStruct(news, FULL_WIRE));
    req.setOldInputs(mapToStruct(oldInputs, FULL_WIRE));
    try {
      return diffOf(await this.#unary<InstanceType<typeof providerPb.DiffResponse>>('diffConfig', req, call.urn));
    } catch (err) {
      if ((err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return undefined;
      throw err;
    }
  }

  /**
   * configure sends the provider configuration: `variables` keyed `<pkg>:config:<key>` with
   * string values (secrets revealed, as the engine does), `args` as a struct keeping secrets.
   */
  async configure(args: ConfigureArgs): Promise<ConfigureResult> {
    const req = new providerPb.ConfigureRequest();
    const vars = req.getVariablesMap();
    for (const [k, v] of Object.entries(args.inputs)) {
      if (k === 'version') continue;
      vars.set(`${args.packageName}:config:${k}`, configString(v));
    }
    req.setArgs(mapToStruct(args.inputs, FULL_WIRE));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    if (args.urn) req.setUrn(args.urn);
    if (args.id) req.setId(args.id);
    if (args.name) req.setName(args.name);
    if (args.type) req.setType(args.type);
    const res = await this.#unary<InstanceType<typeof providerPb.ConfigureResponse>>('configure', req, args.urn ?? '');
    this.caps = {
      acceptSecrets: this.caps.acceptSecrets || res.getAcceptsecrets(),
      acceptResources: this.caps.acceptResources || res.getAcceptresources(),
      acceptOutputs: this.caps.acceptOutputs || res.getAcceptoutputs(),
      supportsPreview: res.getSupportspreview(),
    };
    return { ...this.caps };
  }

  /** check validates resource inputs against the prior inputs (empty for a new resource). */
  async check(call: ResourceCall, olds: PropertyMap, news: PropertyMap, randomSeed: Uint8Array = randomBytes(32)): Promise<CheckResult> {
    const req = resourceRequest(providerPb.CheckRequest, call);
    req.setOlds(mapToStruct(olds, this.wire));
    req.setNews(mapToStruct(news, this.wire));
    req.setRandomseed(randomSeed);
    const res = await this.#unary<InstanceType<typeof providerPb.CheckResponse>>('check', req, call.urn);
    return { inputs: res.hasInputs() ? structToMap(res.getInputs()) : news, failures: failuresOf(res.getFailuresList()) };
  }

  /** diff compares a resource's old outputs and inputs with its checked new inputs. */
  async diff(call: ResourceCall, id: string, olds: PropertyMap, news: PropertyMap, oldInputs: PropertyMap, ignoreChanges: string[] = []): Promise<DiffResult> {
    const req = resourceRequest(providerPb.DiffRequest, call);
    req.setId(id);
    req.setOlds(mapToStruct(olds, this.wire));
    req.setNews(mapToStruct(news, this.wire));
    req.setOldInputs(mapToStruct(oldInputs, this.wire));
    req.setIgnorechangesList(ignoreChanges);
    return diffOf(await this.#unary<InstanceType<typeof providerPb.DiffResponse>>('diff', req, call.urn));
  }

  /** create provisions a resource (or, with preview, predicts its outputs). */
  async create(call: ResourceCall, properties: PropertyMap, preview: boolean, timeoutSeconds = 0): Promise<{ id: string; properties: PropertyMap }> {
    const req = resourceRequest(providerPb.CreateRequest, call);
    req.setProperties(mapToStruct(properties, this.wire));
    req.setPreview(preview);
    req.setTimeout(timeoutSeconds);
    const res = await this.#unary<InstanceType<typeof providerPb.CreateResponse>>('create', req, call.urn);
    return { id: res.getId(), properties: structToMap(res.getProperties()) };
  }

  /** read fetches live state; an empty id in the answer means the resource is gone. */
  async read(call: ResourceCall, id: string, properties: PropertyMap, inputs: PropertyMap | undefined): Promise<{ id: string; properties: PropertyMap; inputs: PropertyMap | undefined }> {
    const req = resourceRequest(providerPb.ReadRequest, call);
    req.setId(id);
    req.setProperties(mapToStruct(properties, this.wire));
    if (inputs) req.setInputs(mapToStruct(inputs, this.wire));
    const res = await this.#unary<InstanceType<typeof providerPb.ReadResponse>>('read', req, call.urn);
    return {
      id: res.getId(),
      properties: structToMap(res.getProperties()),
      inputs: res.hasInputs() ? structToMap(res.getInputs()) : undefined,
    };
  }

  /** update changes a resource in place (or, with preview, predicts its outputs). */
  async update(call: ResourceCall, id: string, olds: PropertyMap, news: PropertyMap, oldInputs: PropertyMap, preview: boolean, ignoreChanges: string[] = [], timeoutSeconds = 0): Promise<{ properties: PropertyMap }> {
    const req = resourceRequest(providerPb.UpdateRequest, call);
    req.setId(id);
    req.setOlds(mapToStruct(olds, this.wire));
    req.setNews(mapToStruct(news, this.wire));
    req.setOldInputs(mapToStruct(oldInputs, this.wire));
    req.setPreview(preview);
    req.setIgnorechangesList(ignoreChanges);
    req.setTimeout(timeoutSeconds);
    const res = await this.#unary<InstanceType<typeof providerPb.UpdateResponse>>('update', req, call.urn);
    return { properties: structToMap(res.getProperties()) };
  }

  /** delete removes a resource given its id, last outputs and last inputs. */
  async delete(call: ResourceCall, id: string, properties: PropertyMap, oldInputs: PropertyMap, timeoutSeconds = 0): Promise<void> {
    const req = resourceRequest(providerPb.DeleteRequest, call);
    req.setId(id);
    req.setProperties(mapToStruct(properties, this.wire));
    req.setOldInputs(mapToStruct(oldInputs, this.wire));
    req.setTimeout(timeoutSeconds);
    await this.#unary('delete', req, call.urn);
  }

  /** invoke calls a provider function. */
  async invoke(tok: string, args: PropertyMap, preview: boolean): Promise<{ result: PropertyMap; failures: CheckFailure[] }> {
    const req = new providerPb.InvokeRequest();
    req.setTok(tok);
    req.setArgs(mapToStruct(args, this.wire));
    req.setPreview(preview);
    const res = await this.#unary<InstanceType<typeof providerPb.InvokeResponse>>('invoke', req, tok);
    return { result: structToMap(res.getReturn()), failures: failuresOf(res.getFailuresList()) };
  }

  async #unary<T>(method: string, req: unknown, urn: string): Promise<T> {
    const client = this.#client;
    if (!client || this.#closed) throw new Error(`plugin ${this.pluginPath} is not running`);
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    if (!fn) throw new Error(`no gRPC method ${method}`);
    const deadline = Date.now() + (this.#opts.callTimeoutMs ?? 120_000);
    const started = performance.now();
    let ok = false;
    try {
      const res = await new Promise<T>((resolve, reject) => {
        fn.call(client, req, new grpc.Metadata(), { deadline }, (err, r) => (err ? reject(err) : resolve(r as T)));
      });
      ok = true;
      return res;
    } finally {
      const ms = performance.now() - started;
      this.providerMs += ms;
      const record = { method, urn, start: started, ms, ok };
      this.calls.push(record);
      this.#opts.onCall?.(record);
    }
  }

  /** close disconnects and stops the plugin process (SIGTERM, then SIGKILL after 3 s); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client?.close();
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await this.#exited;
    clearTimeout(killer);
  }
}

const FULL_WIRE: WireOptions = { keepSecrets: true, keepResources: true };

/** AddressedRequest is what every per-resource request shares: the resource's urn, name and type. */
interface AddressedRequest {
  setUrn(value: string): unknown;
  setName(value: string): unknown;
  setType(value: string): unknown;
}

/** resourceRequest makes a request of class `Request` addressed to `call`'s resource, so each RPC wrapper sets only what is its own. */
function resourceRequest<R extends AddressedRequest>(Request: new () => R, call: ResourceCall): R {
  const req = new Request();
  req.setUrn(call.urn);
  req.setName(call.name);
  req.setType(call.type);
  return req;
}

function failuresOf(list: InstanceType<typeof providerPb.CheckFailure>[]): CheckFailure[] {
  return list.map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

function diffOf(res: InstanceType<typeof providerPb.DiffResponse>): DiffResult {
  const detailedDiff: Record<string, PropertyDiffResult> = {};
  for (const [k, d] of res.getDetaileddiffMap().entries()) {
    detailedDiff[k] = { kind: DIFF_KINDS[d.getKind()] ?? 'update', inputDiff: d.getInputdiff() };
  }
  return {
    changes: CHANGES[res.getChanges()] ?? 'unknown',
    replaces: res.getReplacesList(),
    stables: res.getStablesList(),
    deleteBeforeReplace: res.getDeletebeforereplace(),
    diffs: res.getDiffsList(),
    detailedDiff,
    hasDetailedDiff: res.getHasdetaileddiff(),
  };
}

/** configString renders a config value as the engine's `variables` map does: strings raw, the rest as JSON. */
function configString(v: PropertyValue): string {
  const plain = toPlain(v);
  return typeof plain === 'string' ? plain : JSON.stringify(plain);
}
