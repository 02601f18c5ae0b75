/**
 * Certificate inspection (SPEC 1.4): parses the PEM chain and key with node:crypto, derives
 * the read-only outputs, and applies the certificate rules (PEM parses, key matches, CA has
 * CA:TRUE, a Server certificate names only recognised wildcards). The server runs it on every
 * write, with the stored key when a PUT omits the key.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { FieldError } from './errors.ts';
import type { CertificateInspection } from './resources/certificate.ts';
import { isRecognisedWildcard, isWildcardName } from './wildcard.ts';

/** CertificateMaterial is what inspection needs: the type, the PEM chain, and the key when there is one. */
export interface CertificateMaterial {
  type: 'Server' | 'CA';
  certificatePem: string;
  privateKeyPem?: string | undefined;
}

/** InspectionResult is the derived outputs, or every rule failure found. */
export type InspectionResult = { ok: true; value: CertificateInspection } | { ok: false; errors: FieldError[] };

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** splitPemCertificates returns each certificate block of a PEM text, in order. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(CERT_BLOCK) ?? [];
}

/** inspectCertificate checks a certificate's PEM and key and derives its outputs (all but `expired`). */
export function inspectCertificate(material: CertificateMaterial): InspectionResult {
  const errors: FieldError[] = [];
  const blocks = splitPemCertificates(material.certificatePem);
  if (blocks.length === 0) {
    return fail([{ path: 'certificatePem', code: 'CERT_INVALID_PEM', message: 'no PEM certificate block (-----BEGIN CERTIFICATE-----) found' }]);
  }
  const chain: X509Certificate[] = [];
  blocks.forEach((block, i) => {
    try {
      chain.push(new X509Certificate(block));
    } catch {
      errors.push({ path: 'certificatePem', code: 'CERT_INVALID_PEM', message: `certificate ${i + 1} of the PEM does not parse` });
    }
  });
  const leaf = chain[0];
  if (!leaf || errors.length > 0) return fail(errors);

  let key: KeyObject | undefined;
  if (material.type === 'CA') {
    if (material.privateKeyPem !== undefined) errors.push({ path: 'privateKeyPem', code: 'VALIDATION_FAILED', message: 'a CA certificate may not carry a private key' });
    if (!leaf.ca) errors.push({ path: 'certificatePem', code: 'CERT_NOT_CA', message: 'a CA certificate needs basicConstraints CA:TRUE' });
  } else if (material.privateKeyPem === undefined) {
    errors.push({ path: 'privateKeyPem', code: 'VALIDATION_FAILED', message: 'is required for a Server certificate' });
  } else {
    try {
      key = createPrivateKey(material.privateKeyPem);
    } catch {
      errors.push({ path: 'privateKeyPem', code: 'CERT_INVALID_PEM', message: 'the private key does not parse (an unencrypted PEM key is required)' });
    }
    if (key && !leaf.checkPrivateKey(key)) {
      errors.push({ path: 'privateKeyPem', code: 'CERT_KEY_MISMATCH', message: 'the private key does not match the public key of the leaf certificate' });
    }
  }

  const commonName = lastAttribute(leaf.subject, 'CN') ?? '';
  const dnsNames = dnsSubjectAltNames(leaf.subjectAltName);
  const domains = dnsNames.length > 0 ? dnsNames : commonName ? [commonName] : [];
  if (material.type === 'Server') {
    for (const domain of domains) {
      if (isWildcardName(domain) && !isRecognisedWildcard(domain)) {
        errors.push({
          path: 'certificatePem',
          code: 'CERT_UNSUPPORTED_WILDCARD',
          message: `the domain "${domain}" is not a recognised wildcard: exactly one *, at the start of the leftmost label`,
        });
      }
    }
  }
  if (errors.length > 0) return fail(errors);
  return {
    ok: true,
    value: {
      commonName,
      domains,
      subjectDn: distinguishedName(leaf.subject),
      issuerDn: distinguishedName(leaf.issuer),
      serialNumber: leaf.serialNumber,
      notBefore: new Date(leaf.validFrom).toISOString(),
      notAfter: new Date(leaf.validTo).toISOString(),
      fingerprintSha256: leaf.fingerprint256,
      keyAlgorithm: keyAlgorithmOf(leaf.publicKey),
    },
  };
}

/** isExpired tells whether a certificate's notAfter (RFC 3339) has passed at `now`. */
export function isExpired(notAfter: string, now: Date = new Date()): boolean {
  return Date.parse(notAfter) < now.getTime();
}

function fail(errors: FieldError[]): InspectionResult {
  return { ok: false, errors };
}

const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P256', secp384r1: 'P384', secp521r1: 'P521' };

/** keyAlgorithmOf names a public key as `RSA-2048`, `EC-P256`, `ED25519`, …. */
export function keyAlgorithmOf(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return `${type.toUpperCase()}-${details.modulusLength ?? 0}`;
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    return `EC-${CURVE_NAMES[curve] ?? curve}`;
  }
  return type.toUpperCase();
}

/**
 * Node renders a name one attribute per line (`CN=a\nO=b`), quoting values that need it as
 * JSON strings; the one-line form joins them with `, ` in the certificate's own order.
 */
function distinguishedName(nodeName: string): string {
  return nodeName.split('\n').filter((l) => l.length > 0).join(', ');
}

function lastAttribute(nodeName: string, attribute: string): string | undefined {
  let found: string | undefined;
  for (const line of nodeName.split('\n')) {
    if (line.startsWith(`${attribute}=`)) found = unquote(line.slice(attribute.length + 1));
  }
  return found;
}

function unquote(value: string): string {
  if (value.startsWith('"')) {
    try {
      return String(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * dnsSubjectAltNames reads the DNS entries of Node's subjectAltName text
 * (`DNS:a.example, IP Address:127.0.0.1, DNS:"b,c"`), where values that contain separators
 * are JSON-quoted.
 */
export function dnsSubjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (text[j] === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      value = unquote(text.slice(j, k + 1));
      j = k + 1;
    } else {
      const end = text.indexOf(', ', j);
      value = text.slice(j, end < 0 ? text.length : end);
      j = end < 0 ? text.length : end;
    }
    if (type === 'DNS') names.push(value);
    i = text.startsWith(', ', j) ? j + 2 : j + 1;
  }
  return names;
}
