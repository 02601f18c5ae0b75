/**
 * The provider block's configuration: `endpoint` and `token` (sensitive), each taken from the
 * block, else from GATEHOUSE_ENDPOINT / GATEHOUSE_TOKEN; the endpoint defaults to the local API.
 */
import { DEFAULT_ENDPOINT, isHttpUrl } from '../client/management-client.ts';
import { errorDiagnostic, type DiagnosticMessage } from './diagnostics.ts';
import { UNKNOWN, type CtyValue } from './protocol/cty-msgpack.ts';

/** TerraformProviderConfig is the resolved configuration; `unknown` when a value is not known until apply. */
export interface TerraformProviderConfig {
  endpoint: string;
  token: string | undefined;
  unknown: boolean;
}

function attribute(config: CtyValue, name: string): CtyValue {
  if (config === null || config === UNKNOWN || typeof config !== 'object' || Array.isArray(config)) return null;
  return config[name] ?? null;
}

/** checkProviderConfig reports a known endpoint that is not an http(s) URL and a known empty token. */
export function checkProviderConfig(config: CtyValue): DiagnosticMessage[] {
  const out: DiagnosticMessage[] = [];
  const endpoint = attribute(config, 'endpoint');
  if (endpoint !== null && endpoint !== UNKNOWN && (typeof endpoint !== 'string' || !isHttpUrl(endpoint))) {
    out.push(errorDiagnostic('Invalid value for endpoint', `endpoint must be an http:// or https:// URL, e.g. ${DEFAULT_ENDPOINT}`, [{ attribute_name: 'endpoint' }]));
  }
  const token = attribute(config, 'token');
  if (token !== null && token !== UNKNOWN && (typeof token !== 'string' || token === '')) {
    out.push(errorDiagnostic('Invalid value for token', 'token must be a non-empty string', [{ attribute_name: 'token' }]));
  }
  return out;
}

/** resolveProviderConfig applies the precedence: the provider block, then the environment, then the default endpoint. */
export function resolveProviderConfig(config: CtyValue, env: NodeJS.ProcessEnv): TerraformProviderConfig {
  let unknown = false;
  const pick = (name: string, envName: string): string | undefined => {
    const v = attribute(config, name);
    if (v === UNKNOWN) unknown = true;
    if (typeof v === 'string' && v !== '') return v;
    const e = env[envName];
    return e !== undefined && e !== '' ? e : undefined;
  };
  const endpoint = pick('endpoint', 'GATEHOUSE_ENDPOINT') ?? DEFAULT_ENDPOINT;
  const token = pick('token', 'GATEHOUSE_TOKEN');
  return { endpoint: endpoint.replace(/\/+$/, ''), token, unknown };
}
