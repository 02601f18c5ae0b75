/**
 * Terraform's automatic mutual TLS with its plugins: Terraform passes its own fresh, self-signed
 * client certificate in PLUGIN_CLIENT_CERT; the plugin makes a fresh self-signed certificate of
 * its own (ECDSA P-256, for `localhost`, usable as server and client, a CA of itself, as
 * go-plugin's are), serves gRPC over TLS trusting only the client's certificate, and hands its
 * certificate back on the handshake line.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR = 60 * 60 * 1000;
/** VALIDITY_MS is how long the certificate is valid: one plugin run never lasts a year. */
const VALIDITY_MS = 365 * 24 * HOUR;
/** CLOCK_SKEW_MS back-dates the certificate a little, for a client whose clock runs behind. */
const CLOCK_SKEW_MS = 30 * 1000;

/** ServerTls is the plugin's certificate (PEM and DER) and its private key (PEM). */
export interface ServerTls {
  readonly certPem: string;
  readonly certDer: Uint8Array;
  readonly keyPem: string;
}

/** createServerTls makes a fresh self-signed certificate and key for one plugin run. */
export async function createServerTls(now = new Date()): Promise<ServerTls> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(serial).toString('hex'),
    name: 'CN=localhost, O=Gatehouse',
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + VALIDITY_MS),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    certPem: `${cert.toString('pem')}\n`,
    certDer: new Uint8Array(cert.rawData),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`,
  };
}

/**
 * serverCredentials gives the gRPC server's credentials: with a client certificate, TLS that
 * requires the client to present a certificate verified against that one alone; without one,
 * plaintext (Terraform with automatic mutual TLS turned off).
 */
export function serverCredentials(clientCertPem: string | undefined, tls: ServerTls | undefined): grpc.ServerCredentials {
  if (clientCertPem === undefined || tls === undefined) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(Buffer.from(clientCertPem), [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }], true);
}

/** clientCertificate reads PLUGIN_CLIENT_CERT, checking it is a PEM certificate. */
export function clientCertificate(env: NodeJS.ProcessEnv): string | undefined {
  const pem = env.PLUGIN_CLIENT_CERT;
  if (pem === undefined || pem.trim() === '') return undefined;
  try {
    new x509.X509Certificate(pem);
  } catch (err) {
    throw new Error(`PLUGIN_CLIENT_CERT is not a PEM certificate: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return pem;
}
