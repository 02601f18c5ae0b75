/**
 * The demo's TLS material: a throwaway CA and a server certificate for `localhost` and
 * 127.0.0.1 signed by it, made with @peculiar/x509 on WebCrypto. Loaded only for --demo,
 * so a plain `gatehouse serve` never pulls in the X.509 builder.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** DemoCertificate is the CA certificate to trust and the server chain with its key, all PEM. */
export interface DemoCertificate {
  readonly caPem: string;
  readonly chainPem: string;
  readonly keyPem: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

function serial(): string {
  // A positive 16-byte serial number, as CAs issue them.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

/** createDemoCertificate issues a fresh CA (10 years) and a localhost certificate (1 year). */
export async function createDemoCertificate(now = new Date()): Promise<DemoCertificate> {
  const notBefore = new Date(now.getTime() - DAY);
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Gatehouse demo CA, O=Gatehouse demo',
    notBefore,
    notAfter: new Date(now.getTime() + 3650 * DAY),
    signingAlgorithm: EC,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await keyPair();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost, O=Gatehouse demo',
    issuer: ca.subject,
    notBefore,
    notAfter: new Date(now.getTime() + 365 * DAY),
    signingAlgorithm: EC,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  const caPem = ca.toString('pem');
  return {
    caPem: `${caPem}\n`,
    chainPem: `${leaf.toString('pem')}\n${caPem}\n`,
    keyPem: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`,
  };
}
