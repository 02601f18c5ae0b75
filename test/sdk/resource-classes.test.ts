/**
 * SPEC §5: the six resource classes and the Provider in the shape of generated Pulumi SDKs —
 * type tokens, isInstance, static get, Output properties, replaceOnChanges and secrets in the
 * options the engine receives.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import * as gatehouse from '../../sdk/index.ts';
import { createCa, issueCertificate, type Issued } from '../helpers/pki.ts';
import { MockEngine, registered, SECRET_SIG, valueOf } from './mock-engine.ts';

let engine: MockEngine;
let server: Issued;
let ca: Issued;

beforeAll(async () => {
  engine = await MockEngine.install({ extraOutputs: { status: 'Running', version: 1 } });
  ca = await createCa('SDK Test CA');
  server = await issueCertificate({ commonName: 'app.example.test', dnsNames: ['app.example.test'] }, ca);
});

type AnyClass = {
  __pulumiType: string;
  isInstance(obj: unknown): boolean;
  new (name: string, args: never, opts?: pulumi.CustomResourceOptions): pulumi.CustomResource;
};

/** One row per resource: a valid construction and what SPEC says about its replace and secret fields. */
const CLASSES: {
  cls: AnyClass;
  token: string;
  /** Valid arguments (a function: the certificate exists only after beforeAll). */
  args: () => object;
  replaceOnChanges: string[];
  secrets: string[];
  /** A field of the create model and one output-only field that must both be Output properties. */
  fields: string[];
}[] = [
  {
    cls: gatehouse.LoadBalancer,
    token: 'gatehouse:index:LoadBalancer',
    args: () => ({ name: 'edge' }),
    replaceOnChanges: ['address'],
    secrets: [],
    fields: ['name', 'address', 'edition', 'deletionProtection', 'tags', 'status', 'version', 'createdAt', 'updatedAt'],
  },
  {
    cls: gatehouse.Listener,
    token: 'gatehouse:index:Listener',
    args: () => ({ loadBalancerId: 'alb-x', protocol: 'HTTP', port: 8080, defaultServerGroupId: 'sgp-x' }),
    replaceOnChanges: ['loadBalancerId', 'protocol', 'port'],
    secrets: [],
    fields: ['loadBalancerId', 'protocol', 'port', 'certificates', 'forwardedHeaders', 'quic', 'status', 'statusReason'],
  },
  {
    cls: gatehouse.QuicListener,
    token: 'gatehouse:index:QuicListener',
    args: () => ({ loadBalancerId: 'alb-x', port: 8443, defaultServerGroupId: 'sgp-x', certificates: { defaultCertificateId: 'cert-x' } }),
    replaceOnChanges: ['loadBalancerId', 'port'],
    secrets: [],
    fields: ['loadBalancerId', 'port', 'certificates', 'idleTimeout', 'status', 'statusReason'],
  },
  {
    cls: gatehouse.Certificate,
    token: 'gatehouse:index:Certificate',
    args: () => ({ name: 'app', certificatePem: server.chainPem, privateKeyPem: server.keyPem }),
    replaceOnChanges: ['type'],
    secrets: ['privateKeyPem'],
    fields: ['name', 'type', 'certificatePem', 'privateKeyPem', 'domains', 'notAfter', 'fingerprintSha256', 'expired'],
  },
  {
    cls: gatehouse.TlsSecurityPolicy,
    token: 'gatehouse:index:TlsSecurityPolicy',
    args: () => ({ name: 'modern', tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_128_GCM_SHA256'] }),
    replaceOnChanges: [],
    secrets: [],
    fields: ['name', 'tlsVersions', 'ciphers', 'tags', 'system'],
  },
  {
    cls: gatehouse.ServerGroup,
    token: 'gatehouse:index:ServerGroup',
    args: () => ({ name: 'web', servers: [{ address: '127.0.0.1', port: 3000 }] }),
    replaceOnChanges: ['protocol'],
    secrets: [],
    fields: ['name', 'protocol', 'scheduler', 'servers', 'healthCheck', 'stickySession', 'connectionDrain'],
  },
];

function make(row: (typeof CLASSES)[number], name: string, opts?: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const Cls = row.cls as unknown as new (n: string, a: object, o?: pulumi.CustomResourceOptions) => pulumi.CustomResource;
  return new Cls(name, row.args(), opts);
}

describe.each(CLASSES)('$token', (row) => {
  it('carries its type token as __pulumiType and registers under it', async () => {
    expect(row.cls.__pulumiType).toBe(row.token);
    const res = make(row, `${row.token}-token`);
    await registered(res);
    const reg = engine.find(`${row.token}-token`);
    expect(reg.kind).toBe('register');
    expect(reg.type).toBe(row.token);
    expect(reg.custom).toBe(true);
    expect(reg.version).toBe('0.1.0');
  });

  it('registers replaceOnChanges from the replace fields and additionalSecretOutputs from the secret fields', async () => {
    const res = make(row, `${row.token}-opts`);
    await registered(res);
    const reg = engine.find(`${row.token}-opts`);
    expect(reg.replaceOnChanges).toEqual(row.replaceOnChanges);
    expect(reg.additionalSecretOutputs).toEqual(row.secrets);
  });

  it('merges the program options with its own (replaceOnChanges, version)', async () => {
    const res = make(row, `${row.token}-merged`, { replaceOnChanges: ['tags'], version: '9.9.9' });
    await registered(res);
    const reg = engine.find(`${row.token}-merged`);
    expect(reg.replaceOnChanges).toEqual(['tags', ...row.replaceOnChanges]);
    expect(reg.version).toBe('9.9.9');
  });

  it('isInstance recognises its own instances only, by type token (also across SDK copies)', () => {
    const res = make(row, `${row.token}-instance`);
    expect(row.cls.isInstance(res)).toBe(true);
    for (const other of CLASSES.filter((o) => o.cls !== row.cls)) expect(other.cls.isInstance(res)).toBe(false);
    expect(row.cls.isInstance({ __pulumiType: row.token })).toBe(true);
    expect(row.cls.isInstance({ __pulumiType: 'random:index/randomPet:RandomPet' })).toBe(false);
    expect(row.cls.isInstance(undefined)).toBe(false);
    expect(row.cls.isInstance(null)).toBe(false);
  });

  it('exposes input and output fields as Output properties', () => {
    const res = make(row, `${row.token}-outputs`) as unknown as Record<string, unknown>;
    for (const field of row.fields) expect(pulumi.Output.isInstance(res[field]), field).toBe(true);
    expect(pulumi.Output.isInstance(res.id)).toBe(true);
  });

  it('static get reads an existing resource by id without validating the state', async () => {
    const cls = row.cls as unknown as { get(name: string, id: string, state?: unknown): pulumi.CustomResource };
    // A state value that would fail validation as an argument: get must not judge it.
    const res = cls.get(`${row.token}-get`, 'some-id', { tags: { 'gatehouse:owner': 'x' } });
    await registered(res);
    const reg = engine.find(`${row.token}-get`);
    expect(reg.kind).toBe('read');
    expect(reg.type).toBe(row.token);
    expect(reg.id).toBe('some-id');
    expect(await valueOf(res.id)).toBe('some-id');
  });
});

describe('Output values', () => {
  it('resolve from what the engine returns, input and output fields alike', async () => {
    const lb = new gatehouse.LoadBalancer('values-lb', { name: 'edge', edition: 'Basic' });
    expect(await valueOf(lb.name)).toBe('edge');
    expect(await valueOf(lb.edition)).toBe('Basic');
    expect(await valueOf(lb.status)).toBe('Running');
    expect(await valueOf(lb.version)).toBe(1);
    expect(await valueOf(lb.id)).toBe('values-lb-id');
  });

  it('a resource id flows into another resource as an input', async () => {
    const lb = new gatehouse.LoadBalancer('flow-lb', { name: 'edge' });
    const sg = new gatehouse.ServerGroup('flow-sg', { name: 'web' });
    const lsn = new gatehouse.Listener('flow-lsn', { loadBalancerId: lb.id, protocol: 'HTTP', port: 8081, defaultServerGroupId: sg.id });
    await registered(lsn);
    const reg = engine.find('flow-lsn');
    expect(reg.object.loadBalancerId).toBe('flow-lb-id');
    expect(reg.object.defaultServerGroupId).toBe('flow-sg-id');
  });
});

describe('secrets', () => {
  it('Certificate sends privateKeyPem as a secret and certificatePem in the clear', async () => {
    const cert = new gatehouse.Certificate('secret-cert', { name: 'app', certificatePem: server.chainPem, privateKeyPem: server.keyPem });
    await registered(cert);
    const reg = engine.find('secret-cert');
    expect(reg.object.privateKeyPem).toEqual({ [SECRET_SIG.key]: SECRET_SIG.value, value: server.keyPem });
    expect(reg.object.certificatePem).toBe(server.chainPem);
    expect(await pulumi.isSecret(cert.privateKeyPem)).toBe(true);
  });

  it('a CA certificate registers without a key', async () => {
    const cert = new gatehouse.Certificate('secret-ca', { name: 'clients', type: 'CA', certificatePem: ca.certPem });
    await registered(cert);
    const reg = engine.find('secret-ca');
    expect(reg.object.type).toBe('CA');
    expect(reg.object.privateKeyPem).toBeUndefined();
  });
});

describe('Provider', () => {
  it('registers as pulumi:providers:gatehouse with endpoint in the clear and token secret', async () => {
    const provider = new gatehouse.Provider('explicit', { endpoint: 'http://127.0.0.1:9080', token: 's3cret' });
    await registered(provider);
    const reg = engine.find('explicit');
    expect(reg.type).toBe('pulumi:providers:gatehouse');
    expect(reg.object.endpoint).toBe('http://127.0.0.1:9080');
    expect(reg.object.token).toEqual({ [SECRET_SIG.key]: SECRET_SIG.value, value: 's3cret' });
    expect(reg.additionalSecretOutputs).toEqual(['token']);
    expect(reg.version).toBe('0.1.0');
    expect(gatehouse.Provider.isInstance(provider)).toBe(true);
    expect(gatehouse.LoadBalancer.isInstance(provider)).toBe(false);
    expect(gatehouse.Provider.isInstance(new gatehouse.LoadBalancer('not-a-provider', { name: 'edge' }))).toBe(false);
  });

  it('leaves endpoint and token unset when not given (the plugin falls back to its environment)', async () => {
    const provider = new gatehouse.Provider('from-env');
    await registered(provider);
    const reg = engine.find('from-env');
    expect(reg.object.endpoint).toBeUndefined();
    expect(reg.object.token).toBeUndefined();
  });

  it('resources created with an explicit provider reference it', () => {
    const provider = new gatehouse.Provider('for-lb', { endpoint: 'http://127.0.0.1:9081' });
    const lb = new gatehouse.LoadBalancer('with-provider', { name: 'edge' }, { provider });
    expect(lb.getProvider('gatehouse:index:LoadBalancer')).toBe(provider);
  });
});
