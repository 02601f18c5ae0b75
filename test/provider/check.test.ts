/**
 * Check (SPEC §5): schema validation with property paths, unknowns passed through (no
 * "required" for a field that is only unknown), secrets kept secret, defaults applied, and the
 * server's dry run for live rules — references, editions, rule P — without the resource ever
 * conflicting with itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, listenerInputs, T, useBasics, useProviderFixture, type Deployed } from './support/fixture.ts';
import { isSecret, secret, UNKNOWN } from './support/plugin.ts';

const fx = useProviderFixture();
const base = useBasics(fx, 'check');
let held: Deployed;
let heldPort: number;

beforeAll(async () => {
  heldPort = await freePort();
  held = await fx.deploy(T.Listener, 'held', listenerInputs(base, 'HTTP', heldPort));
});

describe('schema validation', () => {
  it('reports each failure with its property path, and a known bad value', async () => {
    const res = await fx.plugin.check(T.Listener, 'bad', {}, listenerInputs(base, 'HTTP', 70000, { idleTimeout: 0, forwardedHeaders: { clientIp: { enabled: true } } }));
    const byPath = Object.fromEntries(res.failures.map((f) => [f.property, f.reason]));
    expect(Object.keys(byPath).sort()).toEqual(['forwardedHeaders.clientIp.trustedProxies', 'idleTimeout', 'port']);
    expect(byPath.port).toContain('VALIDATION_FAILED');
  });

  it('a reserved header name is reported with its own code at its path', async () => {
    const res = await fx.plugin.check(T.Listener, 'hdr', {}, listenerInputs(base, 'HTTPS', 443, {
      certificates: { defaultCertificateId: 'cert-aaaaaaaaaaaaaaaaaaaa' },
      forwardedHeaders: { clientCertSubjectDn: { enabled: true, headerName: 'x-forwarded-for' } },
    }));
    expect(res.failures).toEqual([{ property: 'forwardedHeaders.clientCertSubjectDn.headerName', reason: expect.stringContaining('RESERVED_HEADER_NAME') }]);
  });

  it('passes unknowns through: no "required" for them, defaults applied around them', async () => {
    const res = await fx.plugin.check(T.Listener, 'preview', {}, {
      loadBalancerId: UNKNOWN,
      protocol: 'HTTPS',
      port: 8443,
      defaultServerGroupId: UNKNOWN,
      certificates: { defaultCertificateId: UNKNOWN },
    });
    expect(res.failures).toEqual([]);
    expect(res.inputs.loadBalancerId).toBe(UNKNOWN);
    expect(res.inputs.certificates).toEqual({ defaultCertificateId: UNKNOWN, additionalCertificateIds: [] });
    expect(res.inputs.idleTimeout).toBe(15);
    expect(res.inputs.http2Enabled).toBe(true);
  });

  it('still reports known failures next to unknown fields', async () => {
    const res = await fx.plugin.check(T.Listener, 'mixed', {}, { loadBalancerId: UNKNOWN, protocol: 'HTTP', port: 0, defaultServerGroupId: UNKNOWN });
    expect(res.failures.map((f) => f.property)).toEqual(['port']);
  });

  it('a rule that reads an unknown value waits for it; the same rule on known values is reported', async () => {
    const cert = await fx.serverCert();
    const unknownType = await fx.plugin.check(T.Certificate, 'later-type', {}, { name: 'later-type', type: UNKNOWN, certificatePem: cert.chainPem });
    expect(unknownType.failures).toEqual([]);
    const server = await fx.plugin.check(T.Certificate, 'no-key', {}, { name: 'no-key', type: 'Server', certificatePem: cert.chainPem });
    expect(server.failures.map((f) => f.property)).toEqual(['privateKeyPem']);
    expect(server.failures[0]!.reason).toContain('is required for a Server certificate');
  });

  it('keeps secrets secret and makes privateKeyPem secret even when sent plain', async () => {
    const cert = await fx.serverCert();
    const res = await fx.plugin.check(T.Certificate, 'site', {}, { name: 'site', certificatePem: cert.chainPem, privateKeyPem: cert.keyPem, tags: secret({ owner: 'ops' }) });
    expect(res.failures).toEqual([]);
    expect(isSecret(res.inputs.privateKeyPem)).toBe(true);
    expect((res.inputs.privateKeyPem as { value: string }).value).toBe(cert.keyPem);
    expect(isSecret(res.inputs.tags)).toBe(true);
    expect(res.inputs.type).toBe('Server');
  });

  it('checks certificate material locally: a key that does not match is reported', async () => {
    const cert = await fx.serverCert();
    const other = await (await import('../helpers/pki.ts')).createCa('Other');
    const res = await fx.plugin.check(T.Certificate, 'mismatch', {}, { name: 'mismatch', certificatePem: cert.certPem, privateKeyPem: secret(other.keyPem) });
    expect(res.failures).toEqual([{ property: 'privateKeyPem', reason: expect.stringContaining('CERT_KEY_MISMATCH') }]);
  });
});

describe('live rules through the dry run', () => {
  it('a reference to a missing resource fails at its path', async () => {
    const res = await fx.plugin.check(T.Listener, 'dangling', {}, { loadBalancerId: 'alb-aaaaaaaaaaaaaaaaaaaa', protocol: 'HTTP', port: 8080, defaultServerGroupId: base.group.id });
    expect(res.failures).toEqual([{ property: 'loadBalancerId', reason: expect.stringContaining('REFERENCE_NOT_FOUND') }]);
  });

  it('a port held by another listener is a PORT_CONFLICT naming the holder', async () => {
    const res = await fx.plugin.check(T.Listener, 'intruder', {}, listenerInputs(base, 'HTTP', heldPort));
    expect(res.failures).toEqual([{ property: 'port', reason: expect.stringMatching(new RegExp(`${held.id}.*PORT_CONFLICT`)) }]);
  });

  it('an edition rule of the load balancer is reported (client IP on Basic)', async () => {
    const basic = await fx.deploy(T.LoadBalancer, 'basic-lb', { name: 'basic', edition: 'Basic' });
    const res = await fx.plugin.check(T.Listener, 'on-basic', {}, {
      loadBalancerId: basic.id,
      protocol: 'HTTP',
      port: 8081,
      defaultServerGroupId: base.group.id,
      forwardedHeaders: { clientIp: { enabled: true, trustedProxies: ['10.0.0.0/8'] } },
    });
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]?.property).toMatch(/^forwardedHeaders\.clientIp/);
    expect(res.failures[0]?.reason).toContain('EDITION_UNSUPPORTED');
  });

  it('an update of the listener itself does not conflict with its own port (with the old outputs)', async () => {
    const res = await fx.plugin.check(T.Listener, 'held', held.inputs, { ...held.inputs, idleTimeout: 30 }, held.outputs);
    expect(res.failures).toEqual([]);
  });

  it('an update of the listener itself does not conflict with its own port (engines without old outputs)', async () => {
    const res = await fx.plugin.check(T.Listener, 'held', held.inputs, { ...held.inputs, idleTimeout: 30 });
    expect(res.failures).toEqual([]);
  });

  it('an update checks update-only rules: an edition may never go back to Basic', async () => {
    const res = await fx.plugin.check(T.LoadBalancer, 'check-lb', base.lb.inputs, { ...base.lb.inputs, edition: 'Basic' }, base.lb.outputs);
    expect(res.failures).toEqual([{ property: 'edition', reason: expect.any(String) }]);
  });

  it('a replacement keeping the same port does not conflict with the resource it replaces', async () => {
    const cert = await fx.deploy(T.Certificate, 'held-cert', { name: 'held cert', certificatePem: (await fx.serverCert()).chainPem, privateKeyPem: secret((await fx.serverCert()).keyPem) });
    const news = { ...held.inputs, protocol: 'HTTPS', certificates: { defaultCertificateId: cert.id } };
    const res = await fx.plugin.check(T.Listener, 'held', held.inputs, news, held.outputs);
    expect(res.failures).toEqual([]);
  });

  it('skips the dry run while inputs are unknown (a preview cannot know the conflict yet)', async () => {
    const res = await fx.plugin.check(T.Listener, 'later', {}, listenerInputs(base, 'HTTP', heldPort, { description: UNKNOWN }));
    expect(res.failures).toEqual([]);
  });
});
