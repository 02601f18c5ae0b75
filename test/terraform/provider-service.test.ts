/**
 * The tfplugin6 Provider service in process, with the kinds' own Terraform schemas: schemas as
 * protocol messages, resource validation with values not known yet, attribute paths,
 * the provider's configuration, planning without an API, state upgrades, the data sources (against
 * a fake list) and the operations not implemented yet.
 */
import type * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_TLS_POLICIES } from '../../schema/tls-policies.ts';
import { attributePath, parseFieldPath, renderSteps } from '../../terraform/diagnostics.ts';
import { kindSchemas } from '../../terraform/kind-schemas.ts';
import { resolveProviderConfig } from '../../terraform/provider-config.ts';
import { createProviderService, ProviderState } from '../../terraform/provider-service.ts';
import { decodeCty, encodeCty, UNKNOWN, type CtyType, type CtyValue } from '../../terraform/protocol/cty-msgpack.ts';
import { impliedType } from '../../terraform/schema-source.ts';
import { splitUnknowns } from '../../terraform/unknowns.ts';

const source = kindSchemas();
const states: ProviderState[] = [];
afterEach(async () => {
  for (const s of states.splice(0)) await s.close();
});

function service(env: NodeJS.ProcessEnv = {}): { impl: grpc.UntypedServiceImplementation; state: ProviderState } {
  const state = new ProviderState();
  states.push(state);
  return { impl: createProviderService(source, env, state), state };
}

/** invoke calls a unary handler as the gRPC server would. */
function invoke(impl: grpc.UntypedServiceImplementation, name: string, request: unknown): Promise<any> {
  const handler = impl[name] as (call: { request: unknown }, cb: (err: unknown, res: unknown) => void) => void;
  return new Promise((resolve, reject) => handler({ request }, (err, res) => (err ? reject(err instanceof Error ? err : new Error('the handler failed', { cause: err })) : resolve(res))));
}

function typeOf(typeName: string): CtyType {
  const kind = source.resources.find((r) => r.typeName === typeName)!.kind;
  return impliedType(source.resourceSchema(kind).block.attributes);
}

/** config builds a whole resource value: every attribute null unless given. */
function config(typeName: string, given: Record<string, CtyValue>): { msgpack: Buffer; json: Buffer } {
  const type = typeOf(typeName) as readonly ['object', Record<string, CtyType>];
  const value: Record<string, CtyValue> = {};
  for (const name of Object.keys(type[1])) value[name] = given[name] ?? null;
  return { msgpack: Buffer.from(encodeCty(value, type)), json: Buffer.alloc(0) };
}

describe('GetProviderSchema', () => {
  it('each attribute carries its cty type as JSON bytes, or nested attributes with a nesting mode', async () => {
    const res = await invoke(service().impl, 'GetProviderSchema', {});
    expect(Object.keys(res.resource_schemas as object)).toHaveLength(6);
    const listener = res.resource_schemas.gatehouse_listener.block.attributes as { name: string; type: Buffer; nested_type: { nesting: string } | null }[];
    const port = listener.find((a) => a.name === 'port')!;
    expect(JSON.parse(port.type.toString('utf8'))).toBe('number');
    const nested = listener.find((a) => a.nested_type !== null);
    expect(nested?.type.length).toBe(0);
    expect(['SINGLE', 'LIST', 'SET', 'MAP']).toContain(nested?.nested_type?.nesting);
    expect(res.provider.block.attributes.map((a: { name: string }) => a.name).sort()).toEqual(['endpoint', 'token']);
  });
});

describe('ValidateResourceConfig', () => {
  it('a valid listener passes', async () => {
    const res = await invoke(service().impl, 'ValidateResourceConfig', {
      type_name: 'gatehouse_listener',
      config: config('gatehouse_listener', { load_balancer_id: 'lb-1', protocol: 'HTTP', port: 80, default_server_group_id: 'sg-1' }),
    });
    expect(res.diagnostics).toEqual([]);
  });

  it('a bad port is an error at the attribute port', async () => {
    const res = await invoke(service().impl, 'ValidateResourceConfig', {
      type_name: 'gatehouse_listener',
      config: config('gatehouse_listener', { load_balancer_id: UNKNOWN, protocol: 'HTTP', port: 70000, default_server_group_id: 'sg-1' }),
    });
    expect(res.diagnostics).toEqual([
      expect.objectContaining({ severity: 'ERROR', summary: 'Invalid value for port', attribute: { steps: [{ attribute_name: 'port' }] } }),
    ]);
  });

  it('a required attribute not known yet is no failure; a missing one is', async () => {
    const unknown = await invoke(service().impl, 'ValidateResourceConfig', {
      type_name: 'gatehouse_listener',
      config: config('gatehouse_listener', { load_balancer_id: UNKNOWN, protocol: 'HTTP', port: UNKNOWN, default_server_group_id: UNKNOWN }),
    });
    expect(unknown.diagnostics).toEqual([]);
    const missing = await invoke(service().impl, 'ValidateResourceConfig', {
      type_name: 'gatehouse_listener',
      config: config('gatehouse_listener', { protocol: 'HTTP', port: 80, default_server_group_id: 'sg-1' }),
    });
    expect(missing.diagnostics.map((d: { attribute: unknown }) => d.attribute)).toContainEqual({ steps: [{ attribute_name: 'load_balancer_id' }] });
  });

  it('an unknown resource type is an error naming the offered ones', async () => {
    const res = await invoke(service().impl, 'ValidateResourceConfig', { type_name: 'gatehouse_nothing', config: null });
    expect(res.diagnostics[0].summary).toBe('Unknown resource type gatehouse_nothing');
    expect(res.diagnostics[0].detail).toMatch(/gatehouse_load_balancer/);
  });
});

describe('the provider configuration', () => {
  const providerConfig = (value: CtyValue): { msgpack: Buffer; json: Buffer } => ({
    msgpack: Buffer.from(encodeCty(value, ['object', { endpoint: 'string', token: 'string' }])),
    json: Buffer.alloc(0),
  });

  it('ValidateProviderConfig refuses an endpoint that is not http(s) and an empty token', async () => {
    const res = await invoke(service().impl, 'ValidateProviderConfig', { config: providerConfig({ endpoint: 'ftp://x', token: '' }) });
    expect(res.diagnostics.map((d: { summary: string }) => d.summary)).toEqual(['Invalid value for endpoint', 'Invalid value for token']);
  });

  it('the block wins over the environment, which wins over the default endpoint', () => {
    const env = { GATEHOUSE_ENDPOINT: 'http://env:1', GATEHOUSE_TOKEN: 'env-token' };
    expect(resolveProviderConfig({ endpoint: 'https://block:2/', token: null }, env)).toEqual({ endpoint: 'https://block:2', token: 'env-token', unknown: false });
    expect(resolveProviderConfig(null, {})).toEqual({ endpoint: 'http://127.0.0.1:9080', token: undefined, unknown: false });
    expect(resolveProviderConfig({ endpoint: UNKNOWN, token: 't' }, {}).unknown).toBe(true);
  });

  it('ConfigureProvider makes a management client for the resolved endpoint', async () => {
    const { impl, state } = service({ GATEHOUSE_TOKEN: 't' });
    const res = await invoke(impl, 'ConfigureProvider', { terraform_version: '1.11.4', config: providerConfig({ endpoint: 'http://127.0.0.1:1', token: null }) });
    expect(res.diagnostics).toEqual([]);
    expect(state.client?.endpoint).toBe('http://127.0.0.1:1');
    expect(state.client?.hasToken).toBe(true);
  });

  it('configured without a token, a plan whose values are all known warns that the live checks did not run', async () => {
    const { impl } = service({});
    const configured = await invoke(impl, 'ConfigureProvider', { terraform_version: '1.11.4', config: providerConfig({ endpoint: 'http://127.0.0.1:1', token: null }) });
    expect(configured.diagnostics).toEqual([]);
    const res = await invoke(impl, 'PlanResourceChange', {
      type_name: 'gatehouse_load_balancer',
      prior_state: null,
      proposed_new_state: config('gatehouse_load_balancer', { name: 'web' }),
      config: config('gatehouse_load_balancer', { name: 'web' }),
      prior_private: Buffer.alloc(0),
    });
    expect(res.diagnostics).toEqual([expect.objectContaining({ severity: 'WARNING', summary: 'Live checks of gatehouse_load_balancer skipped: the provider has no token' })]);
  });
});

describe('operations not implemented yet', () => {
  it('MoveResourceState answers an error diagnostic saying so', async () => {
    const res = await invoke(service().impl, 'MoveResourceState', {});
    expect(res.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', summary: 'MoveResourceState is not implemented yet' })]);
  });
});

describe('data sources', () => {
  const dataType = (typeName: string): CtyType => impliedType(source.dataSources()[typeName]!.block.attributes);
  const dataConfig = (typeName: string, given: Record<string, CtyValue>): { msgpack: Buffer; json: Buffer } => {
    const type = dataType(typeName) as readonly ['object', Record<string, CtyType>];
    const value: Record<string, CtyValue> = {};
    for (const name of Object.keys(type[1])) value[name] = given[name] ?? null;
    return { msgpack: Buffer.from(encodeCty(value, type)), json: Buffer.alloc(0) };
  };

  const providerConfig = (value: CtyValue): { msgpack: Buffer; json: Buffer } => ({
    msgpack: Buffer.from(encodeCty(value, ['object', { endpoint: 'string', token: 'string' }])),
    json: Buffer.alloc(0),
  });

  /** withApi serves `items` as every list of a fake management API, configures a provider against it and runs `fn`. */
  async function withApi(items: Record<string, unknown>[], fn: (impl: grpc.UntypedServiceImplementation) => Promise<void>): Promise<void> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items, nextToken: null }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { impl } = service();
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const configured = await invoke(impl, 'ConfigureProvider', { terraform_version: '1.11.4', config: providerConfig({ endpoint, token: 't' }) });
      expect(configured.diagnostics).toEqual([]);
      await fn(impl);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  }

  it('gatehouse_tls_policies lists the system policies from the release when the provider is not configured', async () => {
    const res = await invoke(service().impl, 'ReadDataSource', { type_name: 'gatehouse_tls_policies', config: dataConfig('gatehouse_tls_policies', {}) });
    expect(res.diagnostics).toEqual([]);
    const value = decodeCty(res.state.msgpack as Buffer, dataType('gatehouse_tls_policies')) as { policies: { id: string; tls_versions: string[] }[] };
    expect(value.policies.map((p) => p.id)).toEqual(SYSTEM_TLS_POLICIES.map((p) => p.id));
    expect(value.policies[0]!.tls_versions).toEqual(['TLSv1.0', 'TLSv1.1', 'TLSv1.2']);
  });

  it('gatehouse_tls_policies keeps only the system policies the API lists', async () => {
    const custom = { id: 'tlsp-custom', name: 'custom', tlsVersions: ['TLSv1.2'], ciphers: ['AES128-SHA'], system: false };
    const system = { id: 'tls_cipher_policy_1_2', name: 'tls_cipher_policy_1_2', tlsVersions: ['TLSv1.2'], ciphers: ['AES128-SHA'], system: true };
    await withApi([system, custom], async (impl) => {
      const res = await invoke(impl, 'ReadDataSource', { type_name: 'gatehouse_tls_policies', config: dataConfig('gatehouse_tls_policies', {}) });
      expect(res.diagnostics).toEqual([]);
      const value = decodeCty(res.state.msgpack as Buffer, dataType('gatehouse_tls_policies')) as { policies: { id: string }[] };
      expect(value.policies.map((p) => p.id)).toEqual(['tls_cipher_policy_1_2']);
    });
  });

  it('gatehouse_certificate finds one certificate by name; none, or more than one, is an error at name saying which', async () => {
    const cert = (id: string, name: string) => ({ id, name, certificatePem: 'PEM', tags: {} });
    await withApi([cert('cert-a', 'site'), cert('cert-b', 'twice'), cert('cert-c', 'twice')], async (impl) => {
      const read = (name: string) => invoke(impl, 'ReadDataSource', { type_name: 'gatehouse_certificate', config: dataConfig('gatehouse_certificate', { name }) });
      const found = await read('site');
      expect(found.diagnostics).toEqual([]);
      expect(decodeCty(found.state.msgpack as Buffer, dataType('gatehouse_certificate'))).toMatchObject({ id: 'cert-a', name: 'site' });
      const none = await read('nowhere');
      expect(none.diagnostics).toEqual([
        expect.objectContaining({ severity: 'ERROR', summary: 'No gatehouse_certificate named "nowhere"', attribute: { steps: [{ attribute_name: 'name' }] } }),
      ]);
      const two = await read('twice');
      expect(two.diagnostics).toEqual([
        expect.objectContaining({ severity: 'ERROR', summary: 'More than one gatehouse_certificate named "twice"', attribute: { steps: [{ attribute_name: 'name' }] } }),
      ]);
      expect(two.diagnostics[0].detail).toMatch(/cert-b, cert-c/);
    });
  });

  it('a lookup by name without a configured provider, an empty name and an unknown data source are errors', async () => {
    const { impl } = service();
    const unconfigured = await invoke(impl, 'ReadDataSource', { type_name: 'gatehouse_load_balancer', config: dataConfig('gatehouse_load_balancer', { name: 'web' }) });
    expect(unconfigured.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', summary: 'Cannot read gatehouse_load_balancer: the provider is not configured' })]);
    const empty = await invoke(impl, 'ValidateDataResourceConfig', { type_name: 'gatehouse_load_balancer', config: dataConfig('gatehouse_load_balancer', { name: '' }) });
    expect(empty.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', attribute: { steps: [{ attribute_name: 'name' }] } })]);
    const later = await invoke(impl, 'ValidateDataResourceConfig', { type_name: 'gatehouse_load_balancer', config: dataConfig('gatehouse_load_balancer', { name: UNKNOWN }) });
    expect(later.diagnostics).toEqual([]);
    const unknown = await invoke(impl, 'ReadDataSource', { type_name: 'gatehouse_nothing', config: null });
    expect(unknown.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', summary: 'Unknown data source gatehouse_nothing' })]);
  });
});

describe('PlanResourceChange without a configured provider', () => {
  const plan = (typeName: string, prior: Record<string, CtyValue> | null, given: Record<string, CtyValue> | null) =>
    invoke(service().impl, 'PlanResourceChange', {
      type_name: typeName,
      prior_state: prior ? config(typeName, prior) : null,
      proposed_new_state: given ? config(typeName, given) : null,
      config: given ? config(typeName, given) : null,
      prior_private: Buffer.alloc(0),
    });

  it('a create: the server defaults known from the API parse, the outputs unknown, and a warning that the live checks did not run', async () => {
    const res = await plan('gatehouse_load_balancer', null, { name: 'web' });
    expect(res.diagnostics).toEqual([
      expect.objectContaining({ severity: 'WARNING', summary: "Live checks of gatehouse_load_balancer skipped: the provider's endpoint or token is not known yet" }),
    ]);
    const planned = decodeCty(res.planned_state.msgpack, typeOf('gatehouse_load_balancer')) as Record<string, CtyValue>;
    expect(planned).toMatchObject({ name: 'web', edition: 'Standard', deletion_protection: false, id: UNKNOWN, version: UNKNOWN });
    expect(res.requires_replace).toEqual([]);
  });

  it('an attribute not known yet stays unknown, and what the server fills is unknown too', async () => {
    const res = await plan('gatehouse_listener', null, { load_balancer_id: UNKNOWN, protocol: 'HTTP', port: 8080, default_server_group_id: 'sgp-x' });
    expect(res.diagnostics).toEqual([]);
    const planned = decodeCty(res.planned_state.msgpack, typeOf('gatehouse_listener')) as Record<string, CtyValue>;
    expect(planned).toMatchObject({ load_balancer_id: UNKNOWN, port: 8080, idle_timeout: UNKNOWN, id: UNKNOWN });
  });

  it('a changed replace attribute is listed in requires_replace; an unchanged update keeps the outputs', async () => {
    const prior = { id: 'alb-1', version: 1, name: 'web', address: '127.0.0.1', edition: 'Standard', deletion_protection: false, tags: {}, status: 'Active' };
    const moved = await plan('gatehouse_load_balancer', prior, { name: 'web', address: '127.0.0.2' });
    expect(moved.requires_replace).toEqual([{ steps: [{ attribute_name: 'address' }] }]);
    const same = await plan('gatehouse_load_balancer', prior, { name: 'web', address: '127.0.0.1' });
    expect(same.requires_replace).toEqual([]);
    expect(decodeCty(same.planned_state.msgpack, typeOf('gatehouse_load_balancer'))).toMatchObject({ id: 'alb-1', version: 1, status: 'Active' });
  });

  it('a destroy plan passes through', async () => {
    const res = await plan('gatehouse_load_balancer', { id: 'alb-1', name: 'web' }, null);
    expect(res.diagnostics).toEqual([]);
    expect(res.planned_state).toBeNull();
  });

  it('an unknown resource type is an error', async () => {
    const res = await invoke(service().impl, 'PlanResourceChange', { type_name: 'gatehouse_nothing', prior_state: null, proposed_new_state: null, config: null, prior_private: Buffer.alloc(0) });
    expect(res).toMatchObject({ diagnostics: [expect.objectContaining({ summary: 'Unknown resource type gatehouse_nothing' })] });
  });
});

describe('UpgradeResourceState', () => {
  it('version 0: the stored JSON is the current state, missing attributes null', async () => {
    const raw = Buffer.from(JSON.stringify({ id: 'alb-1', name: 'web', gone: true }));
    const res = await invoke(service().impl, 'UpgradeResourceState', { type_name: 'gatehouse_load_balancer', version: 0, raw_state: { json: raw, flatmap: {} } });
    expect(res.diagnostics).toEqual([]);
    const value = decodeCty(res.upgraded_state.msgpack, typeOf('gatehouse_load_balancer')) as Record<string, CtyValue>;
    expect(value).toMatchObject({ id: 'alb-1', name: 'web', address: null });
    expect(value).not.toHaveProperty('gone');
  });

  it('a newer version is an error', async () => {
    const res = await invoke(service().impl, 'UpgradeResourceState', { type_name: 'gatehouse_load_balancer', version: 3, raw_state: { json: Buffer.from('{}'), flatmap: {} } });
    expect(res.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR' })]);
  });
});

describe('paths and unknowns', () => {
  it('an API path becomes Terraform steps: snake_case attributes, indices, map keys', () => {
    const type: CtyType = ['object', { health_check: ['object', { healthy_threshold: 'number' }], servers: ['list', ['object', { port: 'number' }]], tags: ['map', 'string'] }];
    const toName = (f: string): string => f.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`);
    expect(attributePath('healthCheck.healthyThreshold', type, toName)).toEqual([{ attribute_name: 'health_check' }, { attribute_name: 'healthy_threshold' }]);
    expect(renderSteps(attributePath('servers[1].port', type, toName))).toBe('servers[1].port');
    expect(attributePath('tags["gatehouse:owner"]', type, toName)).toEqual([{ attribute_name: 'tags' }, { element_key_string: 'gatehouse:owner' }]);
    expect(attributePath('tags.team', type, toName)).toEqual([{ attribute_name: 'tags' }, { element_key_string: 'team' }]);
    expect(parseFieldPath('a.b[2]["x.y"]')).toEqual(['a', 'b', 2, 'x.y']);
  });

  it('unknowns are set aside as null with their API paths; a list holding one is unknown whole', () => {
    const type: CtyType = ['object', { load_balancer_id: 'string', servers: ['list', ['object', { port: 'number' }]], domains: ['list', 'string'], tags: ['map', 'string'] }];
    const split = splitUnknowns(
      { load_balancer_id: UNKNOWN, servers: [{ port: UNKNOWN }], domains: ['a', UNKNOWN], tags: { team: UNKNOWN } },
      type,
      (a) => a.replace(/_([a-z])/g, (_m, l: string) => l.toUpperCase()),
    );
    expect(split.known).toEqual({ load_balancer_id: null, servers: [{ port: null }], domains: null, tags: { team: null } });
    expect(split.unknownPaths.sort()).toEqual(['domains', 'loadBalancerId', 'servers[0].port', 'tags.team']);
  });
});
