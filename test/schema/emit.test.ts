import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_RESOURCE_KINDS, allResourceJsonSchemas, buildPulumiSchema, renderPulumiSchema } from '../../schema/index.ts';

const root = new URL('../../', import.meta.url);
const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;

describe('Pulumi package schema (SPEC §5)', () => {
  it('the committed schema/pulumi/schema.json equals a fresh build (run `npm run gen:schema` after changing a model)', () => {
    const committed = readFileSync(new URL('schema/pulumi/schema.json', root), 'utf8');
    expect(renderPulumiSchema({ version })).toBe(committed);
  });

  const schema = buildPulumiSchema({ version });

  it('names the package gatehouse and has one resource per kind under gatehouse:index:<Kind>', () => {
    expect(schema.name).toBe('gatehouse');
    expect(Object.keys(schema.resources).sort()).toEqual(
      ['Certificate', 'Listener', 'LoadBalancer', 'QuicListener', 'ServerGroup', 'TlsSecurityPolicy'].map((k) => `gatehouse:index:${k}`),
    );
    expect(schema.language.nodejs).toMatchObject({ packageName: '@gatehouse/pulumi' });
  });

  it('carries the language sections gen-sdk reads for Node.js, Python, Go and .NET', () => {
    expect(schema.language.python).toMatchObject({ packageName: 'pulumi_gatehouse', requires: { pulumi: '>=3.0.0,<4.0.0' } });
    expect(schema.language.go).toMatchObject({ importBasePath: expect.stringMatching(/\/sdk\/go\/gatehouse$/) });
    expect(schema.language.csharp).toMatchObject({ rootNamespace: 'Gatehouse', packageReferences: { Pulumi: '3.*' } });
  });

  it('carries the plugin download placeholder, a publisher\'s URL instead, or no location when none is configured', () => {
    expect(schema.pluginDownloadURL).toBe('https://plugins.example.com/gatehouse/v${VERSION}');
    expect(buildPulumiSchema({ version, pluginDownloadURL: 'https://dl.corp.test/gatehouse/v${VERSION}' }).pluginDownloadURL).toBe('https://dl.corp.test/gatehouse/v${VERSION}');
    expect('pluginDownloadURL' in buildPulumiSchema({ version, pluginDownloadURL: null })).toBe(false);
  });

  it('has provider config endpoint and secret token with their environment fallbacks', () => {
    for (const props of [schema.config.variables, schema.provider.inputProperties]) {
      expect(props.endpoint).toMatchObject({ type: 'string', defaultInfo: { environment: ['GATEHOUSE_ENDPOINT'] } });
      expect(props.endpoint?.secret).toBeUndefined();
      expect(props.token).toMatchObject({ type: 'string', secret: true, defaultInfo: { environment: ['GATEHOUSE_TOKEN'] } });
    }
  });

  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: replace fields, secrets, required inputs and descriptions', (_name, kind) => {
    const res = schema.resources[kind.token]!;
    for (const field of kind.replaceFields) {
      expect(res.inputProperties[field]?.replaceOnChanges, field).toBe(true);
      expect(res.properties[field]?.replaceOnChanges, field).toBe(true);
    }
    const flagged = Object.entries(res.inputProperties).filter(([, p]) => p.replaceOnChanges).map(([n]) => n);
    expect(flagged.sort()).toEqual([...kind.replaceFields].sort());
    for (const field of kind.secretFields) {
      expect(res.inputProperties[field]?.secret).toBe(true);
      expect(res.properties[field]?.secret).toBe(true);
    }
    expect(res.properties.id).toBeUndefined();
    for (const field of kind.outputFields) expect(res.properties[field], field).toBeDefined();
    for (const p of [...Object.values(res.inputProperties), ...Object.values(res.properties)]) expect(p.description).toBeTruthy();
  });

  it('marks privateKeyPem secret and requires only name and certificatePem on Certificate', () => {
    const cert = schema.resources['gatehouse:index:Certificate']!;
    expect(cert.inputProperties.privateKeyPem?.secret).toBe(true);
    expect(cert.requiredInputs.sort()).toEqual(['certificatePem', 'name']);
    expect(cert.required).not.toContain('privateKeyPem');
  });

  it('puts nested objects under types with their own properties and descriptions', () => {
    const listener = schema.resources['gatehouse:index:Listener']!;
    expect(listener.inputProperties.forwardedHeaders?.$ref).toBe('#/types/gatehouse:index:ListenerForwardedHeaders');
    const fh = schema.types['gatehouse:index:ListenerForwardedHeaders']!;
    expect(fh.properties.clientIp?.$ref).toBe('#/types/gatehouse:index:ListenerForwardedHeadersClientIp');
    const server = schema.types['gatehouse:index:ServerGroupServer']!;
    expect(server.required?.sort()).toEqual(['address', 'port']);
    for (const type of Object.values(schema.types)) {
      for (const p of Object.values(type.properties)) expect(p.description).toBeTruthy();
    }
  });

  it('never gives an HTTPS-only listener field a default (the SDK would send it on HTTP listeners)', () => {
    const listener = schema.resources['gatehouse:index:Listener']!;
    for (const field of ['http2Enabled', 'tlsPolicyId', 'certificates', 'mutualAuthentication', 'quic']) {
      expect(listener.inputProperties[field]?.default, field).toBeUndefined();
    }
    expect(listener.inputProperties.idleTimeout?.default).toBe(15);
  });
});

describe('JSON Schema per resource', () => {
  const all = allResourceJsonSchemas();
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: create rejects unknown keys, output includes outputs', (name, kind) => {
    const s = all[name];
    expect(s.create.additionalProperties).toBe(false);
    expect(s.update.additionalProperties).toBe(false);
    const outProps = Object.keys(s.output.properties as object);
    for (const f of ['id', 'version', 'createdAt', 'updatedAt', ...kind.outputFields]) expect(outProps).toContain(f);
    for (const f of kind.secretFields) expect(outProps).not.toContain(f);
  });
});
