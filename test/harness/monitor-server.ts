/**
 * MonitorServer: the ResourceMonitor and Engine gRPC services the Pulumi program (and the
 * provider plugins, for Engine.log) talk to, on one port of 127.0.0.1.
 *
 * It only translates protobuf to plain JS and back; the step logic is in Deployment.
 */
import * as grpc from '@grpc/grpc-js';
import type { Deployment } from './deployment.ts';
import { emptyPb, enginePb, engineGrpc, providerPb, resourceGrpc, resourcePb } from './grpc-stubs.ts';
import { mapToStruct, structToMap } from './property-value.ts';
import { parseTimeout, type Diagnostic, type Registration, type Severity } from './steps.ts';

/**
 * SUPPORTED_FEATURES are the monitor features the harness implements. Aliases, deletedWith,
 * replaceWith, transforms, hooks and parameterization are not implemented, so the harness
 * says no and the SDK refuses programs that use them.
 */
export const SUPPORTED_FEATURES: ReadonlySet<string> = new Set(['secrets', 'resourceReferences', 'outputValues']);

const SEVERITIES: readonly Severity[] = ['debug', 'info', 'warning', 'error'];

type Req<T> = grpc.ServerUnaryCall<T, unknown>;
type Done = grpc.sendUnaryData<unknown>;
type RegisterReq = InstanceType<typeof resourcePb.RegisterResourceRequest>;

/** MonitorServerOptions receive what the services hear besides resource calls. */
export interface MonitorServerOptions {
  /** Called for every Engine.log message (program and plugins). */
  onLog: (d: Diagnostic) => void;
}

/** MonitorServer hosts both services; attach a Deployment before the program starts. */
export class MonitorServer {
  /** `127.0.0.1:<port>` once started. */
  address = '';
  readonly #server = new grpc.Server({ 'grpc.max_receive_message_length': 400 * 1024 * 1024 });
  readonly #opts: MonitorServerOptions;
  #deployment: Deployment | undefined;
  #rootUrn = '';
  #started = false;
  #closed = false;

  constructor(opts: MonitorServerOptions) {
    this.#opts = opts;
    this.#server.addService(resourceGrpc.ResourceMonitorService, this.#monitorImpl() as unknown as grpc.UntypedServiceImplementation);
    this.#server.addService(engineGrpc.EngineService, this.#engineImpl() as unknown as grpc.UntypedServiceImplementation);
  }

  /** start binds an ephemeral port on 127.0.0.1; idempotent. */
  async start(): Promise<string> {
    if (this.#started) return this.address;
    this.#started = true;
    const port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  /** attach routes resource calls to a deployment. */
  attach(d: Deployment): void {
    this.#deployment = d;
  }

  /** close stops the server, cancelling calls still open after 2 s; idempotent. */
  async close(): Promise<void> {
    if (this.#closed || !this.#started) return;
    this.#closed = true;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 2_000);
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  #d(): Deployment {
    if (!this.#deployment) throw new Error('no deployment attached to the resource monitor');
    return this.#deployment;
  }

  #monitorImpl(): Record<string, (call: Req<never>, done: Done) => void> {
    return {
      supportsFeature: (call: Req<InstanceType<typeof resourcePb.SupportsFeatureRequest>>, done) => {
        const res = new resourcePb.SupportsFeatureResponse();
        res.setHassupport(SUPPORTED_FEATURES.has(call.request.getId()));
        done(null, res);
      },
      registerResource: (call: Req<RegisterReq>, done) => {
        const req = call.request;
        respond(done, async () => {
          const r = await this.#d().register(toRegistration(req));
          const res = new resourcePb.RegisterResourceResponse();
          res.setUrn(r.urn);
          res.setId(r.id);
          res.setObject(mapToStruct(r.outputs, { keepSecrets: req.getAcceptsecrets(), keepResources: req.getAcceptresources() }));
          return res;
        });
      },
      registerResourceOutputs: (call: Req<InstanceType<typeof resourcePb.RegisterResourceOutputsRequest>>, done) => {
        respond(done, () => {
          this.#d().registerOutputs(call.request.getUrn(), structToMap(call.request.getOutputs()));
          return Promise.resolve(new emptyPb.Empty());
        });
      },
      readResource: (call: Req<InstanceType<typeof resourcePb.ReadResourceRequest>>, done) => {
        const req = call.request;
        respond(done, async () => {
          const r = await this.#d().read({
            type: req.getType(), name: req.getName(), parent: req.getParent(), id: req.getId(),
            properties: structToMap(req.getProperties()), provider: req.getProvider(), version: req.getVersion(),
            dependencies: req.getDependenciesList(), additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          });
          const res = new resourcePb.ReadResourceResponse();
          res.setUrn(r.urn);
          res.setProperties(mapToStruct(r.outputs, { keepSecrets: req.getAcceptsecrets(), keepResources: req.getAcceptresources() }));
          return res;
        });
      },
      invoke: (call: Req<InstanceType<typeof resourcePb.ResourceInvokeRequest>>, done) => {
        const req = call.request;
        respond(done, async () => {
          const r = await this.#d().invoke(req.getTok(), structToMap(req.getArgs()), req.getProvider(), req.getVersion());
          const res = new resourcePb.ResourceInvokeResponse();
          res.setReturn(mapToStruct(r.result, { keepSecrets: true, keepResources: req.getAcceptresources() }));
          res.setFailuresList(r.failures.map((f) => {
            const cf = new providerPb.CheckFailure();
            cf.setProperty(f.property);
            cf.setReason(f.reason);
            return cf;
          }));
          return res;
        });
      },
      signalAndWaitForShutdown: (_call, done) => done(null, new emptyPb.Empty()),
    };
  }

  #engineImpl(): Record<string, (call: Req<never>, done: Done) => void> {
    return {
      log: (call: Req<InstanceType<typeof enginePb.LogRequest>>, done) => {
        const r = call.request;
        const d: Diagnostic = { severity: SEVERITIES[r.getSeverity()] ?? 'info', message: r.getMessage() };
        if (r.getUrn()) d.urn = r.getUrn();
        this.#opts.onLog(d);
        done(null, new emptyPb.Empty());
      },
      getRootResource: (_call, done) => {
        const res = new enginePb.GetRootResourceResponse();
        res.setUrn(this.#rootUrn);
        done(null, res);
      },
      setRootResource: (call: Req<InstanceType<typeof enginePb.SetRootResourceRequest>>, done) => {
        this.#rootUrn = call.request.getUrn();
        done(null, new enginePb.SetRootResourceResponse());
      },
    };
  }
}

/** respond runs a handler and maps a thrown error to a gRPC UNKNOWN status with its message. */
function respond(done: Done, fn: () => Promise<unknown>): void {
  fn().then(
    (res) => done(null, res),
    (err: unknown) => done({ code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) }),
  );
}

/** toRegistration converts a RegisterResourceRequest into the plain Registration. */
function toRegistration(req: RegisterReq): Registration {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, v] of req.getPropertydependenciesMap().entries()) propertyDependencies[k] = v.getUrnsList();
  const t = req.getCustomtimeouts();
  return {
    type: req.getType(),
    name: req.getName(),
    parent: req.getParent(),
    custom: req.getCustom(),
    remote: req.getRemote(),
    inputs: structToMap(req.getObject()),
    provider: req.getProvider(),
    version: req.getVersion(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    deleteBeforeReplace: req.getDeletebeforereplace(),
    deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    protect: req.hasProtect() ? req.getProtect() === true : false,
    retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() === true : false,
    importId: req.getImportid(),
    timeouts: {
      create: parseTimeout(t?.getCreate() ?? ''),
      update: parseTimeout(t?.getUpdate() ?? ''),
      delete: parseTimeout(t?.getDelete() ?? ''),
    },
  };
}
