/**
 * SPEC §5 plan-time validation: a resource class throws at construction for a known bad value,
 * naming the resource and the property, before anything is registered; the same fields given
 * as values not known yet (Outputs, Promises) never throw.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../schema/errors.ts';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import { knownInputErrors } from '../../sdk/plan-validation.ts';
import * as gatehouse from '../../sdk/index.ts';
import { createCa, issueCertificate, type Issued } from '../helpers/pki.ts';
import { MockEngine, registered } from './mock-engine.ts';

let engine: MockEngine;
let server: Issued;
let ca: Issued;
let lbId: pulumi.Output<string>;
let sgId: pulumi.Output<string>;

beforeAll(async () => {
  engine = await MockEngine.install();
  ca = await createCa('Plan Test CA');
  server = await issueCertificate({ commonName: 'app.example.test', dnsNames: ['app.example.test'] }, ca);
  lbId = new gatehouse.LoadBalancer('shared-lb', { name: 'edge' }).id;
  sgId = new gatehouse.ServerGroup('shared-sg', { name: 'web' }).id;
});

type Build = (name: string, value: unknown) => pulumi.CustomResource;

const https = (extra: Record<string, unknown>): Build => (name, value) =>
  new gatehouse.Listener(name, {
    loadBalancerId: lbId,
    protocol: 'HTTPS',
    port: 443,
    defaultServerGroupId: sgId,
    certificates: { defaultCertificateId: 'cert-aaaaaaaaaaaaaaaaaaaa' },
    ...substitute(extra, value),
  });

const http = (extra: Record<string, unknown>): Build => (name, value) =>
  new gatehouse.Listener(name, {
    loadBalancerId: lbId,
    protocol: 'HTTP',
    port: 80,
    defaultServerGroupId: sgId,
    ...substitute(extra, value),
  });

/** VALUE marks where a row's value goes inside its arguments. */
const VALUE = Symbol('value');

function substitute(tree: Record<string, unknown>, value: unknown): Record<string, unknown>;
function substitute(tree: unknown, value: unknown): unknown;
function substitute(tree: unknown, value: unknown): unknown {
  if (tree === VALUE) return value;
  if (Array.isArray(tree)) return tree.map((t) => substitute(t, value));
  if (tree && typeof tree === 'object') return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, substitute(v, value)]));
  return tree;
}

/**
 * The table: a construction with one bad known value, the property path the error must name,
 * and the code. The first three are SPEC §5's own examples.
 */
const BAD: { what: string; token: string; build: Build; value: unknown; path: string; code: string }[] = [
  { what: 'port 70000', token: 'gatehouse:index:Listener', build: https({ port: VALUE }), value: 70000, path: 'port', code: 'VALIDATION_FAILED' },
  { what: 'idleTimeout 0', token: 'gatehouse:index:Listener', build: https({ idleTimeout: VALUE }), value: 0, path: 'idleTimeout', code: 'VALIDATION_FAILED' },
  {
    what: 'a reserved header name',
    token: 'gatehouse:index:Listener',
    build: https({ forwardedHeaders: { clientCertSubjectDn: { enabled: true, headerName: VALUE } } }),
    value: 'x-forwarded-for',
    path: 'forwardedHeaders.clientCertSubjectDn.headerName',
    code: 'RESERVED_HEADER_NAME',
  },
  {
    what: 'an HTTPS-only field on an HTTP listener (http2Enabled)',
    token: 'gatehouse:index:Listener',
    build: http({ http2Enabled: VALUE }),
    value: true,
    path: 'http2Enabled',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'an HTTPS-only field on an HTTP listener (certificates)',
    token: 'gatehouse:index:Listener',
    build: http({ certificates: VALUE }),
    value: { defaultCertificateId: 'cert-aaaaaaaaaaaaaaaaaaaa' },
    path: 'certificates',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a client-certificate header on an HTTP listener',
    token: 'gatehouse:index:Listener',
    build: http({ forwardedHeaders: { clientCertFingerprint: VALUE } }),
    value: { enabled: true },
    path: 'forwardedHeaders.clientCertFingerprint',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a tag key starting with gatehouse: (LoadBalancer)',
    token: 'gatehouse:index:LoadBalancer',
    build: (n, v) => new gatehouse.LoadBalancer(n, { name: 'edge', tags: v as Record<string, string> }),
    value: { team: 'a', 'gatehouse:owner': 'team-a' },
    path: 'tags["gatehouse:owner"]',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a tag key starting with Gatehouse: (ServerGroup, any case)',
    token: 'gatehouse:index:ServerGroup',
    build: (n, v) => new gatehouse.ServerGroup(n, { name: 'web', tags: v as Record<string, string> }),
    value: { 'Gatehouse:x': 'x' },
    path: 'tags["Gatehouse:x"]',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'QUIC requestTimeout 601',
    token: 'gatehouse:index:QuicListener',
    build: (n, v) =>
      new gatehouse.QuicListener(n, {
        loadBalancerId: lbId,
        port: 443,
        defaultServerGroupId: sgId,
        certificates: { defaultCertificateId: 'cert-aaaaaaaaaaaaaaaaaaaa' },
        requestTimeout: v as number,
      }),
    value: 601,
    path: 'requestTimeout',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a server weight of 101',
    token: 'gatehouse:index:ServerGroup',
    build: (n, v) => new gatehouse.ServerGroup(n, { name: 'web', servers: [{ address: '10.0.0.1', port: 80 }, { address: '10.0.0.2', port: 80, weight: v as number }] }),
    value: 101,
    path: 'servers[1].weight',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a health-check interval of 51',
    token: 'gatehouse:index:ServerGroup',
    build: (n, v) => new gatehouse.ServerGroup(n, { name: 'web', healthCheck: { interval: v as number } }),
    value: 51,
    path: 'healthCheck.interval',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a cipher no chosen TLS version supports',
    token: 'gatehouse:index:TlsSecurityPolicy',
    build: (n, v) => new gatehouse.TlsSecurityPolicy(n, { name: 'modern', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_128_GCM_SHA256', v as 'AES128-SHA'] }),
    value: 'AES128-SHA',
    path: 'ciphers[1]',
    code: 'VALIDATION_FAILED',
  },
  {
    what: 'a certificate PEM that does not parse',
    token: 'gatehouse:index:Certificate',
    build: (n, v) => new gatehouse.Certificate(n, { name: 'app', certificatePem: v as string, privateKeyPem: pulumi.secret('k') }),
    value: 'not a certificate',
    path: 'certificatePem',
    code: 'CERT_INVALID_PEM',
  },
  {
    what: 'a private key on a CA certificate',
    token: 'gatehouse:index:Certificate',
    build: (n, v) => new gatehouse.Certificate(n, { name: 'clients', type: 'CA', certificatePem: ca.certPem, privateKeyPem: v as string }),
    value: 'any key',
    path: 'privateKeyPem',
    code: 'VALIDATION_FAILED',
  },
];

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('a known bad value throws at construction, naming resource and property', () => {
  it.each(BAD)('$what', async (row) => {
    const name = `bad-${BAD.indexOf(row)}`;
    const err = thrown(() => row.build(name, row.value));
    expect(err).toBeInstanceOf(GatehouseError);
    const e = err as GatehouseError;
    expect(e.message).toContain(`${row.token} "${name}": `);
    expect(e.message).toContain(`${row.path}: `);
    expect(e.code).toBe(row.code);
    expect(e.errors.map((f) => f.path)).toEqual([row.path]);
    // Nothing reached the engine.
    await new Promise((r) => setTimeout(r, 20));
    expect(engine.registrations.some((r) => r.name === name)).toBe(false);
  });

  it('the message reads like SPEC §5 (port 70000 on the listener "web")', () => {
    const err = thrown(() => new gatehouse.Listener('web', { loadBalancerId: lbId, protocol: 'HTTP', port: 70000, defaultServerGroupId: sgId })) as Error;
    expect(err.message).toMatch(/^VALIDATION_FAILED: gatehouse:index:Listener "web": port: .*65535/);
  });

  it('every failure is reported at once', () => {
    const err = thrown(() =>
      new gatehouse.Listener('many', { loadBalancerId: lbId, protocol: 'HTTP', port: 0, idleTimeout: 0, defaultServerGroupId: sgId, tags: { 'gatehouse:x': '' } }),
    ) as GatehouseError;
    expect(err.errors.map((e) => e.path).sort()).toEqual(['idleTimeout', 'port', 'tags["gatehouse:x"]']);
  });

  it('a required field that is absent (not merely unknown) is reported', () => {
    const err = thrown(() => new gatehouse.Listener('no-port', { loadBalancerId: lbId, protocol: 'HTTP', defaultServerGroupId: sgId } as unknown as gatehouse.ListenerArgs)) as GatehouseError;
    expect(err.errors).toEqual([{ path: 'port', code: 'VALIDATION_FAILED', message: 'is required' }]);
  });
});

/** The forms a value takes when the program does not know it yet at construction time. */
const NOT_KNOWN_YET: { form: string; wrap: (v: unknown) => unknown }[] = [
  { form: 'an Output that is unknown', wrap: () => pulumi.deferredOutput<unknown>()[0] },
  { form: 'an Output of the bad value', wrap: (v) => pulumi.output(v) },
  { form: 'a secret Output of the bad value', wrap: (v) => pulumi.secret(v) },
  { form: 'a Promise of the bad value', wrap: (v) => Promise.resolve(v) },
];

describe('the same fields given as values not known yet do not throw', () => {
  const rows = BAD.flatMap((row) => NOT_KNOWN_YET.map((f) => ({ ...row, form: f.form, wrap: f.wrap })));
  it.each(rows)('$what, as $form', (row) => {
    const name = `unknown-${BAD.findIndex((b) => b.what === row.what)}-${NOT_KNOWN_YET.findIndex((f) => f.form === row.form)}`;
    const res = row.build(name, row.wrap(row.value));
    expect(res).toBeDefined();
  });
});

describe('rules across fields hold only when they hold for every value an unknown may take', () => {
  it('certificates on a listener whose protocol is unknown: no error (it may be HTTPS)', () => {
    expect(() => http({ protocol: VALUE, certificates: { defaultCertificateId: 'cert-aaaaaaaaaaaaaaaaaaaa' } })('proto-unknown', pulumi.output('HTTPS'))).not.toThrow();
  });

  it('certificates on a known HTTP listener whose certificate id is unknown: still an error', () => {
    const err = thrown(() => http({ certificates: { defaultCertificateId: VALUE } })('cert-id-unknown', pulumi.output('cert-x'))) as GatehouseError;
    expect(err.errors.map((e) => e.path)).toEqual(['certificates']);
  });

  it('HTTPS-only fields are checked even though loadBalancerId and defaultServerGroupId are Outputs', () => {
    // lbId and sgId are resource Outputs: the object rule must still run on stand-ins for them.
    const err = thrown(() => http({ tlsPolicyId: VALUE })('policy-on-http', 'tls_cipher_policy_1_2')) as GatehouseError;
    expect(err.errors.map((e) => e.path)).toEqual(['tlsPolicyId']);
  });

  it('mutual TLS enabled by an unknown value without a CA: no error; enabled by true: an error', () => {
    expect(() => https({ mutualAuthentication: { enabled: VALUE } })('mtls-unknown', pulumi.output(true))).not.toThrow();
    const err = thrown(() => https({ mutualAuthentication: { enabled: VALUE } })('mtls-known', true)) as GatehouseError;
    expect(err.errors.map((e) => e.path)).toEqual(['mutualAuthentication.caCertificateId']);
  });

  it('an unknown cipher may be one TLS 1.3 supports: no error', () => {
    expect(() => new gatehouse.TlsSecurityPolicy('cipher-unknown', { name: 'modern', tlsVersions: ['TLSv1.3'], ciphers: [pulumi.output('TLS_AES_128_GCM_SHA256')] })).not.toThrow();
  });

  it('two unknown certificate ids are not taken for duplicates of each other or of the default', () => {
    const id = pulumi.output('cert-x');
    expect(
      () =>
        new gatehouse.Listener('ids-unknown', {
          loadBalancerId: lbId,
          protocol: 'HTTPS',
          port: 443,
          defaultServerGroupId: sgId,
          certificates: { defaultCertificateId: id, additionalCertificateIds: [id, id] },
        }),
    ).not.toThrow();
  });

  it('a server whose port is unknown is not taken for a duplicate', () => {
    expect(() => new gatehouse.ServerGroup('port-unknown', { name: 'web', servers: [{ address: 'a.example', port: 80 }, { address: 'a.example', port: pulumi.output(80) }] })).not.toThrow();
  });

  it('a Server certificate whose key is a secret Output: the PEM is still inspected, the key is not required', async () => {
    const ok = new gatehouse.Certificate('key-unknown', { name: 'app', certificatePem: server.chainPem, privateKeyPem: pulumi.secret(server.keyPem) });
    await registered(ok);
    const err = thrown(() => new gatehouse.Certificate('pem-bad-key-unknown', { name: 'app', certificatePem: 'garbage', privateKeyPem: pulumi.secret(server.keyPem) })) as GatehouseError;
    expect(err.errors.map((e) => e.path)).toEqual(['certificatePem']);
  });

  it('a known key that does not match the certificate is refused at plan time', async () => {
    const other = await issueCertificate({ commonName: 'other.example.test' }, ca);
    const err = thrown(() => new gatehouse.Certificate('key-mismatch', { name: 'app', certificatePem: server.chainPem, privateKeyPem: other.keyPem })) as GatehouseError;
    expect(err.code).toBe('CERT_KEY_MISMATCH');
    expect(err.errors.map((e) => e.path)).toEqual(['privateKeyPem']);
  });
});

describe('a failure is left out only when it could change with an unknown value', () => {
  const pathsOf = (f: () => unknown): string[] => {
    const err = thrown(f);
    if (err === undefined) return [];
    expect(err).toBeInstanceOf(GatehouseError);
    return (err as GatehouseError).errors.map((e) => e.path);
  };

  it('mutual TLS enabled by an unknown value without a CA: the rule is skipped, a bad port beside it is still reported', () => {
    expect(pathsOf(() => https({ port: 70000, mutualAuthentication: { enabled: VALUE } })('mtls-unknown-bad-port', pulumi.output(true)))).toEqual(['port']);
  });

  it('mutual TLS known enabled without a CA on a listener whose protocol is unknown: skipped (the rule reads the protocol)', () => {
    expect(pathsOf(() => https({ protocol: VALUE, mutualAuthentication: { enabled: true } })('mtls-protocol-unknown', pulumi.output('HTTPS')))).toEqual([]);
  });

  it('a rule reading only known values is reported although other fields are unknown', () => {
    const build = http({ description: VALUE, tags: { team: VALUE }, http2Enabled: true });
    expect(pathsOf(() => build('http2-on-http-others-unknown', pulumi.output('x')))).toEqual(['http2Enabled']);
    const quic = https({ tlsPolicyId: VALUE, quic: { upgradeEnabled: true } });
    expect(pathsOf(() => quic('quic-without-listener', pulumi.output('tls_cipher_policy_1_2')))).toEqual(['quic.quicListenerId']);
  });

  it('a known duplicate certificate is reported while the rule reading the unknown default certificate is skipped', () => {
    const build = https({ certificates: { defaultCertificateId: VALUE, additionalCertificateIds: ['cert-b', 'cert-b'] } });
    expect(pathsOf(() => build('dup-with-unknown-default', pulumi.output('cert-b')))).toEqual(['certificates.additionalCertificateIds[1]']);
  });

  it('a TLS policy with a gap in its versions is reported although one cipher is unknown; cipher compatibility is not', () => {
    const err = pathsOf(
      () => new gatehouse.TlsSecurityPolicy('gap-cipher-unknown', { name: 'gap', tlsVersions: ['TLSv1.0', 'TLSv1.2'], ciphers: ['AES128-SHA', pulumi.output('AES256-SHA')] }),
    );
    expect(err).toEqual(['tlsVersions']);
  });

  it('a check over a whole list is not reported when an element of the list is unknown', () => {
    const codes = [pulumi.output('http_3xx'), 'http_2xx'] as unknown as ('http_2xx' | 'http_3xx')[];
    expect(pathsOf(() => new gatehouse.ServerGroup('codes-unknown', { name: 'web', healthCheck: { codes } }))).toEqual([]);
  });

  it('one parse whatever the number of unknowns', () => {
    let parses = 0;
    const counted = Object.create(RESOURCE_KINDS.Listener.create, {
      safeParse: {
        value: (...args: Parameters<typeof RESOURCE_KINDS.Listener.create.safeParse>) => {
          parses += 1;
          return RESOURCE_KINDS.Listener.create.safeParse(...args);
        },
      },
    }) as typeof RESOURCE_KINDS.Listener.create;
    const kind = { ...RESOURCE_KINDS.Listener, create: counted };
    const unknown = <T>(v: T) => pulumi.output(v);
    const errors = knownInputErrors(kind, {
      loadBalancerId: unknown('alb-x'),
      protocol: unknown('HTTPS'),
      port: unknown(443),
      defaultServerGroupId: unknown('sgp-x'),
      http2Enabled: unknown(true),
      idleTimeout: unknown(15),
      requestTimeout: unknown(60),
      compressionEnabled: unknown(true),
      certificates: { defaultCertificateId: unknown('cert-a'), additionalCertificateIds: [unknown('cert-b'), unknown('cert-c')] },
      tlsPolicyId: unknown('tls_cipher_policy_1_2'),
      mutualAuthentication: { enabled: unknown(false), caCertificateId: unknown('cert-ca') },
      quic: { upgradeEnabled: unknown(false) },
      forwardedHeaders: { clientIp: { enabled: unknown(false), trustedProxies: [unknown('10.0.0.0/8')] }, proto: unknown(true) },
    });
    expect(errors).toEqual([]);
    expect(parses).toBe(1);
  });
});
