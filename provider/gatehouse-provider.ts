/**
 * GatehouseProvider holds the state of one plugin process — configuration, the API client, the
 * engine log, the cancellation signal — and runs each resource operation on decoded values.
 * `service.ts` adapts it to the gRPC messages.
 */
import type { ResourceKind } from '../schema/resource-kind.ts';
import { ManagementClient } from '../client/management-client.ts';
import { checkConfigFailures, resolveConfig, type ProviderConfig } from './config.ts';
import { EngineLog } from './engine-log.ts';
import { isUnknown, type Decoded, type PropertyMap } from './marshal.ts';
import { checkResource, type CheckOutcome } from './resources/check.ts';
import { sameValue, type OperationContext } from './resources/context.ts';
import {
  createResource,
  deleteResource,
  previewCreate,
  previewUpdate,
  readResource,
  updateResource,
  type ReadOutcome,
  type ResourceState,
} from './resources/crud.ts';
import { deleteBeforeReplace, diffInputs, type DiffOutcome } from './resources/diff.ts';
import { ProviderError } from './resources/errors.ts';
import { inputsFromLive, kindOfType, nameOfUrn, typeOfUrn } from './resources/inputs.ts';

/** ResourceRef names the resource of a call: its URN and (when the engine sends it) its type. */
export interface ResourceRef {
  urn: string;
  type?: string | undefined;
  name?: string | undefined;
}

/** GatehouseProvider is the provider's logic behind the gRPC service. */
export class GatehouseProvider {
  readonly log = new EngineLog();
  readonly #env: NodeJS.ProcessEnv;
  #config: ProviderConfig | undefined;
  #api: ManagementClient | undefined;
  #cancel = new AbortController();

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  /** config is the resolved configuration (from PULUMI_CONFIG and the environment until Configure runs). */
  get config(): ProviderConfig {
    return this.#ensureConfigured();
  }

  #ensureConfigured(): ProviderConfig {
    if (!this.#config) {
      this.#config = resolveConfig({}, {}, this.#env);
      this.#api = this.#config.unknown ? undefined : new ManagementClient({ endpoint: this.#config.endpoint, token: this.#config.token });
    }
    return this.#config;
  }

  /** engineAddress points the log at the engine (from the command line, Handshake or Attach). */
  engineAddress(address: string | undefined): void {
    this.log.connect(address);
  }

  /** configure applies the Configure arguments and variables over PULUMI_CONFIG and the environment. */
  async configure(args: PropertyMap, variables: Readonly<Record<string, string>>): Promise<void> {
    const config = resolveConfig(args, variables, this.#env);
    await this.#api?.close();
    this.#config = config;
    this.#api = config.unknown ? undefined : new ManagementClient({ endpoint: config.endpoint, token: config.token });
  }

  /** checkConfig validates provider inputs; the token is returned as a secret. */
  checkConfig(news: Decoded): { inputs: PropertyMap; secretPaths: string[]; failures: { property: string; reason: string }[] } {
    const secretPaths = [...new Set([...news.secretPaths, ...(news.value.token !== undefined ? ['token'] : [])])];
    return { inputs: news.value, secretPaths, failures: checkConfigFailures(news.value) };
  }

  /** diffConfig: a new endpoint or token updates the provider in place; it never replaces resources. */
  diffConfig(olds: PropertyMap, news: PropertyMap): DiffOutcome {
    const changes = (['endpoint', 'token'] as const)
      .filter((k) => isUnknown(news[k]) || !sameValue(olds[k], news[k]))
      .map((k) => ({ path: k, kind: olds[k] === undefined ? ('add' as const) : news[k] === undefined ? ('delete' as const) : ('update' as const), replace: false }));
    return { changes, diffs: changes.map((c) => c.path), replaces: [], deleteBeforeReplace: false };
  }

  #context(ref: ResourceRef): OperationContext {
    const type = ref.type || typeOfUrn(ref.urn);
    const kind: ResourceKind | undefined = kindOfType(type);
    if (!kind) throw new ProviderError(`unknown resource type ${type}: the gatehouse provider manages gatehouse:index:{LoadBalancer,Listener,QuicListener,Certificate,TlsSecurityPolicy,ServerGroup}`);
    this.#ensureConfigured();
    return { kind, urn: ref.urn, name: ref.name || nameOfUrn(ref.urn), api: this.#api, log: this.log, signal: this.#cancel.signal };
  }

  /** check validates a resource's inputs (and runs the server's dry run when it can). */
  check(ref: ResourceRef, olds: Decoded, news: Decoded, oldOutputs: Decoded | undefined): Promise<CheckOutcome> {
    const ctx = this.#context(ref);
    const api = ctx.api?.hasToken ? ctx.api : undefined;
    return checkResource({ ...ctx, api }, { olds, news, oldOutputs });
  }

  /**
   * diff compares old inputs (sent by the engine, else read back from the old outputs) with the
   * checked new inputs.
   */
  async diff(ref: ResourceRef, oldOutputs: Decoded, oldInputs: Decoded | undefined, news: Decoded, ignoreChanges: readonly string[]): Promise<DiffOutcome> {
    const ctx = this.#context(ref);
    const olds = this.#oldInputs(ctx, oldOutputs, oldInputs);
    const base = diffInputs(ctx.kind, olds, news.value, ignoreChanges);
    if (base.replaces.length === 0) return { ...base, deleteBeforeReplace: false };
    const dbr = await deleteBeforeReplace(ctx, olds, news.value);
    if (dbr.value) void ctx.log.log('debug', `${ctx.kind.name} "${ctx.name}" will be deleted before its replacement is created: ${dbr.reason ?? ''}`, ctx.urn);
    return { ...base, deleteBeforeReplace: dbr.value, deleteBeforeReplaceReason: dbr.reason };
  }

  #oldInputs(ctx: OperationContext, oldOutputs: Decoded, oldInputs: Decoded | undefined): PropertyMap {
    if (oldInputs && Object.keys(oldInputs.value).length > 0) return oldInputs.value;
    const derived = inputsFromLive(ctx.kind, oldOutputs.value);
    for (const f of ctx.kind.secretFields) if (oldOutputs.value[f] !== undefined) derived[f] = oldOutputs.value[f];
    return derived;
  }

  /** create creates the resource (or, in a preview, says what it would look like). */
  create(ref: ResourceRef, inputs: Decoded, preview: boolean, timeoutS: number): Promise<ResourceState> {
    const ctx = this.#context(ref);
    if (preview) return Promise.resolve(previewCreate(ctx, inputs.value, inputs.secretPaths));
    return createResource(ctx, inputs.value, inputs.secretPaths, timeoutS);
  }

  /** update applies new inputs in place (or, in a preview, says what the outputs would be). */
  update(ref: ResourceRef, id: string, oldOutputs: Decoded, news: Decoded, preview: boolean, timeoutS: number): Promise<ResourceState> {
    const ctx = this.#context(ref);
    if (preview) return Promise.resolve(previewUpdate(ctx, id, oldOutputs.value, news.value, news.secretPaths));
    return updateResource(ctx, id, news.value, news.secretPaths, timeoutS);
  }

  /** read serves refresh and import. */
  read(ref: ResourceRef, id: string, oldOutputs: Decoded, oldInputs: Decoded): Promise<ReadOutcome> {
    return readResource(this.#context(ref), id, oldOutputs, oldInputs);
  }

  /** delete removes the resource; a missing one is already deleted. */
  delete(ref: ResourceRef, id: string): Promise<void> {
    return deleteResource(this.#context(ref), id);
  }

  /** cancel aborts every polling loop and request in flight. */
  cancel(): void {
    this.#cancel.abort();
  }

  /** close releases the API connections and the engine channel; idempotent. */
  async close(): Promise<void> {
    this.#cancel.abort();
    this.log.close();
    await this.#api?.close();
    this.#api = undefined;
  }
}
