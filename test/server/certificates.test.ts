/**
 * SPEC 1.4 through the API: derived outputs, `expired` at read time, the write-only private
 * key (never returned by any read), rotation in place, PUT keeping the stored key.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, type Issued } from '../helpers/pki.ts';
import { TestApi } from './support/api.ts';

let api: TestApi;
let clock = new Date();
let ec: Issued;
let rsa: Issued;
let ec2: Issued;

beforeAll(async () => {
  api = await TestApi.open({ now: () => clock });
  [ec, rsa, ec2] = await Promise.all([
    issueCertificate({ commonName: 'shop.example.com', dnsNames: ['shop.example.com', '*.shop.example.com'] }),
    issueCertificate({ commonName: 'rsa.example.com', keyType: 'rsa' }),
    issueCertificate({ commonName: 'shop.example.com', dnsNames: ['shop.example.com'] }),
  ]);
});
afterAll(async () => {
  clock = new Date();
  await api?.close();
});

function keyBody(pem: string): string {
  return pem.split('\n').filter((l) => l && !l.startsWith('-----'))[1]!;
}

describe('certificate outputs', () => {
  it('derives commonName, domains, DNs, serial, validity, fingerprint and key algorithm', async () => {
    const c = await api.create('certificates', { name: 'shop', certificatePem: ec.certPem, privateKeyPem: ec.keyPem });
    const x = new X509Certificate(ec.certPem);
    expect(c).toMatchObject({
      type: 'Server',
      commonName: 'shop.example.com',
      domains: ['shop.example.com', '*.shop.example.com'],
      serialNumber: x.serialNumber,
      fingerprintSha256: x.fingerprint256,
      keyAlgorithm: 'EC-P256',
      expired: false,
      notAfter: new Date(x.validTo).toISOString(),
    });
    expect(c.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i);
    expect(c.subjectDn).toContain('CN=shop.example.com');
    const r = await api.create('certificates', { name: 'rsa', certificatePem: rsa.certPem, privateKeyPem: rsa.keyPem });
    expect(r).toMatchObject({ keyAlgorithm: 'RSA-2048', domains: ['rsa.example.com'] });
  });

  it('computes expired at read time', async () => {
    const c = await api.create('certificates', { name: 'soon', certificatePem: ec2.certPem, privateKeyPem: ec2.keyPem });
    expect(c.expired).toBe(false);
    clock = new Date(Date.parse(c.notAfter) + 1000);
    try {
      expect((await api.call('GET', `/v1/certificates/${c.id}`)).body.expired).toBe(true);
    } finally {
      clock = new Date();
    }
  });
});

describe('the private key is write-only', () => {
  it('is returned by no create, read, list, update, replay or event', async () => {
    const seen: string[] = [];
    const created = await api.call('POST', '/v1/certificates', { name: 'secret', certificatePem: ec.certPem, privateKeyPem: ec.keyPem }, { headers: { 'idempotency-key': 'cert-once' } });
    seen.push(created.text);
    const id = created.body.id;
    seen.push((await api.call('POST', '/v1/certificates', { name: 'secret', certificatePem: ec.certPem, privateKeyPem: ec.keyPem }, { headers: { 'idempotency-key': 'cert-once' } })).text);
    seen.push((await api.call('GET', `/v1/certificates/${id}`)).text);
    seen.push((await api.call('GET', '/v1/certificates')).text);
    seen.push((await api.call('PUT', `/v1/certificates/${id}`, { name: 'secret-2', certificatePem: ec.certPem, privateKeyPem: ec.keyPem })).text);
    seen.push((await api.call('GET', '/v1/events')).text);
    for (const text of seen) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(keyBody(ec.keyPem));
      expect(text).not.toContain('privateKeyPem');
    }
  });

  it('a CA certificate may not carry one', async () => {
    const ca = await issueCertificate({ commonName: 'CA', ca: true });
    const res = await api.call('POST', '/v1/certificates', { name: 'ca', type: 'CA', certificatePem: ca.certPem, privateKeyPem: ca.keyPem });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('privateKeyPem');
    const ok = await api.call('POST', '/v1/certificates', { name: 'ca', type: 'CA', certificatePem: ca.certPem });
    expect(ok.status).toBe(201);
    expect(ok.body.type).toBe('CA');
  });
});

describe('rotation in place', () => {
  it('PUT without privateKeyPem keeps the stored key', async () => {
    const c = await api.create('certificates', { name: 'keep', certificatePem: ec.certPem, privateKeyPem: ec.keyPem });
    const res = await api.call('PUT', `/v1/certificates/${c.id}`, { name: 'keep-renamed', certificatePem: ec.certPem });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: c.id, version: 2, name: 'keep-renamed' });
    const row = api.store.resources.get(c.id)!;
    const key = api.store.secrets.open(row.secret!, `resource:${c.id}`);
    expect(createPrivateKey(key).export({ format: 'pem', type: 'pkcs8' })).toBe(createPrivateKey(ec.keyPem).export({ format: 'pem', type: 'pkcs8' }));
  });

  it('a new certificatePem must match the stored key or bring its own', async () => {
    const c = await api.create('certificates', { name: 'rotate', certificatePem: ec.certPem, privateKeyPem: ec.keyPem });
    const mismatch = await api.call('PUT', `/v1/certificates/${c.id}`, { name: 'rotate', certificatePem: ec2.certPem });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('CERT_KEY_MISMATCH');
    const rotated = await api.call('PUT', `/v1/certificates/${c.id}`, { name: 'rotate', certificatePem: ec2.certPem, privateKeyPem: ec2.keyPem });
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(c.id);
    expect(rotated.body.domains).toEqual(['shop.example.com']);
    expect(rotated.body.fingerprintSha256).toBe(new X509Certificate(ec2.certPem).fingerprint256);
  });

  it('the type cannot change in place', async () => {
    const c = await api.create('certificates', { name: 'typed', certificatePem: ec.certPem, privateKeyPem: ec.keyPem });
    const res = await api.call('PUT', `/v1/certificates/${c.id}`, { name: 'typed', type: 'CA', certificatePem: ec.certPem });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IMMUTABLE_FIELD');
  });
});
