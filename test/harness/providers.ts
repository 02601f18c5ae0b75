/**
 * ProviderRegistry: one plugin process per provider resource, as in the Pulumi engine.
 *
 * Provider resources registered by this run are "live"; resources that must be deleted or
 * refreshed with a provider the program no longer declares get a plugin configured from that
 * provider's stored state instead.
 */
import { PluginHost, type PluginCallRecord } from './plugin-host.ts';
import type { StateResource } from './state-file.ts';
import { packageOf, parseProviderRef, parseUrn } from './urn.ts';

/** ProviderRegistryOptions configures how plugins are found and launched. */
export interface ProviderRegistryOptions {
  /** Plugin executable per package name. */
  plugins: Readonly<Record<string, string>>;
  /** Engine gRPC address passed to every plugin. */
  engineAddress: string;
  /** Base environment of plugin processes. */
  env: NodeJS.ProcessEnv;
  /** Stack configuration (`pkg:key` → value) exported to plugins as PULUMI_CONFIG. */
  config: Readonly<Record<string, string>>;
  rootDirectory?: string;
  programDirectory?: string;
  callTimeoutMs?: number;
  startTimeoutMs?: number;
  onCall: (record: PluginCallRecord) => void;
}

interface LiveProvider {
  id: string;
  host: PluginHost;
}

/** ProviderRegistry owns every plugin process of a run. */
export class ProviderRegistry {
  readonly #opts: ProviderRegistryOptions;
  readonly #live = new Map<string, LiveProvider>();
  readonly #fromState = new Map<string, Promise<PluginHost>>();
  readonly #hosts = new Set<PluginHost>();
  #closed = false;

  constructor(opts: ProviderRegistryOptions) {
    this.#opts = opts;
  }

  /** hasPlugin tells whether a plugin is known for a package. */
  hasPlugin(pkg: string): boolean {
    return pkg in this.#opts.plugins;
  }

  /** start launches a fresh plugin process for a package (not yet configured). */
  async start(pkg: string): Promise<PluginHost> {
    if (this.#closed) throw new Error('provider registry is closed');
    const pluginPath = this.#opts.plugins[pkg];
    if (!pluginPath) throw new Error(`no resource plugin for package "${pkg}" (known: ${Object.keys(this.#opts.plugins).join(', ') || 'none'})`);
    const pkgConfig: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#opts.config)) {
      if (k.startsWith(`${pkg}:`)) pkgConfig[k] = v;
    }
    const host = await PluginHost.start({
      pluginPath,
      engineAddress: this.#opts.engineAddress,
      env: { ...this.#opts.env, PULUMI_CONFIG: JSON.stringify(pkgConfig) },
      rootDirectory: this.#opts.rootDirectory,
      programDirectory: this.#opts.programDirectory,
      callTimeoutMs: this.#opts.callTimeoutMs,
      startTimeoutMs: this.#opts.startTimeoutMs,
      onCall: this.#opts.onCall,
    });
    this.#hosts.add(host);
    if (this.#closed) {
      await host.close();
      throw new Error('provider registry is closed');
    }
    return host;
  }

  /** setLive records the configured plugin of a provider resource registered by this run. */
  setLive(urn: string, id: string, host: PluginHost): void {
    this.#live.set(urn, { id, host });
  }

  /** live returns the plugin for a provider reference registered by this run. */
  live(ref: string): PluginHost {
    const { urn } = parseProviderRef(ref);
    const p = this.#live.get(urn);
    if (!p) throw new Error(`provider ${urn} has not been registered`);
    return p.host;
  }

  /**
   * forState returns a plugin able to act on a stored resource: the live provider when the
   * reference still names it, otherwise one configured from the stored provider resource.
   */
  forState(ref: string, stored: ReadonlyMap<string, StateResource>): Promise<PluginHost> {
    const { urn, id } = parseProviderRef(ref);
    const live = this.#live.get(urn);
    if (live && live.id === id) return Promise.resolve(live.host);
    let p = this.#fromState.get(ref);
    if (!p) {
      p = this.#configureFromState(urn, id, stored);
      this.#fromState.set(ref, p);
    }
    return p;
  }

  async #configureFromState(urn: string, id: string, stored: ReadonlyMap<string, StateResource>): Promise<PluginHost> {
    const res = stored.get(urn);
    if (!res || (res.id ?? '') !== id) throw new Error(`provider ${urn}::${id} is not in the state`);
    const pkg = packageOf(res.type);
    const host = await this.start(pkg);
    await host.configure({ packageName: pkg, inputs: res.inputs, urn, id, name: parseUrn(urn).name, type: res.type });
    return host;
  }

  /** providerMs is the total time spent in plugin calls so far. */
  get providerMs(): number {
    let ms = 0;
    for (const h of this.#hosts) ms += h.providerMs;
    return ms;
  }

  /** pluginOutput joins what every plugin printed besides its port (for failure reports). */
  get pluginOutput(): string {
    return [...this.#hosts].map((h) => h.output).filter((s) => s.length > 0).join('\n');
  }

  /** close stops every plugin process; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#hosts].map((h) => h.close()));
  }
}
