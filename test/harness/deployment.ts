/**
 * Deployment: the step logic of the harness engine for one run (preview, up, refresh or
 * destroy) over a prior checkpoint.
 *
 * It follows the Pulumi engine's observable behaviour (see README.md): a registered custom
 * resource is Checked, then Diffed against its prior state, then created, updated, replaced
 * or left alone; a preview stops after Check and Diff (plus Create/Update with preview=true
 * when the provider supports it) and changes nothing; resources the program no longer
 * declares are deleted after it finishes, in reverse dependency order.
 */
import { randomUUID } from 'node:crypto';
import { deletionWaves } from './delete-order.ts';
import type { CheckFailure, DiffResult, PluginHost, ResourceCall } from './plugin-host.ts';
import type { ProviderRegistry } from './providers.ts';
import {
  Secret, UNKNOWN_SENTINEL, annotateSecrets, markSecret, type PropertyMap,
} from './property-value.ts';
import type { StateResource } from './state-file.ts';
import {
  applyIgnoreChanges, decide, refreshDiff,
  type CheckFailureRecord, type Decision, type Diagnostic, type Registration, type Step,
} from './steps.ts';
import {
  PROVIDER_TYPE_PREFIX, ROOT_STACK_TYPE, formatProviderRef, makeUrn, packageOf, parseUrn,
} from './urn.ts';

/** ConfigEntry is one stack configuration value. */
export interface ConfigEntry {
  value: string;
  secret: boolean;
}

/** DeploymentOptions describe the stack and what the run may do. */
export interface DeploymentOptions {
  project: string;
  stack: string;
  dryRun: boolean;
  prior: readonly StateResource[];
  providers: ProviderRegistry;
  config: Readonly<Record<string, ConfigEntry>>;
  /** Where diagnostics go; shared with the Engine.log service so messages keep their order. */
  diagnostics: Diagnostic[];
}

/** Registered is what RegisterResource answers: URN, id ('' when unknown) and outputs. */
export interface Registered {
  urn: string;
  id: string;
  outputs: PropertyMap;
}

/** ReadRequest is a ReadResource request (`Resource.get`) in plain JS. */
export interface ReadRequest {
  type: string;
  name: string;
  parent: string;
  id: string;
  properties: PropertyMap;
  provider: string;
  version: string;
  dependencies: string[];
  additionalSecretOutputs: string[];
}

/** ReportedError is an error whose details are already in the diagnostics. */
class ReportedError extends Error {}

/** Deployment holds the prior state, the new state and the records of one run. */
export class Deployment {
  readonly steps: Step[] = [];
  readonly diagnostics: Diagnostic[];
  readonly checkFailures: CheckFailureRecord[] = [];
  /** Errors that failed a resource operation, in order. */
  readonly errors: string[] = [];
  stackOutputs: PropertyMap = {};
  rootUrn = '';

  readonly #o: DeploymentOptions;
  readonly #prior = new Map<string, StateResource>();
  readonly #priorAll = new Map<string, StateResource>();
  readonly #pendingDeletes: StateResource[] = [];
  readonly #news = new Map<string, StateResource>();
  readonly #inFlight = new Set<string>();
  readonly #deleted = new Set<StateResource>();
  readonly #defaults = new Map<string, Promise<string>>();
  readonly #refreshed = new Map<StateResource, StateResource>();
  /** Old halves of this run's create-before-delete replacements: deleted without a step of their own. */
  readonly #replacedHalves = new Set<StateResource>();

  readonly #ops = new Set<Promise<unknown>>();

  constructor(o: DeploymentOptions) {
    this.#o = o;
    this.diagnostics = o.diagnostics;
    for (const r of o.prior) {
      if (r.delete) this.#pendingDeletes.push(r);
      else this.#prior.set(r.urn, r);
      if (!this.#priorAll.has(r.urn) || !r.delete) this.#priorAll.set(r.urn, r);
    }
  }

  get dryRun(): boolean {
    return this.#o.dryRun;
  }

  /** settle waits for every operation still running (a failed program may leave some behind). */
  async settle(): Promise<void> {
    while (this.#ops.size > 0) await Promise.allSettled([...this.#ops]);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#ops.add(p);
    const drop = (): void => {
      this.#ops.delete(p);
    };
    p.then(drop, drop);
    return p;
  }

  /** register handles one RegisterResource call. */
  register(reg: Registration): Promise<Registered> {
    return this.#track(this.#register(reg));
  }

  async #register(reg: Registration): Promise<Registered> {
    const urn = makeUrn(this.#o.stack, this.#o.project, reg.type, reg.name, reg.parent);
    if (this.#news.has(urn) || this.#inFlight.has(urn)) {
      throw this.#fail(urn, new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`));
    }
    this.#inFlight.add(urn);
    try {
      if (reg.remote) throw new Error(`remote component ${reg.type} is not supported by the test harness`);
      if (reg.type === ROOT_STACK_TYPE || !reg.custom) return this.#registerComponent(reg, urn);
      if (reg.type.startsWith(PROVIDER_TYPE_PREFIX)) return await this.#registerProvider(reg, urn);
      return await this.#registerCustom(reg, urn);
    } catch (err) {
      throw this.#fail(urn, err);
    } finally {
      this.#inFlight.delete(urn);
    }
  }

  /** registerOutputs records the outputs of a component or of the stack. */
  registerOutputs(urn: string, outputs: PropertyMap): void {
    const r = this.#news.get(urn);
    if (r) r.outputs = outputs;
    if (urn === this.rootUrn) this.stackOutputs = outputs;
  }

  /** read handles ReadResource: the resource is read, recorded as external, never deleted. */
  read(req: ReadRequest): Promise<{ urn: string; outputs: PropertyMap }> {
    return this.#track(this.#read(req));
  }

  async #read(req: ReadRequest): Promise<{ urn: string; outputs: PropertyMap }> {
    const urn = makeUrn(this.#o.stack, this.#o.project, req.type, req.name, req.parent);
    try {
      const ref = req.provider || (await this.#defaultProvider(packageOf(req.type), req.version));
      const host = this.#o.providers.live(ref);
      const res = await host.read({ urn, name: req.name, type: req.type }, req.id, req.properties, undefined);
      if (!res.id) throw new Error(`resource '${req.id}' does not exist`);
      const outputs = markSecret(res.properties, req.additionalSecretOutputs);
      this.#record({
        urn, custom: true, external: true, id: res.id, type: req.type, inputs: req.properties, outputs,
        ...(req.parent ? { parent: req.parent } : {}), provider: ref, dependencies: req.dependencies,
      });
      this.#step(urn, req.type, 'read', { id: res.id });
      return { urn, outputs };
    } catch (err) {
      throw this.#fail(urn, err);
    }
  }

  /** invoke routes a provider function call to the package's provider. */
  invoke(tok: string, args: PropertyMap, providerRef: string, version: string): Promise<{ result: PropertyMap; failures: CheckFailure[] }> {
    return this.#track((async () => {
      const ref = providerRef || (await this.#defaultProvider(tok.split(':')[0] ?? '', version));
      return this.#o.providers.live(ref).invoke(tok, args, this.#o.dryRun);
    })());
  }

  #registerComponent(reg: Registration, urn: string): Registered {
    const old = this.#prior.get(urn);
    if (reg.type === ROOT_STACK_TYPE) this.rootUrn = urn;
    this.#record({ ...this.#base(reg, urn, ''), custom: false, inputs: reg.inputs, outputs: old?.outputs ?? {}, created: old?.created ?? now() });
    this.#step(urn, reg.type, old ? 'same' : 'create');
    return { urn, id: '', outputs: {} };
  }

  async #registerProvider(reg: Registration, urn: string): Promise<Registered> {
    const pkg = packageOf(reg.type);
    const old = this.#prior.get(urn);
    const call = { urn, name: reg.name, type: reg.type };
    const host = await this.#o.providers.start(pkg);
    const news = reg.version && !('version' in reg.inputs) ? { ...reg.inputs, version: reg.version } : reg.inputs;
    const checked = await host.checkConfig(call, old?.inputs ?? {}, news);
    this.#checkFailures(call, checked.failures);
    const inputs = annotateSecrets(checked.inputs, news);
    let d: Decision = { op: 'same', diffs: [], replaces: [], detailedDiff: {}, deleteBeforeReplace: false };
    if (old) {
      const diff = await host.diffConfig(call, old.outputs, inputs, old.inputs);
      d = decide(diff ?? UNKNOWN_DIFF, old.inputs, inputs, NO_OPTIONS);
    }
    const fresh = !old || d.op === 'replace';
    const id = fresh ? (this.#o.dryRun ? '' : randomUUID()) : (old.id ?? '');
    await host.configure({ packageName: pkg, inputs, urn, ...(id ? { id } : {}), name: reg.name, type: reg.type });
    this.#o.providers.setLive(urn, id, host);
    this.#record({ ...this.#base(reg, urn, ''), id, inputs, outputs: inputs, created: fresh ? now() : old?.created, modified: d.op === 'same' && old ? old.modified : now() });
    this.#step(urn, reg.type, old ? d.op : 'create', { ...stepDiff(d), ...(id ? { id } : {}) });
    return { urn, id, outputs: inputs };
  }

  async #registerCustom(reg: Registration, urn: string): Promise<Registered> {
    const providerRef = reg.provider || (await this.#defaultProvider(packageOf(reg.type), reg.version));
    const host = this.#o.providers.live(providerRef);
    const call = { urn, name: reg.name, type: reg.type };
    const old = this.#prior.get(urn);
    if (reg.importId && !old) return this.#import(reg, call, host, providerRef);
    const news = old ? applyIgnoreChanges(reg.inputs, old.inputs, reg.ignoreChanges) : reg.inputs;
    const checked = await host.check(call, old?.inputs ?? {}, news);
    this.#checkFailures(call, checked.failures);
    const inputs = annotateSecrets(checked.inputs, news);
    const base = this.#base(reg, urn, providerRef);
    if (!old) {
      const made = await this.#create(host, call, inputs, reg);
      this.#record({ ...base, id: made.id, inputs, outputs: made.outputs, created: now(), modified: now() });
      this.#step(urn, reg.type, 'create', made.id ? { id: made.id } : {});
      return { urn, id: made.id, outputs: made.outputs };
    }
    const oldId = old.id ?? '';
    const d = decide(await host.diff(call, oldId, old.outputs, inputs, old.inputs, reg.ignoreChanges), old.inputs, inputs, reg);
    let id = oldId;
    let outputs: PropertyMap;
    if (d.op === 'same') {
      outputs = markSecret(old.outputs, reg.additionalSecretOutputs);
    } else if (d.op === 'update') {
      const preview = this.#o.dryRun;
      if (preview && !host.caps.supportsPreview) outputs = inputs;
      else {
        const res = await host.update(call, oldId, old.outputs, inputs, old.inputs, preview, reg.ignoreChanges, reg.timeouts.update);
        outputs = this.#finalOutputs(res.properties, inputs, reg);
      }
    } else {
      if (old.protect) throw new Error(`unable to replace protected resource ${urn} (changes: ${d.replaces.join(', ')})`);
      if (d.deleteBeforeReplace && !this.#o.dryRun) await this.#deleteResource(old);
      const made = await this.#create(host, call, inputs, reg);
      id = made.id;
      outputs = made.outputs;
      if (!d.deleteBeforeReplace && !this.#o.dryRun) {
        const half: StateResource = { ...old, delete: true };
        this.#replacedHalves.add(half);
        this.#pendingDeletes.push(half);
      }
    }
    const changed = d.op !== 'same';
    this.#record({ ...base, id, inputs, outputs, created: d.op === 'replace' ? now() : old.created, modified: changed ? now() : old.modified });
    this.#step(urn, reg.type, d.op, { ...stepDiff(d), ...(id ? { id } : {}) });
    return { urn, id, outputs };
  }

  async #create(host: PluginHost, call: ResourceCall, inputs: PropertyMap, reg: Registration): Promise<{ id: string; outputs: PropertyMap }> {
    if (this.#o.dryRun) {
      if (!host.caps.supportsPreview) return { id: '', outputs: inputs };
      const res = await host.create(call, inputs, true, reg.timeouts.create);
      return { id: '', outputs: this.#finalOutputs(res.properties, inputs, reg) };
    }
    const res = await host.create(call, inputs, false, reg.timeouts.create);
    if (!res.id) throw new Error(`provider returned an empty id from Create for ${call.urn}`);
    return { id: res.id, outputs: this.#finalOutputs(res.properties, inputs, reg) };
  }

  async #import(reg: Registration, call: ResourceCall, host: PluginHost, providerRef: string): Promise<Registered> {
    const res = await host.read(call, reg.importId, {}, undefined);
    if (!res.id) throw new Error(`resource '${reg.importId}' does not exist`);
    const readInputs = res.inputs ?? {};
    const checked = await host.check(call, readInputs, reg.inputs);
    this.#checkFailures(call, checked.failures);
    const inputs = annotateSecrets(checked.inputs, reg.inputs);
    const d = decide(await host.diff(call, res.id, res.properties, inputs, readInputs, reg.ignoreChanges), readInputs, inputs, reg);
    if (d.op !== 'same') {
      const message = `inputs to import do not match the existing resource; importing this resource will fail (differences: ${d.diffs.join(', ')})`;
      if (!this.#o.dryRun) throw new Error(message);
      this.diagnostics.push({ severity: 'warning', message, urn: call.urn });
    }
    const outputs = this.#finalOutputs(res.properties, inputs, reg);
    this.#record({ ...this.#base(reg, call.urn, providerRef), id: res.id, inputs, outputs, importID: reg.importId, created: now(), modified: now() });
    this.#step(call.urn, reg.type, 'import', { ...stepDiff(d), id: res.id });
    return { urn: call.urn, id: res.id, outputs };
  }

  #finalOutputs(props: PropertyMap, inputs: PropertyMap, reg: Registration): PropertyMap {
    return markSecret(annotateSecrets(props, inputs), reg.additionalSecretOutputs);
  }

  /** #defaultProvider registers (once per package and version) the provider used when none is given. */
  #defaultProvider(pkg: string, version: string): Promise<string> {
    const key = `${pkg}@${version}`;
    let p = this.#defaults.get(key);
    if (!p) {
      p = (async () => {
        const name = version ? `default_${version.replace(/[.+-]/g, '_')}` : 'default';
        const type = `${PROVIDER_TYPE_PREFIX}${pkg}`;
        const urn = makeUrn(this.#o.stack, this.#o.project, type, name, '');
        const inputs: PropertyMap = {};
        for (const [k, v] of Object.entries(this.#o.config)) {
          if (k.startsWith(`${pkg}:`)) inputs[k.slice(pkg.length + 1)] = v.secret ? new Secret(v.value) : v.value;
        }
        const reg = { ...EMPTY_REGISTRATION, type, name, custom: true, inputs, version };
        this.#inFlight.add(urn);
        try {
          const r = await this.#registerProvider(reg, urn);
          return formatProviderRef(urn, r.id || UNKNOWN_SENTINEL);
        } catch (err) {
          throw this.#fail(urn, err);
        } finally {
          this.#inFlight.delete(urn);
        }
      })();
      this.#defaults.set(key, p);
    }
    return p;
  }

  /** finishUpdate deletes what the program no longer declares and the replaced halves (preview: reports them). */
  async finishUpdate(): Promise<void> {
    const unregistered = [...this.#prior.values()].filter((r) => !this.#news.has(r.urn) && !this.#deleted.has(r));
    const pending = this.#pendingDeletes.filter((r) => !this.#deleted.has(r));
    await this.#deleteAll([...pending, ...unregistered]);
  }

  /** destroy deletes every resource of the prior state in reverse dependency order. */
  async destroy(): Promise<void> {
    await this.#deleteAll([...this.#pendingDeletes, ...this.#prior.values()]);
  }

  /** refresh reads every custom resource and adopts live state; an empty id drops it. */
  async refresh(): Promise<void> {
    const targets = [...this.#o.prior].filter((r) => r.custom && !r.type.startsWith(PROVIDER_TYPE_PREFIX) && r.id);
    const results = await Promise.allSettled(targets.map(async (r) => {
      const host = await this.#o.providers.forState(r.provider ?? '', this.#priorAll);
      const res = await host.read({ urn: r.urn, name: parseUrn(r.urn).name, type: r.type }, r.id ?? '', r.outputs, r.inputs);
      if (!res.id) {
        this.#deleted.add(r);
        this.#step(r.urn, r.type, 'delete');
        return;
      }
      const outputs = markSecret(annotateSecrets(res.properties, r.outputs), r.additionalSecretOutputs ?? []);
      const inputs = res.inputs ? annotateSecrets(res.inputs, r.inputs) : r.inputs;
      const drift = refreshDiff(r.outputs, outputs);
      this.#refreshed.set(r, { ...r, id: res.id, inputs, outputs, ...(drift.diffs.length > 0 ? { modified: now() } : {}) });
      this.#step(r.urn, r.type, 'read', { ...drift, id: res.id });
    }));
    this.#throwIfRejected(results, targets);
  }

  async #deleteAll(list: StateResource[]): Promise<void> {
    for (const wave of deletionWaves(list)) {
      const results = await Promise.allSettled(wave.map(async (r) => {
        await this.#deleteResource(r);
        if (!this.#replacedHalves.has(r)) this.#step(r.urn, r.type, 'delete');
      }));
      this.#throwIfRejected(results, wave);
    }
  }

  #throwIfRejected(results: PromiseSettledResult<unknown>[], subjects: StateResource[]): void {
    let first: ReportedError | undefined;
    results.forEach((res, i) => {
      if (res.status === 'rejected') first ??= this.#fail(subjects[i]?.urn ?? '', res.reason);
    });
    if (first) throw first;
  }

  async #deleteResource(r: StateResource): Promise<void> {
    const needsCall = r.custom && !r.external && !r.type.startsWith(PROVIDER_TYPE_PREFIX);
    if (needsCall && r.protect) throw new Error(`unable to delete protected resource ${r.urn}`);
    if (needsCall && !r.retainOnDelete && !this.#o.dryRun) {
      const host = await this.#o.providers.forState(r.provider ?? '', this.#priorAll);
      await host.delete({ urn: r.urn, name: parseUrn(r.urn).name, type: r.type }, r.id ?? '', r.outputs, r.inputs);
    }
    this.#deleted.add(r);
  }

  /**
   * finalState is the checkpoint after the run: resources registered this run, then (when
   * the program failed, so nothing was deleted) prior resources it did not reach, then
   * replaced resources still waiting for deletion.
   */
  finalState(mode: 'up' | 'refresh' | 'destroy'): StateResource[] {
    if (mode === 'refresh') {
      return this.#o.prior.filter((r) => !this.#deleted.has(r)).map((r) => this.#refreshed.get(r) ?? r);
    }
    if (mode === 'destroy') return this.#o.prior.filter((r) => !this.#deleted.has(r));
    const unreached = [...this.#prior.values()].filter((r) => !this.#news.has(r.urn) && !this.#deleted.has(r));
    const pending = this.#pendingDeletes.filter((r) => !this.#deleted.has(r)).map((r) => ({ ...r, delete: true }));
    return [...this.#news.values(), ...unreached, ...pending];
  }

  #base(reg: Registration, urn: string, providerRef: string): StateResource {
    const r: StateResource = { urn, custom: true, type: reg.type, inputs: {}, outputs: {} };
    if (reg.parent) r.parent = reg.parent;
    if (reg.protect) r.protect = true;
    r.dependencies = reg.dependencies;
    if (providerRef) r.provider = providerRef;
    if (Object.keys(reg.propertyDependencies).length > 0) r.propertyDependencies = reg.propertyDependencies;
    if (reg.additionalSecretOutputs.length > 0) r.additionalSecretOutputs = reg.additionalSecretOutputs;
    if (reg.retainOnDelete) r.retainOnDelete = true;
    if (reg.ignoreChanges.length > 0) r.ignoreChanges = reg.ignoreChanges;
    if (reg.replaceOnChanges.length > 0) r.replaceOnChanges = reg.replaceOnChanges;
    return r;
  }

  #record(r: StateResource): void {
    this.#news.set(r.urn, r);
  }

  #step(urn: string, type: string, op: Step['op'], extra: Partial<Step> = {}): void {
    this.steps.push({ urn, type, op, diffs: [], detailedDiff: {}, ...extra });
  }

  #checkFailures(call: ResourceCall, failures: CheckFailure[]): void {
    if (failures.length === 0) return;
    for (const f of failures) {
      this.checkFailures.push({ urn: call.urn, property: f.property, reason: f.reason });
      this.diagnostics.push({
        severity: 'error',
        urn: call.urn,
        message: f.property
          ? `${call.type} resource '${call.name}': property ${f.property} has a problem: ${f.reason}`
          : `${call.type} resource '${call.name}' has a problem: ${f.reason}`,
      });
    }
    const summary = failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason)).join('; ');
    throw new ReportedError(`${call.type} resource '${call.name}' failed validation: ${summary}`);
  }

  /** #fail records an error once (diagnostic + errors list) and returns it for rethrowing. */
  #fail(urn: string, err: unknown): ReportedError {
    if (err instanceof ReportedError) return err;
    const message = err instanceof Error ? ((err as { details?: string }).details || err.message) : String(err);
    this.errors.push(`${urn}: ${message}`);
    this.diagnostics.push({ severity: 'error', urn, message });
    return new ReportedError(message);
  }
}

function now(): string {
  return new Date().toISOString();
}

function stepDiff(d: Decision): Partial<Step> {
  const out: Partial<Step> = { diffs: d.diffs, detailedDiff: d.detailedDiff };
  if (d.op === 'replace') {
    out.replaces = d.replaces;
    out.deleteBeforeReplace = d.deleteBeforeReplace;
  }
  return out;
}

const UNKNOWN_DIFF: DiffResult = { changes: 'unknown', replaces: [], stables: [], deleteBeforeReplace: false, diffs: [], detailedDiff: {}, hasDetailedDiff: false };
const NO_OPTIONS = { replaceOnChanges: [], deleteBeforeReplace: false, deleteBeforeReplaceDefined: false };

const EMPTY_REGISTRATION: Registration = {
  type: '', name: '', parent: '', custom: true, remote: false, inputs: {}, provider: '', version: '',
  dependencies: [], propertyDependencies: {}, deleteBeforeReplace: false, deleteBeforeReplaceDefined: false,
  ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [], protect: false, retainOnDelete: false,
  importId: '', timeouts: { create: 0, update: 0, delete: 0 },
};
