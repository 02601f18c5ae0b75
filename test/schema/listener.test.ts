/** SPEC 1.2 / 1.2.1 / 1.3: listener rules that live in the model, and PUT semantics. */
import { describe, expect, it } from 'vitest';
import {
  changedReplaceFields,
  Listener,
  listenerOutputSchema,
  parseResource,
  RESERVED_HEADER_NAMES,
  toForwardedHeadersConfig,
  type ListenerForwardedHeaders,
} from '../../schema/index.ts';
import { BASE, create, expectFailureAt, failures, HTTP_LISTENER, parsed, withPath } from './fixtures.ts';

const HTTPS = BASE.Listener;

describe('HTTPS-only fields on an HTTP listener (SPEC 1.2)', () => {
  const cases: [string, unknown][] = [
    ['http2Enabled', true],
    ['http2Enabled', false],
    ['certificates', { defaultCertificateId: 'cert-d' }],
    ['tlsPolicyId', 'tls_cipher_policy_1_2'],
    ['mutualAuthentication', { enabled: false }],
    ['quic', { upgradeEnabled: false }],
    ['forwardedHeaders.clientCertSubjectDn', { enabled: true }],
    ['forwardedHeaders.clientCertIssuerDn', { enabled: false }],
    ['forwardedHeaders.clientCertFingerprint', { enabled: true }],
    ['forwardedHeaders.clientCertClientVerify', { enabled: true, headerName: 'verify' }],
  ];
  it.each(cases)('%s = %j is a validation error, not ignored', (path, value) => {
    expectFailureAt(create('Listener', withPath(HTTP_LISTENER, path, value)), path);
  });

  it.each(cases)('%s = %j is accepted on an HTTPS listener', (path, value) => {
    parsed(create('Listener', withPath(HTTPS, path, value)));
  });

  it('an HTTP listener reads back without any HTTPS-only field', () => {
    const value = parsed(create('Listener', HTTP_LISTENER));
    for (const f of Listener.outputFields) expect(value).not.toHaveProperty(f);
    for (const f of ['http2Enabled', 'certificates', 'tlsPolicyId', 'mutualAuthentication', 'quic']) expect(value).not.toHaveProperty(f);
    const fh = value.forwardedHeaders as Record<string, unknown>;
    for (const f of ['clientCertSubjectDn', 'clientCertIssuerDn', 'clientCertFingerprint', 'clientCertClientVerify']) expect(fh).not.toHaveProperty(f);
    // The output model accepts it as read, and the engine form turns the missing entries off.
    const out = listenerOutputSchema.parse({ ...value, id: 'lsn-x', version: 1, createdAt: 'now', updatedAt: 'now', status: 'Running' });
    expect(out).not.toHaveProperty('http2Enabled');
    expect(toForwardedHeadersConfig(fh as ListenerForwardedHeaders).clientCertFingerprint).toEqual({ enabled: false });
  });

  it('an HTTPS listener requires certificates', () => {
    const { certificates: _c, ...noCerts } = HTTPS;
    expectFailureAt(create('Listener', noCerts), 'certificates');
    expectFailureAt(create('Listener', withPath(HTTPS, 'certificates', {})), 'certificates.defaultCertificateId');
  });

  it('protocol must be HTTP or HTTPS and is required', () => {
    expectFailureAt(create('Listener', withPath(HTTPS, 'protocol', 'TCP')), 'protocol');
    const { protocol: _p, ...noProtocol } = HTTPS;
    expectFailureAt(create('Listener', noProtocol), 'protocol');
  });
});

describe('reserved and malformed header names (SPEC 1.2.1)', () => {
  it('the list holds exactly the 18 names of SPEC 1.2.1', () => {
    expect([...RESERVED_HEADER_NAMES].sort()).toEqual(
      [
        'slb-id', 'slb-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-eip', 'x-forwarded-port',
        'x-forwarded-client-srcport', 'x-forwarded-host', 'connection', 'upgrade', 'content-length',
        'transfer-encoding', 'keep-alive', 'te', 'host', 'cookie', 'remoteip', 'authority',
      ].sort(),
    );
  });
  const fields = ['clientCertSubjectDn', 'clientCertIssuerDn', 'clientCertFingerprint', 'clientCertClientVerify'];
  it.each(RESERVED_HEADER_NAMES.map((n) => [n]))('%s is refused with RESERVED_HEADER_NAME on every client-certificate header', (name) => {
    for (const field of fields) {
      const path = `forwardedHeaders.${field}.headerName`;
      expectFailureAt(create('Listener', withPath(HTTPS, path, name)), path, 'RESERVED_HEADER_NAME');
    }
    // Case does not hide a reserved name.
    const upper = name.toUpperCase();
    expectFailureAt(create('Listener', withPath(HTTPS, 'forwardedHeaders.clientCertFingerprint.headerName', upper)), 'forwardedHeaders.clientCertFingerprint.headerName', 'RESERVED_HEADER_NAME');
  });
  it.each([['X-Client-Cert'], ['x.cert'], ['x cert'], ['x:cert'], ['é-cert'], ['']])('%j is refused as VALIDATION_FAILED (charset [a-z0-9_-])', (name) => {
    expectFailureAt(create('Listener', withPath(HTTPS, 'forwardedHeaders.clientCertSubjectDn.headerName', name)), 'forwardedHeaders.clientCertSubjectDn.headerName');
  });
  it.each([['x-client-cert'], ['cert_dn'], ['0-9_a-z'], ['x-forwarded-for-2'], ['hosts']])('%j is accepted', (name) => {
    parsed(create('Listener', withPath(HTTPS, 'forwardedHeaders.clientCertSubjectDn.headerName', name)));
  });
});

describe('forwardedHeaders.clientIp (SPEC 1.2.1)', () => {
  const path = 'forwardedHeaders.clientIp';
  it('trustedProxies is required when enabled', () => {
    expectFailureAt(create('Listener', withPath(HTTPS, path, { enabled: true })), `${path}.trustedProxies`);
    expectFailureAt(create('Listener', withPath(HTTPS, path, { enabled: true, trustedProxies: [] })), `${path}.trustedProxies`);
  });
  it('each entry must be an IP or CIDR, reported at its index', () => {
    const errors = failures(create('Listener', withPath(HTTPS, path, { enabled: true, trustedProxies: ['10.0.0.0/8', 'proxy.local', '1.2.3.4', '10.0.0.0/33', '2001:db8::/129'] })));
    expect(errors.map((e) => e.path)).toEqual([`${path}.trustedProxies[1]`, `${path}.trustedProxies[3]`, `${path}.trustedProxies[4]`]);
  });
  it('accepts IPv4, IPv6, CIDR and 0.0.0.0/0', () => {
    const value = parsed(create('Listener', withPath(HTTPS, path, { enabled: true, trustedProxies: ['0.0.0.0/0', '10.1.2.3', '::1', '2001:db8::/32', '::ffff:10.0.0.1'] })));
    expect((value.forwardedHeaders as ListenerForwardedHeaders).clientIp.trustedProxies).toHaveLength(5);
  });
  it('xForwardedFor.mode is append or remove', () => {
    expectFailureAt(create('Listener', withPath(HTTPS, 'forwardedHeaders.xForwardedFor.mode', 'replace')), 'forwardedHeaders.xForwardedFor.mode');
  });
});

describe('mutual TLS, QUIC upgrade and additional certificates (SPEC 1.2)', () => {
  it('mutualAuthentication.caCertificateId is required when enabled', () => {
    expectFailureAt(create('Listener', withPath(HTTPS, 'mutualAuthentication', { enabled: true })), 'mutualAuthentication.caCertificateId');
    parsed(create('Listener', withPath(HTTPS, 'mutualAuthentication', { enabled: true, caCertificateId: 'cert-ca' })));
  });
  it('quic.quicListenerId is required when upgradeEnabled', () => {
    expectFailureAt(create('Listener', withPath(HTTPS, 'quic', { upgradeEnabled: true })), 'quic.quicListenerId');
    parsed(create('Listener', withPath(HTTPS, 'quic', { upgradeEnabled: true, quicListenerId: 'lsn-q' })));
  });
  it('additionalCertificateIds: no duplicates, not the default one', () => {
    const dup = failures(create('Listener', withPath(HTTPS, 'certificates', { defaultCertificateId: 'cert-d', additionalCertificateIds: ['cert-a', 'cert-b', 'cert-a'] })));
    expect(dup.map((e) => e.path)).toEqual(['certificates.additionalCertificateIds[2]']);
    const dflt = failures(create('Listener', withPath(HTTPS, 'certificates', { defaultCertificateId: 'cert-d', additionalCertificateIds: ['cert-a', 'cert-d'] })));
    expect(dflt.map((e) => e.path)).toEqual(['certificates.additionalCertificateIds[1]']);
  });
  it('the same rules hold on a QUIC listener, whose certificates are required', () => {
    expectFailureAt(create('QuicListener', withPath(BASE.QuicListener, 'certificates.additionalCertificateIds', ['cert-d'])), 'certificates.additionalCertificateIds[0]');
    const { certificates: _c, ...noCerts } = BASE.QuicListener;
    expectFailureAt(create('QuicListener', noCerts), 'certificates');
    expectFailureAt(create('QuicListener', withPath(BASE.QuicListener, 'tlsPolicyId', 'tls_cipher_policy_1_2')), 'tlsPolicyId');
  });
});

describe('PUT bodies (SPEC §3)', () => {
  const stored = parsed(create('Listener', HTTPS));
  const read = { ...stored, id: 'lsn-abcdefghijklmnopqrst', version: 3, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', status: 'Running' };

  it('what GET returned can be sent back: outputs accepted and dropped, replace fields kept for comparison', () => {
    const value = parsed(parseResource('Listener', 'update', read, { previous: read }));
    for (const f of ['id', 'version', 'createdAt', 'updatedAt', 'status']) expect(value).not.toHaveProperty(f);
    expect(value).toEqual(stored);
    expect(changedReplaceFields(Listener, read, value)).toEqual([]);
  });

  it('replace fields may be omitted (the stored ones apply) and a changed one is detected', () => {
    const { loadBalancerId: _l, protocol: _p, port: _port, ...mutable } = HTTPS;
    const value = parsed(parseResource('Listener', 'update', mutable, { previous: read }));
    expect(value.protocol).toBe('HTTPS');
    expect(value.http2Enabled).toBe(true);
    const moved = parsed(parseResource('Listener', 'update', { ...HTTPS, port: 8443 }, { previous: read }));
    expect(changedReplaceFields(Listener, read, moved)).toEqual(['port']);
  });

  it('an HTTPS-only field on a PUT of a stored HTTP listener is refused even when protocol is omitted', () => {
    const httpStored = parsed(create('Listener', HTTP_LISTENER));
    const { protocol: _p, ...body } = HTTP_LISTENER;
    expectFailureAt(parseResource('Listener', 'update', { ...body, http2Enabled: true }, { previous: httpStored }), 'http2Enabled');
  });

  it('unknown fields are refused on PUT as on create', () => {
    expectFailureAt(parseResource('Listener', 'update', { ...read, colour: 'blue' }, { previous: read }), 'colour');
    expectFailureAt(create('Listener', withPath(HTTPS, 'forwardedHeaders.xForwardedFor.extra', 1)), 'forwardedHeaders.xForwardedFor.extra');
  });

  it('an omitted privateKeyPem keeps the stored key on PUT of a Server certificate; a CA never takes one', () => {
    const cert = parsed(create('Certificate', BASE.Certificate));
    parsed(parseResource('Certificate', 'update', { name: 'cert', certificatePem: 'new' }, { previous: cert }));
    expectFailureAt(create('Certificate', { name: 'cert', certificatePem: 'pem' }), 'privateKeyPem');
    expectFailureAt(create('Certificate', { name: 'ca', type: 'CA', certificatePem: 'pem', privateKeyPem: 'k' }), 'privateKeyPem');
    parsed(create('Certificate', { name: 'ca', type: 'CA', certificatePem: 'pem' }));
  });

  it('a body that is not an object is refused', () => {
    for (const body of [null, [], 'x', 1]) expect(failures(parseResource('Listener', 'create', body))[0]?.code).toBe('VALIDATION_FAILED');
  });
});
