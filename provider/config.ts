/**
 * Provider configuration (SPEC §5): `gatehouse:endpoint` and `gatehouse:token` (secret), taken
 * key by key from the Configure arguments, then the `PULUMI_CONFIG` environment variable the
 * engine sets for the plugin, then `GATEHOUSE_ENDPOINT` / `GATEHOUSE_TOKEN`.
 */
import { DEFAULT_ENDPOINT, isHttpUrl } from '../client/management-client.ts';
import { isUnknown, type PropertyMap, type Value } from './marshal.ts';

/** CONFIG_KEYS are the provider's configuration keys, without the package prefix. */
export const CONFIG_KEYS = ['endpoint', 'token'] as const;

/** ProviderConfig is the resolved configuration; `token` may be absent until an API call needs it. */
export interface ProviderConfig {
  endpoint: string;
  token: string | undefined;
  /** Where each value came from, for messages (never the value of the token). */
  sources: { endpoint: ConfigSource; token: ConfigSource | undefined };
  /** True when a key is unknown (preview with a computed provider input): no API calls are possible. */
  unknown: boolean;
}

/** ConfigSource names where a configuration value was found. */
export type ConfigSource = 'arguments' | 'variables' | 'PULUMI_CONFIG' | 'environment' | 'default';

type Lookup = { value: string | undefined; unknown: boolean };

function fromArgs(args: PropertyMap, key: string): Lookup {
  const v: Value | undefined = args[key];
  if (isUnknown(v)) return { value: undefined, unknown: true };
  return { value: typeof v === 'string' && v !== '' ? v : undefined, unknown: false };
}

/**
 * fromVariables reads the deprecated `variables` map and `PULUMI_CONFIG`, whose keys are
 * `gatehouse:endpoint` in current engines and `gatehouse:config:endpoint` in old ones.
 */
function fromKeyed(map: Readonly<Record<string, unknown>>, key: string): string | undefined {
  for (const k of [`gatehouse:${key}`, `gatehouse:config:${key}`]) {
    const v = map[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** parsePulumiConfig reads the `PULUMI_CONFIG` JSON object; anything else counts as empty. */
export function parsePulumiConfig(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * resolveConfig applies the precedence of SPEC §5 to each key: Configure arguments, the
 * `variables` map, `PULUMI_CONFIG`, then the environment; the endpoint defaults to the local API.
 */
export function resolveConfig(args: PropertyMap, variables: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): ProviderConfig {
  const pulumiConfig = parsePulumiConfig(env.PULUMI_CONFIG);
  let unknown = false;
  const pick = (key: (typeof CONFIG_KEYS)[number], envName: string): { value: string | undefined; source: ConfigSource | undefined } => {
    const a = fromArgs(args, key);
    if (a.unknown) unknown = true;
    if (a.value !== undefined) return { value: a.value, source: 'arguments' };
    const v = fromKeyed(variables, key);
    if (v !== undefined) return { value: v, source: 'variables' };
    const p = fromKeyed(pulumiConfig, key);
    if (p !== undefined) return { value: p, source: 'PULUMI_CONFIG' };
    const e = env[envName];
    if (e !== undefined && e !== '') return { value: e, source: 'environment' };
    return { value: undefined, source: undefined };
  };
  const endpoint = pick('endpoint', 'GATEHOUSE_ENDPOINT');
  const token = pick('token', 'GATEHOUSE_TOKEN');
  return {
    endpoint: (endpoint.value ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    token: token.value,
    sources: { endpoint: endpoint.source ?? 'default', token: token.source },
    unknown,
  };
}

/** checkConfigFailures validates provider inputs: an http(s) endpoint URL and a non-empty token. */
export function checkConfigFailures(inputs: PropertyMap): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  for (const key of Object.keys(inputs)) {
    if (key !== 'endpoint' && key !== 'token' && key !== 'version' && key !== 'pluginDownloadURL') {
      failures.push({ property: key, reason: `unknown configuration key gatehouse:${key} (expected gatehouse:endpoint, gatehouse:token)` });
    }
  }
  const endpoint = inputs.endpoint;
  if (endpoint !== undefined && !isUnknown(endpoint)) {
    if (typeof endpoint !== 'string' || !isHttpUrl(endpoint)) {
      failures.push({ property: 'endpoint', reason: `gatehouse:endpoint must be an http:// or https:// URL, e.g. ${DEFAULT_ENDPOINT}` });
    }
  }
  const token = inputs.token;
  if (token !== undefined && !isUnknown(token) && (typeof token !== 'string' || token === '')) {
    failures.push({ property: 'token', reason: 'gatehouse:token must be a non-empty string' });
  }
  return failures;
}

