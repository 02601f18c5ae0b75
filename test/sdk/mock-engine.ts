/**
 * A recording wrapper around Pulumi's own unit-test mocks (`pulumi.runtime.setMocks`): it keeps
 * every RegisterResource / ReadResource request the SDK sends, so tests can assert the type
 * token, options and inputs exactly as the engine would receive them.
 */
import * as pulumi from '@pulumi/pulumi';

/** RecordedRegistration is one resource registration as the engine would receive it. */
export interface RecordedRegistration {
  kind: 'register' | 'read';
  type: string;
  name: string;
  custom: boolean;
  id: string;
  version: string;
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  /** The serialized inputs; secrets appear as Pulumi's secret envelope. */
  object: Record<string, unknown>;
}

/** SECRET_SIG is the key and value of Pulumi's secret envelope in serialized properties. */
export const SECRET_SIG = { key: '4dabf18193072939515e22adb298388d', value: '1b47061264138c4ac30d75fd1eb44270' } as const;

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getCustom?(): boolean;
  getId?(): string;
  getVersion(): string;
  getReplaceonchangesList?(): string[];
  getAdditionalsecretoutputsList?(): string[];
  getObject?(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProperties?(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type MonitorMethod = (req: MonitorRequest, callback: (err: unknown, res: unknown) => void) => unknown;

/** MockEngine installs the mocks once per test file and records what the SDK registers. */
export class MockEngine {
  readonly registrations: RecordedRegistration[] = [];

  /** install sets Pulumi's mocks (outputs echo the inputs plus `extraOutputs`) and starts recording. */
  static async install(options: { preview?: boolean; extraOutputs?: Record<string, unknown> } = {}): Promise<MockEngine> {
    const engine = new MockEngine();
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: args.id || `${args.name}-id`, state: { ...args.inputs, ...(options.extraOutputs ?? {}) } }),
        call: () => ({}),
      },
      'sdk-test',
      'dev',
      options.preview ?? false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as Record<'registerResource' | 'readResource', MonitorMethod>;
    for (const method of ['registerResource', 'readResource'] as const) {
      const original = monitor[method].bind(monitor);
      monitor[method] = (req, callback) => {
        engine.registrations.push(record(method === 'registerResource' ? 'register' : 'read', req));
        return original(req, callback);
      };
    }
    return engine;
  }

  /** find returns the registration of the resource with this name, or throws. */
  find(name: string): RecordedRegistration {
    const found = this.registrations.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name} was registered (have: ${this.registrations.map((r) => r.name).join(', ')})`);
    return found;
  }
}

function record(kind: 'register' | 'read', req: MonitorRequest): RecordedRegistration {
  const struct = req.getObject?.() ?? req.getProperties?.();
  return {
    kind,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom?.() ?? true,
    id: req.getId?.() ?? '',
    version: req.getVersion(),
    replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
    additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
    object: struct?.toJavaScript() ?? {},
  };
}

/** registered waits until the runtime has registered a resource (its URN resolved). */
export function registered(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply((urn) => resolve(urn)));
}

/** valueOf reads an Output's value in a test (mocks resolve every Output). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}
