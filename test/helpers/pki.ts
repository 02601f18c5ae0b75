/**
 * Test PKI: builds CAs, server and client certificates on the fly (in memory, no files), so
 * tests exercise real TLS with exactly the names, key types and validity they need.
 */
import { webcrypto, X509Certificate } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

/** KeyType chooses the key algorithm: EC P-256 is fast; RSA-2048 is needed for RSA-only suites. */
export type KeyType = 'ec' | 'rsa';

/** Issued is a certificate with its key, both PEM, and the issuing chain. */
export interface Issued {
  certPem: string;
  keyPem: string;
  /** certPem followed by the issuer's certificate (when not self-signed). */
  chainPem: string;
  /** SHA-1 fingerprint, lower-case hex without separators (as the forwarded header carries it). */
  sha1: string;
  subjectDn: string;
  issuerDn: string;
  /** Internal: the signing material for issuing further certificates from a CA. */
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
}

/** CertOptions choose what goes into one certificate. */
export interface CertOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  keyType?: KeyType;
  /** Issue a client certificate (extendedKeyUsage clientAuth) instead of a server one. */
  client?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** Produce a CA certificate (basicConstraints CA:TRUE). */
  ca?: boolean;
  /** Omit basicConstraints entirely (for CERT_NOT_CA tests). */
  noBasicConstraints?: boolean;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

async function generateKeys(type: KeyType): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(type === 'rsa' ? RSA : EC, true, ['sign', 'verify']);
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

let serial = 1;

/** issueCertificate creates one certificate, signed by `issuer` or self-signed when absent. */
export async function issueCertificate(options: CertOptions, issuer?: Issued): Promise<Issued> {
  const keyType = options.keyType ?? 'ec';
  const keys = await generateKeys(keyType);
  const alg = keyType === 'rsa' ? RSA : EC;
  const extensions: x509.Extension[] = [];
  if (!options.noBasicConstraints) extensions.push(new x509.BasicConstraintsExtension(Boolean(options.ca), undefined, true));
  if (options.ca) {
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true));
  } else {
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true));
    extensions.push(new x509.ExtendedKeyUsageExtension([options.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]));
  }
  const names: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  const now = Date.now();
  const name = `CN=${options.commonName}, O=Gatehouse Test`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(8, '0') + Date.now().toString(16),
    subject: name,
    issuer: issuer ? issuer.cert.subject : name,
    notBefore: options.notBefore ?? new Date(now - 3600_000),
    notAfter: options.notAfter ?? new Date(now + 30 * 86400_000),
    signingAlgorithm: issuer ? issuer.cert.signatureAlgorithm : alg,
    publicKey: keys.publicKey,
    signingKey: issuer ? issuer.keys.privateKey : keys.privateKey,
    extensions,
  });
  const certPem = cert.toString('pem') + '\n';
  const nodeCert = new X509Certificate(certPem);
  return {
    certPem,
    keyPem: await keyToPem(keys.privateKey),
    chainPem: issuer ? certPem + issuer.certPem : certPem,
    sha1: nodeCert.fingerprint.replaceAll(':', '').toLowerCase(),
    subjectDn: nodeCert.subject,
    issuerDn: nodeCert.issuer,
    keys,
    cert,
  };
}

/** createCa creates a self-signed CA certificate that can issue further certificates. */
export function createCa(commonName = 'Gatehouse Test CA', keyType: KeyType = 'ec'): Promise<Issued> {
  return issueCertificate({ commonName, ca: true, keyType });
}
