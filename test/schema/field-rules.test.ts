/**
 * Cross-field rules as data (schema/field-rules.ts): each rule names what it reads and says
 * what it requires; the failures it raises carry its id and the absolute paths it read, which
 * the API's problem+json never shows; and every cross-field check of the models is such a rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromFieldErrors } from '../../schema/errors.ts';
import { fieldErrorMap, issuesToFieldErrors } from '../../schema/field-path.ts';
import {
  applyRules,
  crossFieldRule,
  describeConditions,
  forbiddenWhen,
  requiredWhen,
  ruleIssueParams,
  type FieldRule,
} from '../../schema/field-rules.ts';
import { ALL_RESOURCE_KINDS, RESOURCE_KINDS } from '../../schema/kinds.ts';
import { clientIpRules } from '../../schema/resources/forwarded-headers.ts';
import { listenerCertificatesRules } from '../../schema/resources/listener-certificates.ts';
import { stickySessionRules } from '../../schema/resources/server-group.ts';
import { BASE, create, failures, HTTP_LISTENER } from './fixtures.ts';

describe('rule constructors', () => {
  const mtls = requiredWhen('caCertificateId', { path: 'enabled', truthy: true }, undefined, { id: 'ca-required' });

  it('requiredWhen: fails only when the condition holds and the field is not set; an empty list is not set', () => {
    expect(mtls.check({ enabled: true })).toEqual([{ path: ['caCertificateId'], message: 'is required when enabled is true' }]);
    expect(mtls.check({ enabled: true, caCertificateId: 'cert-ca' })).toEqual([]);
    expect(mtls.check({ enabled: false })).toEqual([]);
    const proxies = requiredWhen('trustedProxies', { path: 'enabled', truthy: true });
    expect(proxies.check({ enabled: true, trustedProxies: [] })).toHaveLength(1);
    expect(proxies.check({ enabled: true, trustedProxies: ['10.0.0.0/8'] })).toEqual([]);
  });

  it('forbiddenWhen: fails when the condition holds and the field is present', () => {
    const rule = forbiddenWhen('privateKeyPem', { path: 'type', equals: 'CA' }, undefined, { code: 'VALIDATION_FAILED' });
    expect(rule.check({ type: 'CA', privateKeyPem: 'k' })).toEqual([{ path: ['privateKeyPem'], message: 'may not be set when type is CA', code: 'VALIDATION_FAILED' }]);
    expect(rule.check({ type: 'Server', privateKeyPem: 'k' })).toEqual([]);
    expect(rule.check({ type: 'CA' })).toEqual([]);
  });

  it('a conditional rule is data: its form, reads and a printable description', () => {
    expect(mtls.form).toEqual({ type: 'required', path: 'caCertificateId', when: [{ path: 'enabled', truthy: true }] });
    expect(mtls.reads).toEqual(['enabled', 'caCertificateId']);
    expect(mtls.presenceReads).toEqual(['caCertificateId']);
    expect(mtls.description).toBe('caCertificateId is required when enabled is true.');
    expect(describeConditions([{ path: 'protocol', notEquals: 'HTTP' }, { path: 'quic.upgradeEnabled', truthy: true }])).toBe(
      'protocol is not HTTP and quic.upgradeEnabled is true',
    );
  });

  it('applyRules adds each failure with its code, the rule id, its reads and the relative path length', () => {
    const rule = crossFieldRule<{ a: number; b: number }>({
      id: 'a-below-b',
      description: 'a is below b.',
      reads: ['a', 'b'],
      check: (v) => (v.a < v.b ? [] : [{ path: ['a'], message: 'must be below b', code: 'EDITION_UNSUPPORTED' }]),
    });
    const schema = z.object({ outer: z.object({ inner: z.object({ a: z.number(), b: z.number() }).superRefine(applyRules([rule])) }) });
    const result = schema.safeParse({ outer: { inner: { a: 2, b: 1 } } }, { error: fieldErrorMap });
    expect(result.success).toBe(false);
    const [issue] = result.success ? [] : result.error.issues;
    expect(issue?.path).toEqual(['outer', 'inner', 'a']);
    expect(ruleIssueParams(issue?.code === 'custom' ? issue.params : undefined)).toEqual({
      code: 'EDITION_UNSUPPORTED',
      rule: 'a-below-b',
      reads: ['a', 'b'],
      presenceReads: [],
      relativeLength: 1,
    });
    expect(issuesToFieldErrors(result.success ? [] : result.error.issues)).toEqual([
      {
        path: 'outer.inner.a',
        code: 'EDITION_UNSUPPORTED',
        message: 'must be below b',
        rule: 'a-below-b',
        reads: ['outer.inner.a', 'outer.inner.b'],
        presenceReads: [],
      },
    ]);
  });
});

describe('failures raised by the models’ rules name the rule and the absolute paths it read', () => {
  it('a top-level rule (mutual TLS needs a CA)', () => {
    const [error] = failures(create('Listener', { ...BASE.Listener, mutualAuthentication: { enabled: true } }));
    expect(error).toMatchObject({
      path: 'mutualAuthentication.caCertificateId',
      code: 'VALIDATION_FAILED',
      message: 'is required when mutual authentication is enabled',
      rule: 'mutual-authentication-requires-ca',
      reads: ['protocol', 'mutualAuthentication.enabled', 'mutualAuthentication.caCertificateId'],
      presenceReads: ['mutualAuthentication.caCertificateId'],
    });
  });

  it('a nested object’s rule, wherever the object sits', () => {
    const certificates = { defaultCertificateId: 'cert-a', additionalCertificateIds: ['cert-b', 'cert-b'] };
    for (const kind of ['Listener', 'QuicListener'] as const) {
      const [error] = failures(create(kind, { ...BASE[kind], certificates }));
      expect(error).toMatchObject({ path: 'certificates.additionalCertificateIds[1]', rule: 'additional-certificates-unique', reads: ['certificates.additionalCertificateIds'] });
    }
    const [sticky] = failures(create('ServerGroup', { ...BASE.ServerGroup, stickySession: { enabled: true, type: 'Server' } }));
    expect(sticky).toMatchObject({ path: 'stickySession.cookie', reads: ['stickySession.type', 'stickySession.cookie'] });
    const [clientIp] = failures(create('Listener', { ...HTTP_LISTENER, forwardedHeaders: { clientIp: { enabled: true } } }));
    expect(clientIp).toMatchObject({
      path: 'forwardedHeaders.clientIp.trustedProxies',
      reads: ['forwardedHeaders.clientIp.enabled', 'forwardedHeaders.clientIp.trustedProxies'],
    });
  });

  it('a check of one field carries no rule facts', () => {
    const [error] = failures(create('Listener', { ...HTTP_LISTENER, port: 70000 }));
    expect(error).toEqual({ path: 'port', code: 'VALIDATION_FAILED', message: expect.any(String) });
  });

  it('the problem+json errors[] keeps path, message and code only', () => {
    const errors = failures(create('Listener', { ...HTTP_LISTENER, http2Enabled: true }));
    expect(errors[0]).toMatchObject({ rule: 'https-only-http2Enabled', reads: ['protocol', 'http2Enabled'] });
    const body = fromFieldErrors(errors).toProblem();
    expect(body.errors).toEqual([{ path: 'http2Enabled', code: 'VALIDATION_FAILED', message: 'http2Enabled is HTTPS only; an HTTP listener may not set it' }]);
  });
});

/** fieldExists tells whether a rule's dot path names a field of an object schema (seen through wrappers). */
function fieldExists(schema: z.ZodType, path: string): boolean {
  let s: z.ZodType | undefined = schema;
  for (const seg of path.split('.')) {
    s = unwrap(s);
    if (!(s instanceof z.ZodObject)) return false;
    s = (s.shape as Record<string, z.ZodType>)[seg];
    if (s === undefined) return false;
  }
  return true;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

function expectWellFormed(rules: readonly FieldRule[], schema: z.ZodType): void {
  expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  for (const rule of rules) {
    expect(rule.description.length, rule.id).toBeGreaterThan(10);
    expect(rule.reads.length, rule.id).toBeGreaterThan(0);
    for (const read of rule.reads) expect(fieldExists(schema, read), `${rule.id} reads ${read}`).toBe(true);
    for (const read of rule.presenceReads) expect(rule.reads, rule.id).toContain(read);
  }
}

describe('every kind lists its rules with what they read and require', () => {
  it.each(ALL_RESOURCE_KINDS.map((k) => [k.name, k] as const))('%s: ids unique, descriptions given, reads name real fields', (_name, kind) => {
    expectWellFormed(kind.rules, kind.create);
  });

  it('Listener, Certificate, ServerGroup and TlsSecurityPolicy have rules', () => {
    for (const kind of [RESOURCE_KINDS.Listener, RESOURCE_KINDS.Certificate, RESOURCE_KINDS.ServerGroup, RESOURCE_KINDS.TlsSecurityPolicy]) {
      expect(kind.rules.length, kind.name).toBeGreaterThan(0);
    }
    expect(RESOURCE_KINDS.Listener.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining(['https-only-certificates', 'https-requires-certificates', 'mutual-authentication-requires-ca', 'quic-upgrade-requires-listener']),
    );
    expect(RESOURCE_KINDS.Certificate.rules.map((r) => r.form)).toEqual([
      { type: 'forbidden', path: 'privateKeyPem', when: [{ path: 'type', equals: 'CA' }] },
      { type: 'required', path: 'privateKeyPem', when: [{ path: 'type', equals: 'Server' }] },
    ]);
  });

  it('nested objects keep their rules beside their schema', () => {
    const listener = RESOURCE_KINDS.Listener.create;
    const certificates = (unwrap(listener) as z.ZodObject).shape.certificates as z.ZodType;
    expectWellFormed(listenerCertificatesRules, certificates);
    const group = unwrap(RESOURCE_KINDS.ServerGroup.create) as z.ZodObject;
    expectWellFormed(stickySessionRules, group.shape.stickySession as z.ZodType);
    const fh = unwrap((unwrap(listener) as z.ZodObject).shape.forwardedHeaders as z.ZodType) as z.ZodObject;
    expectWellFormed(clientIpRules, fh.shape.clientIp as z.ZodType);
  });
});

/**
 * objectLevelRefinements finds, in a model's source, every `.superRefine(` / `.refine(` whose
 * receiver is an object literal schema (`z.object({…})` / `z.strictObject({…})`, possibly
 * through `.describe(…)`), and returns the text of each one's argument.
 */
function objectLevelRefinements(source: string): string[] {
  const out: string[] = [];
  for (const match of source.matchAll(/\.(superRefine|refine)\(/g)) {
    let i = match.index - 1;
    // Walk back over the receiver's chain: `)` … `(` pairs and the names between them.
    let receiver = '';
    while (i >= 0) {
      while (i >= 0 && /\s/.test(source[i]!)) i--;
      if (source[i] !== ')') break;
      let depth = 0;
      for (; i >= 0; i--) {
        if (source[i] === ')') depth++;
        else if (source[i] === '(') {
          depth--;
          if (depth === 0) break;
        }
      }
      const nameEnd = i;
      i--;
      while (i >= 0 && /[\w$]/.test(source[i]!)) i--;
      const name = source.slice(i + 1, nameEnd);
      receiver = name;
      if (name === 'object' || name === 'strictObject') break;
      if (source[i] !== '.') break;
      i--;
    }
    if (receiver === 'object' || receiver === 'strictObject') {
      const start = match.index + match[0].length;
      out.push(source.slice(start, source.indexOf('\n', start)));
    }
  }
  return out;
}

describe('every cross-field check of the models is a declared rule', () => {
  const dir = new URL('../../schema/resources/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('finds the object-level refinements it looks for', () => {
    expect(objectLevelRefinements('z.strictObject({ a: z.number() })\n  .superRefine(applyRules(rules))\n')).toEqual(['applyRules(rules))']);
    expect(objectLevelRefinements('z.strictObject({ a: f(1) }).describe("x")\n  .superRefine((v, ctx) => {\n')).toEqual(['(v, ctx) => {']);
    expect(objectLevelRefinements('z.string().min(1)\n  .superRefine((v, ctx) => {\n')).toEqual([]);
  });

  it.each(files)('%s: each refinement of an object schema is applyRules(…)', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    for (const argument of objectLevelRefinements(source)) expect(argument, file).toMatch(/^applyRules\(/);
  });

  it('the models apply rules where they have cross-field checks', () => {
    const applied = files.filter((f) => readFileSync(new URL(f, dir), 'utf8').includes('.superRefine(applyRules('));
    expect(applied.sort()).toEqual(['certificate.ts', 'forwarded-headers.ts', 'listener-certificates.ts', 'listener.ts', 'server-group.ts', 'tls-security-policy.ts']);
  });
});
