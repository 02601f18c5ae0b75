/**
 * Field facts (schema/field-facts.ts): "replaces the resource", "secret", "HTTPS only" and the
 * HTTPS defaults live on the fields; the kinds' lists, the listener's HTTPS defaults and the
 * sentences of every emitted description are read from them, and no description restates them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allResourceJsonSchemas, toJsonSchema } from '../../schema/emit/json-schema.ts';
import { buildPulumiSchema } from '../../schema/emit/pulumi-schema.ts';
import { FACTS_KEY, factSentences, factsOf, fieldsWith, httpsDefaults, httpsOnly, replaces, secret } from '../../schema/field-facts.ts';
import { ALL_RESOURCE_KINDS, RESOURCE_KINDS } from '../../schema/kinds.ts';
import { parseResource } from '../../schema/parse.ts';
import { LISTENER_HTTPS_ONLY_FIELDS } from '../../schema/resources/listener.ts';

const RESOURCES_DIR = join(import.meta.dirname, '../../schema/resources');

describe('facts on a field', () => {
  it('survive the wrappers put around the field and keep its description', () => {
    const port = replaces(z.number().describe('Port.'));
    expect(factsOf(port.optional())).toEqual({ replaces: true });
    expect(factsOf(port.default(80))).toEqual({ replaces: true });
    expect(factsOf(secret(port).optional())).toEqual({ replaces: true, secret: true });
    expect(z.globalRegistry.get(port)?.description).toBe('Port.');
    expect(factsOf(z.string())).toEqual({});
  });

  it('fieldsWith lists the fields declaring a fact in declaration order; httpsDefaults reads the defaults', () => {
    const shape = { a: replaces(z.string()), b: z.string(), c: replaces(z.number()).optional(), d: httpsOnly(z.boolean().optional(), true) };
    expect(fieldsWith(shape, 'replaces')).toEqual(['a', 'c']);
    expect(fieldsWith(shape, 'httpsOnly')).toEqual(['d']);
    expect([...httpsDefaults(shape)]).toEqual([['d', true]]);
  });

  it('make the sentences a description ends with', () => {
    expect(factSentences({ replaces: true }, undefined)).toEqual(['Changing it replaces the resource.']);
    expect(factSentences({ httpsOnly: true, httpsDefault: { enabled: false } }, undefined)).toEqual([
      'HTTPS only: an HTTP listener may not set it.',
      'Default on HTTPS: `{"enabled":false}`.',
    ]);
    expect(factSentences({}, 'Wrr')).toEqual(['Default `Wrr`.']);
    expect(factSentences({}, 15)).toEqual(['Default 15.']);
    expect(factSentences({}, {})).toEqual([]);
    expect(factSentences({ secret: true }, undefined)).toEqual(['Secret and write-only: never returned by a read.']);
  });
});

describe('the kinds read their lists from the facts', () => {
  it('replace and secret fields per kind', () => {
    const lists = Object.fromEntries(ALL_RESOURCE_KINDS.map((k) => [k.name, { replace: k.replaceFields, secret: k.secretFields }]));
    expect(lists).toEqual({
      LoadBalancer: { replace: ['address'], secret: [] },
      Listener: { replace: ['loadBalancerId', 'protocol', 'port'], secret: [] },
      QuicListener: { replace: ['loadBalancerId', 'port'], secret: [] },
      Certificate: { replace: ['type'], secret: ['privateKeyPem'] },
      TlsSecurityPolicy: { replace: [], secret: [] },
      ServerGroup: { replace: ['protocol'], secret: [] },
    });
  });

  it("the listener's HTTPS-only fields, and the defaults an HTTPS listener gets for them", () => {
    expect(LISTENER_HTTPS_ONLY_FIELDS).toEqual(['http2Enabled', 'certificates', 'tlsPolicyId', 'mutualAuthentication', 'quic']);
    const base = { loadBalancerId: 'alb-1', port: 443, defaultServerGroupId: 'sgp-1' };
    const https = parseResource(RESOURCE_KINDS.Listener, 'create', { ...base, protocol: 'HTTPS', certificates: { defaultCertificateId: 'cert-1' } });
    expect(https.ok && https.value).toMatchObject({
      http2Enabled: true,
      tlsPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3',
      mutualAuthentication: { enabled: false },
      quic: { upgradeEnabled: false },
    });
    const http = parseResource(RESOURCE_KINDS.Listener, 'create', { ...base, protocol: 'HTTP' });
    expect(http.ok).toBe(true);
    for (const field of LISTENER_HTTPS_ONLY_FIELDS) expect(http.ok && http.value[field], field).toBeUndefined();
  });
});

describe('emitted descriptions', () => {
  const schemas = allResourceJsonSchemas();

  it('carry no facts key anywhere', () => {
    expect(JSON.stringify(schemas)).not.toContain(`"${FACTS_KEY}"`);
  });

  it('end with the sentences of the facts: every replace and secret field, in the JSON Schemas and the Pulumi schema', () => {
    const pulumi = buildPulumiSchema();
    for (const kind of ALL_RESOURCE_KINDS) {
      const properties = schemas[kind.name].create.properties as Record<string, { description?: string }>;
      const resource = pulumi.resources[kind.token]!;
      for (const field of kind.replaceFields) {
        expect(properties[field]?.description, `${kind.name}.${field}`).toContain('Changing it replaces the resource.');
        expect(resource.inputProperties[field]?.description, `${kind.name}.${field}`).toContain('Changing it replaces the resource.');
      }
      for (const field of kind.secretFields) expect(properties[field]?.description).toContain('Secret and write-only');
      for (const [field, p] of Object.entries(properties)) {
        if (!kind.replaceFields.includes(field)) expect(p.description ?? '', `${kind.name}.${field}`).not.toContain('replaces the resource');
      }
    }
  });

  it('say each default once, from the schema', () => {
    const seconds = toJsonSchema(RESOURCE_KINDS.Listener.create, 'input');
    const idle = (seconds.properties as Record<string, { description: string }>).idleTimeout!.description;
    expect(idle).toBe('A client connection with no request in flight is closed after this time (seconds, 1–600). Default 15.');
    const twice = [...JSON.stringify(schemas).matchAll(/"description":"([^"]*Default [^"]*Default [^"]*)"/g)].map((m) => m[1]);
    expect(twice).toEqual([]);
  });

  it('are never restated in prose in the models: no "(replace", "HTTPS only", "Secret" or "Default <value>." in a description', () => {
    const offenders: string[] = [];
    for (const file of readdirSync(RESOURCES_DIR).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(RESOURCES_DIR, file), 'utf8');
      for (const m of text.matchAll(/\.describe\(\s*(['`])((?:\\.|(?!\1).)*)\1/gs)) {
        const description = m[2]!;
        if (/\(replace|HTTPS only|Secret and write-only|Default (`[^`]*`|true|false|\d+|\[|\$\{)/.test(description)) offenders.push(`${file}: ${description}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the prose check finds a restated fact (control)', () => {
    const text = ".describe('Port of the listener (replace).')";
    const found = [...text.matchAll(/\.describe\(\s*(['`])((?:\\.|(?!\1).)*)\1/gs)].map((m) => m[2]);
    expect(found).toEqual(['Port of the listener (replace).']);
    expect(/\(replace/.test(found[0]!)).toBe(true);
  });
});
