/** The Terraform schema as one more reading of the kinds: names, attributes, roles, descriptions, values. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_RESOURCE_KINDS,
  RESOURCE_KINDS,
  inspectCertificate,
  isExpired,
  parseResource,
  type ResourceKind,
  type ResourceKindName,
} from '../../schema/index.ts';
import { resourceJsonSchemas, type JsonSchema } from '../../schema/emit/json-schema.ts';
import { PROVIDER_CONFIG_PROPERTIES, buildPulumiSchema } from '../../schema/emit/pulumi-schema.ts';
import {
  fromTerraformValue,
  kindByTerraformTypeName,
  requiresReplace,
  terraformDataSourceSchemas,
  terraformProviderSchema,
  terraformResourceSchema,
  terraformResourceSchemas,
  terraformTypeName,
  toCamelCase,
  toSnakeCase,
  toTerraformDataSourceValue,
  toTerraformValue,
  type TerraformAttribute,
  type TerraformObject,
  type TerraformSchema,
} from '../../schema/emit/terraform-schema.ts';
import { SYSTEM_TLS_POLICIES } from '../../schema/tls-policies.ts';
import { createCa, issueCertificate, type Issued } from '../helpers/pki.ts';

// ---- helpers: walking JSON Schemas and Terraform attributes by dotted path ----

function props(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  return (schema?.properties as Record<string, JsonSchema> | undefined) ?? {};
}

function isNamedObject(schema: JsonSchema | undefined): boolean {
  return schema?.type === 'object' && schema.properties !== undefined;
}

/** The object schema below a property: itself, or its items for an array of objects. */
function objectBelow(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (isNamedObject(schema)) return schema;
  const items = schema?.items as JsonSchema | undefined;
  return schema?.type === 'array' && isNamedObject(items) ? items : undefined;
}

/** apiFields maps every dotted field path of a JSON Schema (nested objects and arrays of objects included) to its node and its parent. */
function apiFields(schema: JsonSchema | undefined, prefix = '', out = new Map<string, { node: JsonSchema; parent: JsonSchema }>()) {
  for (const [name, node] of Object.entries(props(schema))) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    out.set(path, { node, parent: schema! });
    const below = objectBelow(node);
    if (below) apiFields(below, path, out);
  }
  return out;
}

/** tfAttributes maps every dotted attribute path (snake_case) to its attribute. */
function tfAttributes(attributes: readonly TerraformAttribute[], prefix = '', out = new Map<string, TerraformAttribute>()) {
  for (const a of attributes) {
    const path = prefix === '' ? a.name : `${prefix}.${a.name}`;
    out.set(path, a);
    if (a.nestedType) tfAttributes(a.nestedType.attributes, path, out);
  }
  return out;
}

function snakePath(path: string): string {
  return path.split('.').map(toSnakeCase).join('.');
}

/** coverageGaps compares a kind's API fields (create ∪ output) with a resource schema's attributes. */
function coverageGaps(kind: ResourceKind, schema: TerraformSchema): { missing: string[]; extra: string[] } {
  const { create, output } = resourceJsonSchemas(kind);
  const expected = new Set([...apiFields(create).keys(), ...apiFields(output).keys()].map(snakePath));
  const actual = new Set(tfAttributes(schema.block.attributes).keys());
  return { missing: [...expected].filter((p) => !actual.has(p)), extra: [...actual].filter((p) => !expected.has(p)) };
}

function attr(schema: TerraformSchema, path: string): TerraformAttribute {
  const a = tfAttributes(schema.block.attributes).get(path);
  if (!a) throw new Error(`no attribute ${path}`);
  return a;
}

function role(a: TerraformAttribute): string {
  return `${a.required ? 'R' : ''}${a.optional ? 'O' : ''}${a.computed ? 'C' : ''}${a.sensitive ? 'S' : ''}`;
}

function allFieldNames(): Set<string> {
  const names = new Set<string>();
  for (const kind of ALL_RESOURCE_KINDS) {
    const { create, update, output } = resourceJsonSchemas(kind);
    for (const s of [create, update, output]) for (const path of apiFields(s).keys()) names.add(path.split('.').at(-1)!);
  }
  return names;
}

function parsedCreate(kind: ResourceKindName, body: unknown): Record<string, unknown> {
  const result = parseResource(kind, 'create', body);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const RESERVED = new Set(['count', 'depends_on', 'for_each', 'lifecycle', 'provider', 'provisioner', 'connection']);

// ---- names ----

describe('names', () => {
  it('an attribute is the snake_case of its API field', () => {
    expect(toSnakeCase('loadBalancerId')).toBe('load_balancer_id');
    expect(toSnakeCase('http2Enabled')).toBe('http2_enabled');
    expect(toSnakeCase('caCertificateId')).toBe('ca_certificate_id');
    expect(toSnakeCase('xForwardedFor')).toBe('x_forwarded_for');
    expect(toSnakeCase('fingerprintSha256')).toBe('fingerprint_sha256');
    expect(toSnakeCase('id')).toBe('id');
    expect(toCamelCase('load_balancer_id')).toBe('loadBalancerId');
    expect(toCamelCase('http2_enabled')).toBe('http2Enabled');
    expect(toCamelCase('fingerprint_sha256')).toBe('fingerprintSha256');
  });

  it('resource types are gatehouse_ plus the snake_case of the kind', () => {
    expect(ALL_RESOURCE_KINDS.map(terraformTypeName)).toEqual([
      'gatehouse_load_balancer',
      'gatehouse_listener',
      'gatehouse_quic_listener',
      'gatehouse_certificate',
      'gatehouse_tls_security_policy',
      'gatehouse_server_group',
    ]);
    expect(Object.keys(terraformResourceSchemas())).toEqual(ALL_RESOURCE_KINDS.map(terraformTypeName));
    for (const kind of ALL_RESOURCE_KINDS) expect(kindByTerraformTypeName(terraformTypeName(kind))).toBe(kind);
    expect(kindByTerraformTypeName('gatehouse_nothing')).toBeUndefined();
  });

  it('the mapping is a bijection over every field name of every kind', () => {
    const names = [...allFieldNames()];
    expect(names.length).toBeGreaterThan(60);
    const snakes = new Map<string, string>();
    for (const name of names) {
      const snake = toSnakeCase(name);
      expect(snake).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(toCamelCase(snake), name).toBe(name);
      expect(snakes.get(snake), `${name} collides with ${snakes.get(snake)}`).toBeUndefined();
      snakes.set(snake, name);
    }
  });

  it('no attribute of any schema takes a name Terraform reserves', () => {
    const schemas = [...Object.values(terraformResourceSchemas()), ...Object.values(terraformDataSourceSchemas()), terraformProviderSchema()];
    for (const schema of schemas) {
      for (const path of tfAttributes(schema.block.attributes).keys()) {
        expect(path).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/);
        expect(RESERVED.has(path)).toBe(false);
      }
    }
  });
});

// ---- attributes ----

describe('every API field is an attribute, and every attribute an API field', () => {
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s', (_name, kind) => {
    expect(coverageGaps(kind, terraformResourceSchema(kind))).toEqual({ missing: [], extra: [] });
  });

  it('control: a missing or an invented attribute is found', () => {
    const kind = RESOURCE_KINDS.Listener;
    const schema = terraformResourceSchema(kind);
    const fh = schema.block.attributes.find((a) => a.name === 'forwarded_headers')!;
    const clientIp = fh.nestedType!.attributes.find((a) => a.name === 'client_ip')!;
    clientIp.nestedType!.attributes = clientIp.nestedType!.attributes.filter((a) => a.name !== 'trusted_proxies');
    schema.block.attributes = schema.block.attributes.filter((a) => a.name !== 'status_reason');
    schema.block.attributes.push({ ...schema.block.attributes[0]!, name: 'invented' });
    expect(coverageGaps(kind, schema)).toEqual({ missing: ['forwarded_headers.client_ip.trusted_proxies', 'status_reason'], extra: ['invented'] });
    // The schema handed out is a copy: the next call is whole again.
    expect(coverageGaps(kind, terraformResourceSchema(kind))).toEqual({ missing: [], extra: [] });
  });

  it('objects are nested attributes (SINGLE), arrays of objects LIST, the rest cty types', () => {
    const listener = terraformResourceSchema(RESOURCE_KINDS.Listener);
    for (const path of ['certificates', 'mutual_authentication', 'forwarded_headers', 'forwarded_headers.x_forwarded_for', 'quic']) {
      expect(attr(listener, path).nestedType?.nesting, path).toBe('SINGLE');
      expect(attr(listener, path).type).toBeUndefined();
    }
    const group = terraformResourceSchema(RESOURCE_KINDS.ServerGroup);
    expect(attr(group, 'health_check').nestedType?.nesting).toBe('SINGLE');
    expect(attr(group, 'sticky_session').nestedType?.nesting).toBe('SINGLE');
    expect(attr(group, 'servers').nestedType?.nesting).toBe('LIST');
    expect(attr(group, 'servers.port').type).toBe('number');
    expect(attr(group, 'health_check.codes').type).toEqual(['list', 'string']);
    expect(attr(group, 'tags').type).toEqual(['map', 'string']);
    expect(attr(listener, 'http2_enabled').type).toBe('bool');
    expect(attr(listener, 'certificates.additional_certificate_ids').type).toEqual(['list', 'string']);
    expect(attr(listener, 'id').type).toBe('string');
    expect(attr(listener, 'version').type).toBe('number');
    expect(listener.version).toBe(0);
    expect(listener.block.descriptionKind).toBe('MARKDOWN');
  });
});

describe('required, optional, computed, sensitive', () => {
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: read from the create and output schemas and the facts', (_name, kind) => {
    const { create, output } = resourceJsonSchemas(kind);
    const inputs = apiFields(create);
    const outputs = apiFields(output);
    const secrets = new Set(kind.secretFields.map(toSnakeCase));
    for (const [path, a] of tfAttributes(terraformResourceSchema(kind).block.attributes)) {
      const apiPath = path.split('.').map(toCamelCase).join('.');
      const input = inputs.get(apiPath);
      const name = apiPath.split('.').at(-1)!;
      if (!input) {
        expect(role(a), `${path} is an output only`).toBe('C');
        continue;
      }
      const required = ((input.parent.required as string[] | undefined) ?? []).includes(name);
      expect(a.required, path).toBe(required);
      expect(a.optional, path).toBe(!required);
      expect(a.sensitive, path).toBe(secrets.has(path));
      if (secrets.has(path)) expect(a.computed, `${path}: a write-only secret is not computed`).toBe(false);
      else if (required) expect(a.computed, path).toBe(false);
      // Whatever the server fills (a default, or a value every read carries) is computed.
      else if ('default' in input.node || ((outputs.get(apiPath)?.parent.required as string[] | undefined) ?? []).includes(name)) expect(a.computed, path).toBe(true);
    }
  });

  it('id and the read-only outputs are computed only; id is a string', () => {
    const cert = terraformResourceSchema(RESOURCE_KINDS.Certificate);
    for (const path of ['id', 'version', 'created_at', 'updated_at', 'domains', 'not_after', 'fingerprint_sha256', 'expired']) expect(role(attr(cert, path)), path).toBe('C');
    expect(attr(cert, 'id').type).toBe('string');
    const listener = terraformResourceSchema(RESOURCE_KINDS.Listener);
    for (const path of ['status', 'status_reason']) expect(role(attr(listener, path)), path).toBe('C');
    expect(role(attr(terraformResourceSchema(RESOURCE_KINDS.LoadBalancer), 'status'))).toBe('C');
  });

  it('the private key is sensitive, optional and not computed; nothing else is sensitive', () => {
    const cert = terraformResourceSchema(RESOURCE_KINDS.Certificate);
    expect(role(attr(cert, 'private_key_pem'))).toBe('OS');
    for (const kind of ALL_RESOURCE_KINDS) {
      const sensitive = [...tfAttributes(terraformResourceSchema(kind).block.attributes)].filter(([, a]) => a.sensitive).map(([p]) => p);
      expect(sensitive, kind.name).toEqual(kind.secretFields.map(toSnakeCase));
    }
  });

  it('inputs the server fills are optional and computed, the others optional or required', () => {
    const listener = terraformResourceSchema(RESOURCE_KINDS.Listener);
    expect(role(attr(listener, 'load_balancer_id'))).toBe('R');
    expect(role(attr(listener, 'default_server_group_id'))).toBe('R');
    expect(role(attr(listener, 'description'))).toBe('O');
    expect(role(attr(listener, 'idle_timeout'))).toBe('OC');
    expect(role(attr(listener, 'tags'))).toBe('OC');
    // HTTPS defaults and HTTPS-only entries the server fills on an HTTPS listener.
    for (const path of ['http2_enabled', 'tls_policy_id', 'mutual_authentication', 'quic', 'forwarded_headers.client_cert_subject_dn']) expect(role(attr(listener, path)), path).toBe('OC');
    expect(role(attr(listener, 'mutual_authentication.ca_certificate_id'))).toBe('O');
    expect(role(attr(listener, 'certificates.default_certificate_id'))).toBe('R');
    expect(role(attr(listener, 'certificates.additional_certificate_ids'))).toBe('OC');
    const group = terraformResourceSchema(RESOURCE_KINDS.ServerGroup);
    expect(role(attr(group, 'servers.address'))).toBe('R');
    expect(role(attr(group, 'servers.weight'))).toBe('OC');
    expect(role(attr(group, 'servers.description'))).toBe('O');
    // The check's protocol defaults to the group's: no JSON default, but every read carries it.
    expect(role(attr(group, 'health_check.protocol'))).toBe('OC');
    expect(role(attr(group, 'health_check.host'))).toBe('O');
    expect(role(attr(group, 'sticky_session.cookie'))).toBe('O');
  });
});

describe('descriptions', () => {
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: the emitted ones, facts sentences included', (_name, kind) => {
    const { create, output } = resourceJsonSchemas(kind);
    const inputs = apiFields(create);
    const outputs = apiFields(output);
    const schema = terraformResourceSchema(kind);
    for (const [path, a] of tfAttributes(schema.block.attributes)) {
      const apiPath = path.split('.').map(toCamelCase).join('.');
      const node = (inputs.get(apiPath) ?? outputs.get(apiPath))!.node;
      expect(a.description, path).toBe(node.description ?? '');
      expect(a.descriptionKind).toBe('MARKDOWN');
    }
    expect(schema.block.description.startsWith(create.description as string)).toBe(true);
    for (const rule of kind.rules) expect(schema.block.description).toContain(`- ${rule.description}`);
  });

  it('carry what changing a field does, its default and its secrecy', () => {
    const listener = terraformResourceSchema(RESOURCE_KINDS.Listener);
    expect(attr(listener, 'load_balancer_id').description).toBe('The load balancer the listener belongs to. Changing it replaces the resource.');
    expect(attr(listener, 'idle_timeout').description).toMatch(/Default 15\.$/);
    expect(attr(listener, 'http2_enabled').description).toBe('Offer HTTP/2 by ALPN. HTTPS only: an HTTP listener may not set it. Default on HTTPS: true.');
    expect(attr(listener, 'forwarded_headers.x_forwarded_for.mode').description).toMatch(/Default `append`\.$/);
    expect(attr(terraformResourceSchema(RESOURCE_KINDS.Certificate), 'private_key_pem').description).toMatch(/Secret and write-only: never returned by a read\.$/);
    expect(terraformResourceSchema(RESOURCE_KINDS.Listener).block.description).toContain('Rules:\n- ');
  });
});

describe('requiresReplace', () => {
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: the snake_case of its replace fields, each an attribute', (_name, kind) => {
    const names = requiresReplace(kind);
    expect(names).toEqual(kind.replaceFields.map(toSnakeCase));
    const schema = terraformResourceSchema(kind);
    for (const name of names) expect(attr(schema, name).description).toContain('Changing it replaces the resource.');
    // …and every top-level attribute whose description says so is listed.
    const saying = schema.block.attributes.filter((a) => a.description.includes('Changing it replaces the resource.')).map((a) => a.name);
    expect([...names].sort()).toEqual(saying.sort());
  });

  it('names the listener’s, the load balancer’s and the certificate’s', () => {
    expect(requiresReplace(RESOURCE_KINDS.Listener)).toEqual(['load_balancer_id', 'protocol', 'port']);
    expect(requiresReplace(RESOURCE_KINDS.LoadBalancer)).toEqual(['address']);
    expect(requiresReplace(RESOURCE_KINDS.Certificate)).toEqual(['type']);
    expect(requiresReplace(RESOURCE_KINDS.TlsSecurityPolicy)).toEqual([]);
  });
});

// ---- values ----

let ca: Issued;
let leaf: Issued;
beforeAll(async () => {
  ca = await createCa();
  leaf = await issueCertificate({ commonName: 'web.example.com', dnsNames: ['web.example.com', 'api.example.com'] }, ca);
});

const FULL_HTTPS_LISTENER = {
  loadBalancerId: 'alb-aaaaaaaaaaaaaaaaaaaa',
  protocol: 'HTTPS',
  port: 8443,
  description: 'public front door',
  tags: { 'Cost-Center': 'web', camelKey: 'kept as it is', snake_key: 'too' },
  defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa',
  http2Enabled: false,
  idleTimeout: 30,
  certificates: { defaultCertificateId: 'cert-aaaaaaaaaaaaaaaaaaaa', additionalCertificateIds: ['cert-bbbbbbbbbbbbbbbbbbbb'] },
  tlsPolicyId: 'tls_cipher_policy_1_2',
  mutualAuthentication: { enabled: true, caCertificateId: 'cert-cccccccccccccccccccc' },
  forwardedHeaders: {
    xForwardedFor: { enabled: true, mode: 'remove' },
    clientIp: { enabled: true, trustedProxies: ['10.0.0.0/8', '192.168.1.1'] },
    slbId: true,
    proto: true,
    clientSrcPort: true,
    clientCertSubjectDn: { enabled: true, headerName: 'x-client-dn' },
    clientCertFingerprint: { enabled: true },
  },
  quic: { upgradeEnabled: true, quicListenerId: 'qls-aaaaaaaaaaaaaaaaaaaa' },
};

const SERVER_GROUP = {
  name: 'web servers',
  protocol: 'HTTPS',
  scheduler: 'Wlc',
  servers: [
    { address: '10.0.0.1', port: 8080, weight: 50, description: 'first' },
    { address: 'backend.internal', port: 8081 },
  ],
  healthCheck: { protocol: 'HTTP', method: 'GET', path: '/healthz', host: 'health.internal', codes: ['http_2xx'], interval: 5 },
  stickySession: { enabled: true, type: 'Server', cookie: 'SESSION' },
  connectionDrain: { enabled: true, timeout: 60 },
};

const COMMON_OUTPUTS = { version: 3, createdAt: '2026-01-02T03:04:05.000Z', updatedAt: '2026-01-02T03:04:06.000Z' };

/** Bodies of every kind: [kind, create body, outputs a read adds]. */
function bodies(): [ResourceKindName, Record<string, unknown>, Record<string, unknown>][] {
  const inspected = inspectCertificate({ type: 'Server', certificatePem: leaf.chainPem, privateKeyPem: leaf.keyPem });
  if (!inspected.ok) throw new Error(JSON.stringify(inspected.errors));
  return [
    ['LoadBalancer', { name: 'edge', address: '0.0.0.0', edition: 'StandardWithWaf', deletionProtection: true, tags: { env: 'prod' } }, { id: 'alb-aaaaaaaaaaaaaaaaaaaa', status: 'Active' }],
    ['Listener', FULL_HTTPS_LISTENER, { id: 'lsn-aaaaaaaaaaaaaaaaaaaa', status: 'Running' }],
    ['Listener', { loadBalancerId: 'alb-x', protocol: 'HTTP', port: 80, defaultServerGroupId: 'sgp-x' }, { id: 'lsn-bbbbbbbbbbbbbbbbbbbb', status: 'Failed', statusReason: 'port in use' }],
    ['QuicListener', { loadBalancerId: 'alb-x', port: 8443, defaultServerGroupId: 'sgp-x', certificates: { defaultCertificateId: 'cert-d' } }, { id: 'qls-aaaaaaaaaaaaaaaaaaaa', status: 'Unavailable', statusReason: 'no QUIC stack' }],
    [
      'Certificate',
      { name: 'web', certificatePem: leaf.chainPem, privateKeyPem: leaf.keyPem, tags: { team: 'edge' } },
      { id: 'cert-aaaaaaaaaaaaaaaaaaaa', ...inspected.value, expired: isExpired(inspected.value.notAfter) },
    ],
    ['Certificate', { type: 'CA', name: 'clients', certificatePem: ca.certPem }, { id: 'cert-bbbbbbbbbbbbbbbbbbbb', commonName: 'CA', domains: [], subjectDn: 's', issuerDn: 'i', serialNumber: '01', notBefore: 'a', notAfter: 'b', fingerprintSha256: 'f', keyAlgorithm: 'EC-P256', expired: false }],
    ['TlsSecurityPolicy', { name: 'modern', tlsVersions: ['TLSv1.2', 'TLSv1.3'], ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] }, { id: 'tls-aaaaaaaaaaaaaaaaaaaa', system: false }],
    ['ServerGroup', SERVER_GROUP, { id: 'sgp-aaaaaaaaaaaaaaaaaaaa' }],
  ];
}

/** Every attribute of the schema is a key of the value, at every level, and no other key. */
function expectEveryAttribute(attributes: readonly TerraformAttribute[], value: unknown, where: string): void {
  expect(value, where).not.toBeNull();
  const object = value as Record<string, unknown>;
  expect(Object.keys(object).sort(), where).toEqual(attributes.map((a) => a.name).sort());
  for (const a of attributes) {
    const v = object[a.name];
    expect(v, `${where}.${a.name}`).not.toBeUndefined();
    if (!a.nestedType || v === null) continue;
    if (a.nestedType.nesting === 'LIST') (v as unknown[]).forEach((item, i) => expectEveryAttribute(a.nestedType!.attributes, item, `${where}.${a.name}[${i}]`));
    else expectEveryAttribute(a.nestedType.attributes, v, `${where}.${a.name}`);
  }
}

describe('values', () => {
  it('round trip: a parsed create body → Terraform value → the same body, for every kind', () => {
    for (const [name, body] of bodies()) {
      const kind = RESOURCE_KINDS[name];
      const parsed = parsedCreate(name, body);
      const value = toTerraformValue(kind, parsed);
      expectEveryAttribute(terraformResourceSchema(kind).block.attributes, value, name);
      expect(fromTerraformValue(kind, value), name).toEqual(parsed);
    }
  });

  it('round trip: a read (a valid output body) → Terraform value → the body without its outputs, the secret kept from the prior state', () => {
    for (const [name, body, outputs] of bodies()) {
      const kind = RESOURCE_KINDS[name];
      const parsed = parsedCreate(name, body);
      const { privateKeyPem: _key, ...stored } = parsed;
      const read = kind.output.parse({ ...stored, ...COMMON_OUTPUTS, ...outputs }) as Record<string, unknown>;
      const prior = toTerraformValue(kind, parsed);
      const value = toTerraformValue(kind, read, prior);
      expectEveryAttribute(terraformResourceSchema(kind).block.attributes, value, name);
      expect(value.id).toBe(outputs.id);
      expect(value.created_at).toBe(COMMON_OUTPUTS.createdAt);
      expect(fromTerraformValue(kind, value), name).toEqual(parsed);
      // Without the prior state the read cannot show the secret.
      if (kind.secretFields.length > 0) expect(toTerraformValue(kind, read).private_key_pem).toBeNull();
    }
  });

  it('an HTTPS listener with mutual TLS, the QUIC upgrade and forwarded headers reads as snake_case objects', () => {
    const kind = RESOURCE_KINDS.Listener;
    const value = toTerraformValue(kind, parsedCreate('Listener', FULL_HTTPS_LISTENER));
    expect(value.mutual_authentication).toEqual({ enabled: true, ca_certificate_id: 'cert-cccccccccccccccccccc' });
    expect(value.quic).toEqual({ upgrade_enabled: true, quic_listener_id: 'qls-aaaaaaaaaaaaaaaaaaaa' });
    expect(value.certificates).toEqual({ default_certificate_id: 'cert-aaaaaaaaaaaaaaaaaaaa', additional_certificate_ids: ['cert-bbbbbbbbbbbbbbbbbbbb'] });
    const fh = value.forwarded_headers as TerraformObject;
    expect(fh.x_forwarded_for).toEqual({ enabled: true, mode: 'remove' });
    expect(fh.client_ip).toEqual({ enabled: true, trusted_proxies: ['10.0.0.0/8', '192.168.1.1'] });
    expect(fh.client_cert_subject_dn).toEqual({ enabled: true, header_name: 'x-client-dn' });
    // Filled by the server on HTTPS; an entry without its optional field carries it as null.
    expect(fh.client_cert_issuer_dn).toEqual({ enabled: false, header_name: null });
    // Map keys are data, not names: kept as they are.
    expect(value.tags).toEqual({ 'Cost-Center': 'web', camelKey: 'kept as it is', snake_key: 'too' });
    expect(value.id).toBeNull();
    expect(value.status).toBeNull();
    expect(value.http2_enabled).toBe(false);
  });

  it('an HTTP listener has no HTTPS-only objects: they are null', () => {
    const value = toTerraformValue(RESOURCE_KINDS.Listener, parsedCreate('Listener', { loadBalancerId: 'alb-x', protocol: 'HTTP', port: 80, defaultServerGroupId: 'sgp-x' }));
    for (const name of ['certificates', 'tls_policy_id', 'mutual_authentication', 'quic', 'http2_enabled', 'description']) expect(value[name], name).toBeNull();
    const fh = value.forwarded_headers as TerraformObject;
    expect(fh.client_cert_subject_dn).toBeNull();
    expect(fh.slb_id).toBe(false);
  });

  it('a server group’s servers are a list of objects with every attribute', () => {
    const value = toTerraformValue(RESOURCE_KINDS.ServerGroup, parsedCreate('ServerGroup', SERVER_GROUP));
    expect(value.servers).toEqual([
      { address: '10.0.0.1', port: 8080, weight: 50, description: 'first' },
      { address: 'backend.internal', port: 8081, weight: 100, description: null },
    ]);
    expect(value.sticky_session).toEqual({ enabled: true, type: 'Server', cookie_timeout: 1000, cookie: 'SESSION' });
    expect((value.health_check as TerraformObject).healthy_threshold).toBe(3);
  });

  it('fromTerraformValue drops nulls and outputs, nested alike, and leaves the input alone', () => {
    const kind = RESOURCE_KINDS.ServerGroup;
    const value = toTerraformValue(kind, { ...parsedCreate('ServerGroup', SERVER_GROUP), id: 'sgp-x', ...COMMON_OUTPUTS });
    const before = structuredClone(value);
    const body = fromTerraformValue(kind, value);
    expect(value).toEqual(before);
    for (const name of ['id', 'version', 'createdAt', 'updatedAt']) expect(body).not.toHaveProperty(name);
    expect((body.servers as Record<string, unknown>[])[1]).toEqual({ address: 'backend.internal', port: 8081, weight: 100 });
    const cert = fromTerraformValue(RESOURCE_KINDS.Certificate, { name: 'c', certificate_pem: 'pem', private_key_pem: 'key', type: null, tags: null, domains: ['x'], not_after: 'n', id: 'cert-x' });
    expect(cert).toEqual({ name: 'c', certificatePem: 'pem', privateKeyPem: 'key' });
  });
});

// ---- data sources and the provider ----

describe('data sources', () => {
  it('are gatehouse_tls_policies, gatehouse_certificate and gatehouse_load_balancer', () => {
    expect(Object.keys(terraformDataSourceSchemas()).sort()).toEqual(['gatehouse_certificate', 'gatehouse_load_balancer', 'gatehouse_tls_policies']);
  });

  it('gatehouse_tls_policies lists the system policies: id, tls_versions, ciphers, computed', () => {
    const schema = terraformDataSourceSchemas().gatehouse_tls_policies!;
    expect(schema.block.attributes.map((a) => a.name)).toEqual(['policies']);
    const policies = attr(schema, 'policies');
    expect(role(policies)).toBe('C');
    expect(policies.nestedType?.nesting).toBe('LIST');
    expect(policies.nestedType!.attributes.map((a) => [a.name, role(a), a.type])).toEqual([
      ['id', 'C', 'string'],
      ['tls_versions', 'C', ['list', 'string']],
      ['ciphers', 'C', ['list', 'string']],
    ]);
    const { output } = resourceJsonSchemas(RESOURCE_KINDS.TlsSecurityPolicy);
    expect(attr(schema, 'policies.ciphers').description).toBe(props(output).ciphers!.description);
    const value = toTerraformDataSourceValue('gatehouse_tls_policies', { policies: SYSTEM_TLS_POLICIES });
    expect((value.policies as TerraformObject[]).map((p) => p.id)).toEqual(SYSTEM_TLS_POLICIES.map((p) => p.id));
    expect((value.policies as TerraformObject[])[0]).toEqual({ id: SYSTEM_TLS_POLICIES[0]!.id, tls_versions: [...SYSTEM_TLS_POLICIES[0]!.tlsVersions], ciphers: [...SYSTEM_TLS_POLICIES[0]!.ciphers] });
  });

  it.each([
    ['gatehouse_certificate', RESOURCE_KINDS.Certificate],
    ['gatehouse_load_balancer', RESOURCE_KINDS.LoadBalancer],
  ] as const)('%s is found by name and shows what a read returns, computed, never a secret', (typeName, kind) => {
    const schema = terraformDataSourceSchemas()[typeName]!;
    const { output } = resourceJsonSchemas(kind);
    expect(schema.block.attributes.map((a) => a.name)).toEqual(Object.keys(props(output)).map(toSnakeCase));
    for (const a of schema.block.attributes) {
      expect(role(a), a.name).toBe(a.name === 'name' ? 'R' : 'C');
      expect(a.description).toBe(props(output)[toCamelCase(a.name)]!.description);
    }
    expect(schema.block.attributes.some((a) => a.name === 'private_key_pem')).toBe(false);
    const value = toTerraformDataSourceValue(typeName, { id: 'x-1', name: 'n' });
    expect(value.id).toBe('x-1');
    expect(Object.keys(value)).toHaveLength(schema.block.attributes.length);
  });
});

describe('provider configuration', () => {
  it('endpoint and a sensitive token, optional, described where the Pulumi schema describes them', () => {
    const schema = terraformProviderSchema();
    expect(schema.block.attributes.map((a) => [a.name, a.type, role(a)])).toEqual([
      ['endpoint', 'string', 'O'],
      ['token', 'string', 'OS'],
    ]);
    const pulumi = buildPulumiSchema();
    for (const a of schema.block.attributes) {
      const key = a.name as keyof typeof PROVIDER_CONFIG_PROPERTIES;
      expect(a.description).toBe(PROVIDER_CONFIG_PROPERTIES[key].description);
      expect(a.description).toBe(pulumi.config.variables[key]!.description);
      expect(a.description).toBe(pulumi.provider.inputProperties[key]!.description);
    }
    expect(schema.block.description).toBe(pulumi.provider.description);
    expect(attr(schema, 'endpoint').description).toContain('GATEHOUSE_ENDPOINT');
    expect(attr(schema, 'token').description).toContain('GATEHOUSE_TOKEN');
  });
});
