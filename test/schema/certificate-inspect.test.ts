/** SPEC 1.4: certificate inspection with real certificates from the test PKI. */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectCertificate, isExpired, type InspectionResult } from '../../schema/index.ts';
import { createCa, issueCertificate, type Issued } from '../helpers/pki.ts';

function ok(result: InspectionResult) {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}
function codes(result: InspectionResult): string[] {
  if (result.ok) throw new Error('expected failure');
  return result.errors.map((e) => `${e.path} ${e.code}`);
}

let ca: Issued;
let ec: Issued;
beforeAll(async () => {
  ca = await createCa();
  ec = await issueCertificate({ commonName: 'web.example.com', dnsNames: ['web.example.com', '*.example.com', '*api.example.com'] }, ca);
});

describe('inspectCertificate outputs', () => {
  it('derives CN, DNS SANs, DNs, serial, validity, SHA-256 fingerprint and key algorithm from the leaf', () => {
    const v = ok(inspectCertificate({ type: 'Server', certificatePem: ec.chainPem, privateKeyPem: ec.keyPem }));
    const x = new X509Certificate(ec.certPem);
    expect(v.commonName).toBe('web.example.com');
    expect(v.domains).toEqual(['web.example.com', '*.example.com', '*api.example.com']);
    expect(v.subjectDn).toBe('CN=web.example.com, O=Gatehouse Test');
    expect(v.issuerDn).toBe('CN=Gatehouse Test CA, O=Gatehouse Test');
    expect(v.serialNumber).toBe(x.serialNumber);
    expect(v.notBefore).toBe(new Date(x.validFrom).toISOString());
    expect(v.notAfter).toBe(new Date(x.validTo).toISOString());
    expect(v.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(v.fingerprintSha256).toBe(x.fingerprint256);
    expect(v.keyAlgorithm).toBe('EC-P256');
  });
  it('names RSA keys with their size and falls back to the CN without DNS SANs', async () => {
    const rsa = await issueCertificate({ commonName: 'rsa.example.com', keyType: 'rsa', ipAddresses: ['127.0.0.1'] }, ca);
    const v = ok(inspectCertificate({ type: 'Server', certificatePem: rsa.certPem, privateKeyPem: rsa.keyPem }));
    expect(v.keyAlgorithm).toBe('RSA-2048');
    expect(v.domains).toEqual(['rsa.example.com']);
  });
  it('accepts a CA certificate without a key', () => {
    const v = ok(inspectCertificate({ type: 'CA', certificatePem: ca.certPem }));
    expect(v.commonName).toBe('Gatehouse Test CA');
  });
  it('isExpired compares notAfter with the read time', () => {
    expect(isExpired('2020-01-01T00:00:00.000Z', new Date('2020-01-01T00:00:01Z'))).toBe(true);
    expect(isExpired('2020-01-01T00:00:00.000Z', new Date('2019-12-31T23:59:59Z'))).toBe(false);
  });
  it('an expired certificate is still accepted; expired is computed at read time', async () => {
    const old = await issueCertificate({ commonName: 'old.example.com', notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }, ca);
    const v = ok(inspectCertificate({ type: 'Server', certificatePem: old.certPem, privateKeyPem: old.keyPem }));
    expect(isExpired(v.notAfter)).toBe(true);
    expect(isExpired(ok(inspectCertificate({ type: 'Server', certificatePem: ec.certPem, privateKeyPem: ec.keyPem })).notAfter)).toBe(false);
  });
});

describe('inspectCertificate rules', () => {
  it('PEM that does not parse is CERT_INVALID_PEM', () => {
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: 'not a pem', privateKeyPem: ec.keyPem }))).toEqual(['certificatePem CERT_INVALID_PEM']);
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: broken, privateKeyPem: ec.keyPem }))).toEqual(['certificatePem CERT_INVALID_PEM']);
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: ec.certPem + broken, privateKeyPem: ec.keyPem }))).toEqual(['certificatePem CERT_INVALID_PEM']);
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: ec.certPem, privateKeyPem: 'garbage' }))).toEqual(['privateKeyPem CERT_INVALID_PEM']);
  });
  it('a key of another certificate is CERT_KEY_MISMATCH', () => {
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: ec.chainPem, privateKeyPem: ca.keyPem }))).toEqual(['privateKeyPem CERT_KEY_MISMATCH']);
  });
  it('a CA certificate without CA:TRUE is CERT_NOT_CA (with CA:FALSE or no basicConstraints)', async () => {
    const none = await issueCertificate({ commonName: 'not-a-ca', noBasicConstraints: true }, ca);
    expect(codes(inspectCertificate({ type: 'CA', certificatePem: ec.certPem }))).toEqual(['certificatePem CERT_NOT_CA']);
    expect(codes(inspectCertificate({ type: 'CA', certificatePem: none.certPem }))).toEqual(['certificatePem CERT_NOT_CA']);
  });
  it('a key is required for Server and forbidden for CA', () => {
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: ec.certPem }))).toEqual(['privateKeyPem VALIDATION_FAILED']);
    expect(codes(inspectCertificate({ type: 'CA', certificatePem: ca.certPem, privateKeyPem: ca.keyPem }))).toEqual(['privateKeyPem VALIDATION_FAILED']);
  });
  it.each([['test*.example.com'], ['*.*.example.com'], ['a.*.example.com']])('a Server certificate naming %s is CERT_UNSUPPORTED_WILDCARD naming the domain', async (domain) => {
    const bad = await issueCertificate({ commonName: 'ok.example.com', dnsNames: ['ok.example.com', domain] }, ca);
    const result = inspectCertificate({ type: 'Server', certificatePem: bad.certPem, privateKeyPem: bad.keyPem });
    expect(codes(result)).toEqual(['certificatePem CERT_UNSUPPORTED_WILDCARD']);
    expect(result.ok ? '' : result.errors[0]!.message).toContain(domain);
  });
  it('an unrecognised wildcard in the CN (no SANs) is refused too', async () => {
    const bad = await issueCertificate({ commonName: 'test*.example.com' }, ca);
    expect(codes(inspectCertificate({ type: 'Server', certificatePem: bad.certPem, privateKeyPem: bad.keyPem }))).toEqual(['certificatePem CERT_UNSUPPORTED_WILDCARD']);
  });
});
